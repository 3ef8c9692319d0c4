package dev.framewise.results;

import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Live per-camera figures for a table that refreshes: results and dead letters since the start,
 * classified frames per second over the last few seconds, the most frequent top labels and the
 * end-to-end latency percentiles over each camera's recent results. Free of Kafka: whoever reads the topics
 * feeds it. Thread-safe, so one thread may record while another takes snapshots.
 */
public final class CameraStats {
    /** Where dead letters go that could not be read as far as their camera. */
    public static final String UNKNOWN_CAMERA = "(unknown)";
    public static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(5);
    public static final int DEFAULT_LATENCY_WINDOW = 1000;
    private static final long MIN_RATE_SPAN_NANOS = Duration.ofSeconds(1).toNanos();

    private final long rateWindowNanos;
    private final int latencyWindow;
    private final LongSupplier nanoClock;
    private final Map<String, Camera> cameras = new TreeMap<>();

    /** A 5 s rate window, latency over the last 1000 results per camera, on {@link System#nanoTime()}. */
    public CameraStats() {
        this(DEFAULT_RATE_WINDOW, DEFAULT_LATENCY_WINDOW, System::nanoTime);
    }

    /**
     * @param rateWindow how far back frames per second look
     * @param latencyWindow how many recent results of a camera its percentiles cover
     * @param nanoClock when a record arrives; {@link #snapshot(long)} takes its time from the same clock
     */
    public CameraStats(Duration rateWindow, int latencyWindow, LongSupplier nanoClock) {
        if (rateWindow.isNegative() || rateWindow.isZero()) {
            throw new IllegalArgumentException("rateWindow must be positive, not " + rateWindow);
        }
        if (latencyWindow < 1) {
            throw new IllegalArgumentException("latencyWindow must be at least 1, not " + latencyWindow);
        }
        this.rateWindowNanos = rateWindow.toNanos();
        this.latencyWindow = latencyWindow;
        this.nanoClock = nanoClock;
    }

    public synchronized void record(FrameClassification result) {
        long now = nanoClock.getAsLong();
        Camera c = camera(result.getCameraId());
        if (c.classified == 0) {
            c.firstArrival = now;
        }
        c.classified++;
        c.arrivals.addLast(now);
        c.forgetArrivalsBefore(now - rateWindowNanos);
        c.recordLabel(result.getPredictions().isEmpty() ? "-" : result.getPredictions().get(0).getLabel(), latencyWindow);
        c.latency.record(result.getLatency().getEndToEndUs());
    }

    public synchronized void recordDeadLetter(DeadLetter deadLetter) {
        String id = deadLetter.getCameraId();
        camera(id == null ? UNKNOWN_CAMERA : id).deadLetters++;
    }

    /**
     * One row per camera seen, ordered by camera id.
     *
     * @param nowNanos the current time of the clock given to the constructor
     */
    public synchronized List<Row> snapshot(long nowNanos) {
        List<Row> rows = new ArrayList<>(cameras.size());
        cameras.forEach((id, c) -> {
            c.forgetArrivalsBefore(nowNanos - rateWindowNanos);
            double p50 = Double.NaN;
            double p99 = Double.NaN;
            var summary = c.latency.summary();
            if (summary.isPresent()) {
                p50 = summary.get().p50() / 1000.0;
                p99 = summary.get().p99() / 1000.0;
            }
            rows.add(new Row(id, c.classified, c.deadLetters, c.framesPerSecond(nowNanos), c.topLabels(), p50, p99));
        });
        return rows;
    }

    private Camera camera(String id) {
        return cameras.computeIfAbsent(id, k -> new Camera(new LatencyPercentiles(latencyWindow)));
    }

    /**
     * One camera's figures.
     *
     * @param framesPerSecond classified frames per second over the rate window (over the time since
     *     the camera's first result, at least 1 s, while that is shorter)
     * @param topLabels the most frequent top-1 labels of the camera's recent results, most frequent
     *     first, with their share; empty before the first
     * @param p50Millis end-to-end latency percentiles over the camera's recent results; NaN before the first
     */
    public record Row(String cameraId, long classified, long deadLetters, double framesPerSecond,
            List<LabelShare> topLabels, double p50Millis, double p99Millis) {
    }

    /** A label and the fraction of recent results that had it first. */
    public record LabelShare(String label, double share) {
    }

    private static final int TOP_LABELS = 2;

    private final class Camera {
        final LatencyPercentiles latency;
        final ArrayDeque<Long> arrivals = new ArrayDeque<>();
        long classified;
        long deadLetters;
        long firstArrival;
        final ArrayDeque<String> recentLabels = new ArrayDeque<>();
        final Map<String, Integer> labelCounts = new java.util.HashMap<>();

        Camera(LatencyPercentiles latency) {
            this.latency = latency;
        }

        void recordLabel(String label, int window) {
            recentLabels.addLast(label);
            labelCounts.merge(label, 1, Integer::sum);
            if (recentLabels.size() > window) {
                labelCounts.computeIfPresent(recentLabels.removeFirst(), (k, n) -> n == 1 ? null : n - 1);
            }
        }

        List<LabelShare> topLabels() {
            double total = recentLabels.size();
            return labelCounts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(TOP_LABELS)
                    .map(e -> new LabelShare(e.getKey(), e.getValue() / total))
                    .toList();
        }

        void forgetArrivalsBefore(long cutoff) {
            while (!arrivals.isEmpty() && arrivals.peekFirst() - cutoff < 0) {
                arrivals.removeFirst();
            }
        }

        double framesPerSecond(long now) {
            if (classified == 0) {
                return 0;
            }
            long span = Math.min(rateWindowNanos, Math.max(MIN_RATE_SPAN_NANOS, now - firstArrival));
            return arrivals.size() * 1e9 / span;
        }
    }
}
