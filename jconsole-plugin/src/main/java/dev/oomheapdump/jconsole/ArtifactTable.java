package dev.oomheapdump.jconsole;

import dev.oomheapdump.core.ProfileEvent;
import dev.oomheapdump.core.ProfileFormat;
import dev.oomheapdump.jconsole.TabState.ArtifactRow;

import javax.swing.JLabel;
import javax.swing.JTable;
import javax.swing.ListSelectionModel;
import javax.swing.table.DefaultTableCellRenderer;
import java.awt.Color;
import java.awt.Component;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The files the suite made: name, kind, size, time, complete or not, this run or an earlier one, and whether it is in
 * object storage (option {@code ship}; the tooltip tells where).
 */
final class ArtifactTable extends JTable {

    private static final String[] COLUMNS = {"Name", "Kind", "Size", "Created", "State", "Run", "Shipped"};
    private static final Color TRUNCATED = new Color(0xB0, 0x00, 0x00);
    private static final Color WRITING = new Color(0x00, 0x50, 0xA0);

    private final ListModel<ArtifactRow> rows = new ListModel<>(COLUMNS, ArtifactTable::cell);

    ArtifactTable() {
        setModel(rows);
        setSelectionMode(ListSelectionModel.MULTIPLE_INTERVAL_SELECTION);
        setFillsViewportHeight(true);
        setAutoCreateRowSorter(false);
        int[] widths = {300, 130, 80, 150, 110, 90, 70};
        for (int i = 0; i < widths.length; i++) {
            getColumnModel().getColumn(i).setPreferredWidth(widths[i]);
        }
        setDefaultRenderer(Object.class, new Renderer());
    }

    /** Shows the rows newest first and keeps the selection (by path). */
    void setRows(List<ArtifactRow> artifacts) {
        Set<String> selected = selected().stream().map(ArtifactRow::path).collect(Collectors.toSet());
        List<ArtifactRow> sorted = new ArrayList<>(artifacts);
        sorted.sort(Comparator.comparingLong(ArtifactRow::createdMillis).reversed());
        if (sorted.equals(rows.rows())) {
            return;
        }
        rows.set(sorted);
        for (int i = 0; i < sorted.size(); i++) {
            if (selected.contains(sorted.get(i).path())) {
                getSelectionModel().addSelectionInterval(i, i);
            }
        }
    }

    List<ArtifactRow> selected() {
        List<ArtifactRow> list = new ArrayList<>();
        for (int i : getSelectedRows()) {
            if (i < rows.rows().size()) {
                list.add(rows.rows().get(i));
            }
        }
        return list;
    }

    List<ArtifactRow> rows() {
        return List.copyOf(rows.rows());
    }

    @Override
    public String getToolTipText(java.awt.event.MouseEvent event) {
        int row = rowAtPoint(event.getPoint());
        if (row < 0 || row >= rows.rows().size()) {
            return null;
        }
        ArtifactRow a = rows.rows().get(row);
        return a.path() + (a.detail().isBlank() ? "" : " — " + a.detail())
                + (a.shipped() ? " — shipped to " + a.shippedTo() : "");
    }

    /** The kind column: the bean's kind, and for a profile's files which view or which profile it is. */
    static String kind(ArtifactRow a) {
        return a.cpuProfile() ? profileFile(a.name()) : kind(a.kind());
    }

    /**
     * A profile's file as people name it: "Flame graph", "Collapsed stacks", "pprof"; a recording by the event its
     * generated name starts with ("Allocation profile"), or "Profile" for a name given by hand.
     */
    static String profileFile(String name) {
        ProfileFormat format = ProfileFormat.ofFileName(name);
        if (format == ProfileFormat.HTML) {
            return "Flame graph";
        }
        if (format == ProfileFormat.COLLAPSED) {
            return "Collapsed stacks";
        }
        if (format == ProfileFormat.PPROF) {
            return "pprof";
        }
        for (ProfileEvent event : ProfileEvent.values()) {
            if (name.startsWith(event.prefix())) {
                return ProfileKind.capitalized(event.label());
            }
        }
        return "Profile";
    }

    static String kind(String kind) {
        switch (kind) {
            case "HEAP_SNAPSHOT":
                return "Heap snapshot";
            case "OOM_DUMP":
                return "OOM dump";
            case "CPU_PROFILE":
                return "CPU profile";
            case "HEAP_REPORT":
                return "Heap report";
            default:
                return kind;
        }
    }

    static String state(ArtifactRow a) {
        switch (a.state()) {
            case "COMPLETE":
                return "complete";
            case "TRUNCATED":
                return "truncated";
            case "IN_PROGRESS":
                return "being written";
            default:
                return a.state().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static Object cell(ArtifactRow a, int column) {
        switch (column) {
            case 0:
                return a.name();
            case 1:
                return kind(a);
            case 2:
                return Format.bytes(a.bytes());
            case 3:
                return Format.time(a.createdMillis());
            case 4:
                return state(a);
            case 5:
                return a.thisRun() ? "this run" : "earlier run";
            default:
                return a.shipped() ? "shipped" : "";
        }
    }

    private final class Renderer extends DefaultTableCellRenderer {
        @Override
        public Component getTableCellRendererComponent(JTable table, Object value, boolean isSelected, boolean hasFocus,
                                                       int row, int column) {
            JLabel label = (JLabel) super.getTableCellRendererComponent(table, value, isSelected, hasFocus, row, column);
            ArtifactRow a = rows.rows().get(row);
            label.setHorizontalAlignment(column == 2 ? RIGHT : LEFT);
            label.setFont(table.getFont());
            if (!isSelected) {
                label.setForeground(table.getForeground());
            }
            if (column == 4 && "TRUNCATED".equals(a.state())) {
                label.setFont(table.getFont().deriveFont(Font.BOLD));
                if (!isSelected) {
                    label.setForeground(TRUNCATED);
                }
            } else if (column == 4 && a.inProgress() && !isSelected) {
                label.setForeground(WRITING);
            }
            return label;
        }
    }
}
