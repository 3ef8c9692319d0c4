package dev.framewise.results;

import java.util.Arrays;
import java.util.List;

/**
 * Renders rows as a fixed-width text table: a header, a rule, then one line per row, each column
 * as wide as its widest cell, two spaces apart. Numbers read best right-aligned, text left-aligned.
 */
public final class TableFormatter {
    private static final String GAP = "  ";

    private final List<Column> columns;

    public TableFormatter(Column... columns) {
        if (columns.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.columns = List.of(columns);
    }

    /** The table, every line ending in a newline and without trailing spaces. */
    public String render(List<List<String>> rows) {
        int[] widths = columns.stream().mapToInt(c -> c.header().length()).toArray();
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("a row has " + row.size() + " cells, the table " + columns.size()
                        + " columns: " + row);
            }
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, columns.stream().map(Column::header).toList(), widths);
        line(out, Arrays.stream(widths).mapToObj("-"::repeat).toList(), widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] widths) {
        int start = out.length();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(GAP);
            }
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            out.append(columns.get(i).align() == Align.RIGHT ? pad + cell : cell + pad);
        }
        int end = out.length();
        while (end > start && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        out.append('\n');
    }

    public enum Align { LEFT, RIGHT }

    public record Column(String header, Align align) {
        public static Column left(String header) {
            return new Column(header, Align.LEFT);
        }

        public static Column right(String header) {
            return new Column(header, Align.RIGHT);
        }
    }
}
