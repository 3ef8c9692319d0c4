package dev.framewise.results;

import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Classifications as lines of a terminal tail: fixed-width columns under one header, the label last
 * because its length varies most, and latency statistics in milliseconds.
 */
public final class ResultLines {
    private static final String ROW = "%-12s  %-12s  %9s  %8s  %5s  %5s  %s";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    private final DateTimeFormatter time;

    /** @param zone the time zone of the time column */
    public ResultLines(ZoneId zone) {
        this.time = TIME.withZone(zone);
    }

    public String header() {
        return String.format(Locale.ROOT, ROW, "time", "camera", "sequence", "e2e ms", "batch", "score", "top label");
    }

    /** One result: when it was classified, the frame, its latency and batch, and the top class. */
    public String row(FrameClassification r) {
        Latency l = r.getLatency();
        Prediction top = r.getPredictions().isEmpty() ? null : r.getPredictions().get(0);
        return String.format(Locale.ROOT, ROW,
                time.format(r.getClassifiedTime()),
                r.getCameraId(),
                Long.toString(r.getSequence()),
                String.format(Locale.ROOT, "%.1f", l.getEndToEndUs() / 1000.0),
                Integer.toString(l.getBatchSize()),
                top == null ? "-" : String.format(Locale.ROOT, "%.3f", top.getScore()),
                top == null ? "-" : top.getLabel());
    }

    /** End-to-end latency statistics, e.g. {@code 1,200 results; end-to-end p50 31.2 ms, ...}. */
    public static String stats(LatencyPercentiles.Summary s) {
        String over = s.windowSize() < s.count() ? String.format(Locale.ROOT, " (over the last %,d)", s.windowSize()) : "";
        return String.format(Locale.ROOT, "%,d results; end-to-end p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%s",
                s.count(), s.p50() / 1000.0, s.p90() / 1000.0, s.p99() / 1000.0, s.max() / 1000.0, over);
    }
}
