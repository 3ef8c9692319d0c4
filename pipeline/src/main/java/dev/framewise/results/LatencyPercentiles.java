package dev.framewise.results;

import java.util.Arrays;
import java.util.Optional;

/**
 * Exact percentiles of the most recent values, kept in a ring buffer of fixed capacity: memory
 * stays bounded however long a tail runs, and the figures follow the current latency rather than
 * averaging it with the start-up. Percentiles are nearest-rank: the p-th percentile of n sorted
 * values is the one at rank ceil(p / 100 * n), always a recorded value, never an interpolation.
 * A summary sorts a copy of the window, O(n log n): fine every few seconds for 100,000 values.
 *
 * <p>Unit-free (Framewise records microseconds); not thread-safe.
 */
public final class LatencyPercentiles {
    private final long[] window;
    private int next;
    private int size;
    private long count;

    /** @param capacity how many of the most recent values the percentiles cover */
    public LatencyPercentiles(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.window = new long[capacity];
    }

    public void record(long value) {
        window[next] = value;
        next = (next + 1) % window.length;
        size = Math.min(size + 1, window.length);
        count++;
    }

    /** How many values were recorded in all, including those that left the window. */
    public long count() {
        return count;
    }

    /** Percentiles over the window; empty before the first value. */
    public Optional<Summary> summary() {
        if (size == 0) {
            return Optional.empty();
        }
        long[] sorted = Arrays.copyOf(window, size);
        Arrays.sort(sorted);
        return Optional.of(new Summary(count, size, nearestRank(sorted, 50), nearestRank(sorted, 90),
                nearestRank(sorted, 99), sorted[size - 1]));
    }

    /**
     * The nearest-rank percentile of sorted values.
     *
     * @param percentile greater than 0, at most 100
     */
    public static long nearestRank(long[] sorted, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be above 0 and at most 100, not " + percentile);
        }
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /**
     * @param count values recorded in all
     * @param windowSize values the percentiles and the maximum cover
     */
    public record Summary(long count, int windowSize, long p50, long p90, long p99, long max) {
    }
}
