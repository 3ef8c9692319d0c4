package dev.framewise.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framewise.results.TableFormatter.Column;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableFormatterTest {
    @Test
    void columnsTakeTheirWidestCellAndAlign() {
        TableFormatter table = new TableFormatter(Column.left("camera"), Column.right("n"), Column.left("label"));
        String text = table.render(List.of(
                List.of("front-door", "7", "cat"),
                List.of("yard", "1,234", "golden retriever")));
        assertEquals(""
                + "camera          n  label\n"
                + "----------  -----  ----------------\n"
                + "front-door      7  cat\n"
                + "yard        1,234  golden retriever\n", text);
    }

    @Test
    void anEmptyTableIsItsHeader() {
        assertEquals("a  bb\n-  --\n", new TableFormatter(Column.left("a"), Column.right("bb")).render(List.of()));
    }

    @Test
    void aRowOfTheWrongWidthFails() {
        TableFormatter table = new TableFormatter(Column.left("a"), Column.left("b"));
        assertThrows(IllegalArgumentException.class, () -> table.render(List.of(List.of("only one"))));
    }
}
