package dev.oomheapdump.jconsole;

import dev.oomheapdump.jconsole.TabState.Policy;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import javax.swing.border.Border;
import java.awt.Color;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The out-of-memory policy editor: the runtime options as the JVM has them, edits kept until applied or
 * reverted, one {@code applyPolicy} call for all changes, and a rejected option outlined with the bean's message.
 * Swing state lives on the event thread; the call runs on the tab's action threads.
 */
final class PolicyPanel extends JPanel {

    private static final Color ERROR = new Color(0xB0, 0x00, 0x00);

    private final TabModel model;
    private final Executor calls;
    private final Consumer<Result> afterApply;

    private final JCheckBox heapdumpOnOOM = new JCheckBox("Heap dump on OutOfMemoryError");
    private final JComboBox<String> implementation = new JComboBox<>(new String[]{"NATIVE_HOOK", "GC_MONITORING"});
    private final JTextField threshold = new JTextField(3);
    private final JTextField limit = new JTextField(3);
    private final JTextField path = new JTextField(22);
    private final JCheckBox addTimestamp = new JCheckBox("Add timestamp");
    private final JComboBox<String> analyze = new JComboBox<>(new String[]{"off", "oom", "all"});
    private final JButton apply = new JButton("Apply");
    private final JButton revert = new JButton("Revert");
    private final JLabel message = new JLabel(" ");
    private final JLabel fixedLabel = new JLabel(" ");
    private final Map<String, JComponent> fields = new LinkedHashMap<>();
    private final Map<String, Border> fieldBorders = new LinkedHashMap<>();

    // event thread only
    private Policy shown;
    private int oomDumps;
    private boolean applyInFlight;
    private int generation;

    /**
     * @param afterApply called on the event thread with each apply's outcome (the tab shows it and reads again)
     */
    PolicyPanel(TabModel model, Executor calls, Consumer<Result> afterApply) {
        super(new GridBagLayout());
        this.model = model;
        this.calls = calls;
        this.afterApply = afterApply;
        fields.put(Policy.HEAPDUMP_ON_OOM, heapdumpOnOOM);
        fields.put(Policy.OOM_IMPLEMENTATION, implementation);
        fields.put(Policy.THRESHOLD, threshold);
        fields.put(Policy.LIMIT, limit);
        fields.put(Policy.PATH, path);
        fields.put(Policy.ADD_TIMESTAMP, addTimestamp);
        fields.put(Policy.ANALYZE, analyze);
        fields.forEach((key, field) -> fieldBorders.put(key, field.getBorder()));
        implementation.setPrototypeDisplayValue("GC_MONITORING ");
        heapdumpOnOOM.setToolTipText("heapdumpOnOOM: make a heap dump when the JVM runs out of memory");
        implementation.setToolTipText("OOMImplementation: NATIVE_HOOK is the JVM's own hook; GC_MONITORING dumps "
                + "when the heap in use after a GC exceeds the threshold, at most 'limit' times");
        threshold.setToolTipText("threshold: GC_MONITORING, percent (1-99) of the maximum heap in use after a GC");
        limit.setToolTipText("limit: most dumps of the OOM policy in this JVM (1-100), failed attempts included");
        path.setToolTipText("path: name of the OOM dump in the directory; .hprof is appended");
        addTimestamp.setToolTipText("addTimestamp: add a UTC timestamp to OOM dump names");
        analyze.setToolTipText("analyze: which dumps are analyzed without being asked, in a separate low-priority "
                + "JVM on the JVM's host: off, oom (OOM dumps), all (snapshots too)");
        apply.setToolTipText("Validate and apply the changed options on the JVM, all or none (applyPolicy)");
        revert.setToolTipText("Show the JVM's policy again, dropping unapplied edits");
        apply.addActionListener(e -> applyPolicy());
        revert.addActionListener(e -> revertPolicy());
        showHint();

        JPanel first = row();
        first.add(heapdumpOnOOM);
        first.add(Box.createHorizontalStrut(8));
        first.add(new JLabel("Implementation:"));
        first.add(implementation);
        first.add(Box.createHorizontalStrut(8));
        first.add(new JLabel("Threshold:"));
        first.add(withUnit(threshold, "%"));
        first.add(Box.createHorizontalStrut(8));
        first.add(new JLabel("Limit:"));
        first.add(withUnit(limit, "dumps"));
        JPanel second = row();
        second.add(new JLabel("OOM dump name:"));
        second.add(withUnit(path, ".hprof"));
        second.add(Box.createHorizontalStrut(8));
        second.add(addTimestamp);
        second.add(Box.createHorizontalStrut(8));
        second.add(new JLabel("Analyze dumps:"));
        second.add(analyze);
        second.add(Box.createHorizontalStrut(16));
        second.add(apply);
        second.add(revert);
        JPanel third = row();
        third.add(message);
        JPanel fourth = row();
        fourth.add(fixedLabel);

        GridBagConstraints c = new GridBagConstraints();
        c.gridx = 0;
        c.weightx = 1;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.anchor = GridBagConstraints.WEST;
        for (JComponent line : new JComponent[]{first, second, third, fourth}) {
            add(line, c);
        }
        setBorder(BorderFactory.createCompoundBorder(BorderFactory.createTitledBorder("Out-of-memory policy"),
                BorderFactory.createEmptyBorder(2, 6, 4, 6)));
    }

