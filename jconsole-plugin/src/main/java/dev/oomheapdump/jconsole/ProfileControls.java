package dev.oomheapdump.jconsole;

import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextField;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The tab's profile controls, on the job row: <b>Profile</b>, the kind chooser (CPU, Wall clock, Allocations,
 * Locks) and the duration in seconds. Event thread only; the tab runs the call.
 */
final class ProfileControls {

    private final JButton start = new JButton("Profile");
    private final JComboBox<ProfileKind> kind = new JComboBox<>(ProfileKind.values());
    private final JTextField duration = new JTextField("30", 4);

    /**
     * @param onStart called with the chosen kind and the duration in milliseconds when the button is pressed
     * @param invalid called with a message when the duration is not a number
     */
    ProfileControls(BiConsumer<ProfileKind, Long> onStart, Consumer<String> invalid) {
        start.setToolTipText("Record a profile of the chosen kind for the given seconds: a .jfr, and a flame graph "
                + "(.html) beside it by the JVM's ProfileFormats (createProfile)");
        duration.setToolTipText("Profile duration in seconds (1 to 3600)");
        kind.setSelectedItem(ProfileKind.CPU);
        describeKind();
        kind.addActionListener(e -> describeKind());
        start.addActionListener(e -> {
            long millis;
            try {
                millis = millis(duration.getText());
            } catch (IllegalArgumentException bad) {
                invalid.accept(bad.getMessage());
                return;
            }
            onStart.accept(kind(), millis);
        });
    }

    private void describeKind() {
        ProfileKind chosen = kind();
        kind.setToolTipText("What to profile. " + chosen + ": " + chosen.description());
    }

    /** Seconds as typed ({@code 30}, {@code 1.5}) to milliseconds; the bean checks the range. */
    static long millis(String text) {
        String trimmed = text == null ? "" : text.trim();
        try {
            return Math.round(Double.parseDouble(trimmed) * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Profile duration must be a number of seconds, not '" + trimmed + "'");
        }
    }

    /** Adds the controls to the job row. */
    void addTo(JPanel row) {
        row.add(start);
        row.add(kind);
        row.add(new JLabel("for"));
        row.add(duration);
        row.add(new JLabel("s"));
    }

    void setEnabled(boolean enabled) {
        start.setEnabled(enabled);
        kind.setEnabled(enabled);
        duration.setEnabled(enabled);
    }

    ProfileKind kind() {
        return (ProfileKind) kind.getSelectedItem();
    }

    JButton button() {
        return start;
    }

    JComboBox<ProfileKind> kindBox() {
        return kind;
    }

    JTextField durationField() {
        return duration;
    }
}
