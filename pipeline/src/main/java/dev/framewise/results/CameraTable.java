package dev.framewise.results;

import dev.framewise.results.TableFormatter.Column;
import java.util.List;
import java.util.Locale;

/** The per-camera table of {@link CameraStats}, as text. */
public final class CameraTable {
    private static final TableFormatter TABLE = new TableFormatter(
            Column.left("camera"),
            Column.right("results"),
            Column.right("dead letters"),
            Column.right("frames/s"),
            Column.right("p50 ms"),
            Column.right("p99 ms"),
            Column.left("top labels (recent)"));

    private CameraTable() {
    }

    public static String render(List<CameraStats.Row> rows) {
        return TABLE.render(rows.stream().map(r -> List.of(
                r.cameraId(),
                String.format(Locale.ROOT, "%,d", r.classified()),
                String.format(Locale.ROOT, "%,d", r.deadLetters()),
                String.format(Locale.ROOT, "%.1f", r.framesPerSecond()),
                millis(r.p50Millis()),
                millis(r.p99Millis()),
                labels(r.topLabels()))).toList());
    }

    private static String labels(List<CameraStats.LabelShare> labels) {
        if (labels.isEmpty()) {
            return "-";
        }
        return String.join(", ", labels.stream()
                .map(l -> String.format(Locale.ROOT, "%s %.0f%%", l.label(), 100 * l.share())).toList());
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.1f", ms);
    }
}