    private static JPanel row() {
        return new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 1));
    }

    private static JPanel withUnit(JComponent field, String unit) {
        JPanel panel = new JPanel(new FlowLayout(FlowLayout.LEFT, 3, 0));
        panel.add(field);
        panel.add(new JLabel(unit));
        return panel;
    }

    /** Shows the JVM's policy; a field the user edited keeps the edit until applied or reverted. */
    void render(Policy policy, int oomDumpCount) {
        Policy before = shown;
        if (before == null || heapdumpOnOOM.isSelected() == before.heapdumpOnOOM()) {
            heapdumpOnOOM.setSelected(policy.heapdumpOnOOM());
        }
        if (before == null || before.implementation().equals(implementation.getSelectedItem())) {
            implementation.setSelectedItem(policy.implementation());
        }
        if (before == null || threshold.getText().trim().equals(Integer.toString(before.threshold()))) {
            threshold.setText(Integer.toString(policy.threshold()));
        }
        if (before == null || limit.getText().trim().equals(Integer.toString(before.limit()))) {
            limit.setText(Integer.toString(policy.limit()));
        }
        if (before == null || path.getText().trim().equals(before.path())) {
            path.setText(policy.path());
        }
        if (before == null || addTimestamp.isSelected() == before.addTimestamp()) {
            addTimestamp.setSelected(policy.addTimestamp());
        }
        if (before == null || before.analyze().equals(analyze.getSelectedItem())) {
            analyze.setSelectedItem(policy.hasAnalyze() ? policy.analyze() : null);
        }
        analyze.setEnabled(policy.hasAnalyze());
        shown = policy;
        oomDumps = oomDumpCount;
        fixedLabel.setText("Directory " + policy.directory() + " (on the JVM's host)"
                + (policy.port() > 0 ? "  \u00b7  JMX port " + policy.port() : "")
                + "  \u00b7  OOM dumps made in this JVM: " + oomDumpCount);
    }

    /** The JVM's policy last shown, or null. */
    Policy shown() {
        return shown;
    }

    void setReady(boolean ready) {
        apply.setEnabled(ready && !applyInFlight);
        revert.setEnabled(ready && !applyInFlight);
    }

    /** JConsole lost the connection: the running call's answer, if any, is dropped. */
    void reset() {
        generation++;
        applyInFlight = false;
    }

    private void applyPolicy() {
        Map<String, String> edited = new LinkedHashMap<>();
        edited.put(Policy.HEAPDUMP_ON_OOM, Boolean.toString(heapdumpOnOOM.isSelected()));
        edited.put(Policy.OOM_IMPLEMENTATION, String.valueOf(implementation.getSelectedItem()));
        edited.put(Policy.THRESHOLD, threshold.getText().trim());
        edited.put(Policy.LIMIT, limit.getText().trim());
        edited.put(Policy.PATH, path.getText().trim());
        edited.put(Policy.ADD_TIMESTAMP, Boolean.toString(addTimestamp.isSelected()));
        if (shown != null && shown.hasAnalyze() && analyze.getSelectedItem() != null) {
            edited.put(Policy.ANALYZE, String.valueOf(analyze.getSelectedItem()));
        }
        applyInFlight = true;
        setReady(true);
        markField("", "");
        int startedIn = generation;
        calls.execute(() -> {
            Result result = model.applyPolicy(edited);
            SwingUtilities.invokeLater(() -> {
                if (startedIn != generation) {
                    return;
                }
                applyInFlight = false;
                message.setForeground(result.ok() ? getForeground() : ERROR);
                message.setText(result.message());
                if (!result.ok()) {
                    markField(result.field(), result.message());
                }
                afterApply.accept(result);
            });
        });
    }

    private void revertPolicy() {
        Policy policy = shown;
        if (policy == null) {
            return;
        }
        shown = null;
        render(policy, oomDumps);
        markField("", "");
        showHint();
    }

    private void showHint() {
        message.setForeground(Color.GRAY);
        message.setText("Apply sends the changed options; the JVM validates them all and applies all or none.");
    }

    /** Outlines the field a rejected option belongs to, with the bean's message as its tool tip. */
    private void markField(String key, String text) {
        fields.forEach((k, field) -> {
            boolean bad = k.equals(key);
            field.setBorder(bad ? BorderFactory.createLineBorder(ERROR, 2) : fieldBorders.get(k));
            if (field instanceof JCheckBox) {
                ((JCheckBox) field).setBorderPainted(bad);
                ((JCheckBox) field).setForeground(bad ? ERROR : getForeground());
            }
            if (bad) {
                field.setToolTipText(text);
            }
        });
    }

    // ---- for the unit tests ---------------------------------------------------------------------------------

    JButton applyButton() {
        return apply;
    }

    JTextField thresholdField() {
        return threshold;
    }

    JComboBox<String> analyzeField() {
        return analyze;
    }

    JLabel messageLabel() {
        return message;
    }
}
