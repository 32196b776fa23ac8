package dev.oomheapdump.jconsole;

import javax.swing.table.AbstractTableModel;
import java.util.List;
import java.util.function.BiFunction;

/** A table over a list of rows: named columns, one function from a row and a column to what the cell shows. */
final class ListModel<T> extends AbstractTableModel {

    private final String[] columns;
    private final BiFunction<T, Integer, Object> cell;
    private List<T> rows = List.of();

    ListModel(String[] columns, BiFunction<T, Integer, Object> cell) {
        this.columns = columns.clone();
        this.cell = cell;
    }

    List<T> rows() {
        return rows;
    }

    /** Shows other rows; nothing happens when they are the same. */
    void set(List<T> next) {
        if (next.equals(rows)) {
            return;
        }
        rows = List.copyOf(next);
        fireTableDataChanged();
    }

    @Override
    public int getRowCount() {
        return rows.size();
    }

    @Override
    public int getColumnCount() {
        return columns.length;
    }

    @Override
    public String getColumnName(int column) {
        return columns[column];
    }

    @Override
    public Object getValueAt(int row, int column) {
        return cell.apply(rows.get(row), column);
    }
}
