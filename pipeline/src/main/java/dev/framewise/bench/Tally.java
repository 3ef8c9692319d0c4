package dev.framewise.bench;

import dev.framewise.results.LatencyPercentiles;
import java.util.ArrayList;
import java.util.List;

/**
 * What a group of concurrent sessions did at one batch size, summed over slices: per session the
 * frames it finished and the time it took, and the latency of every batch. Filled by one thread at
 * a time (the slices are joined before they are added).
 */
final class Tally {
    private final int batch;
    private final long[] frames;
    private final long[] elapsedNs;
    private final List<Long> latenciesNs = new ArrayList<>();

    Tally(int sessions, int batch) {
        this.batch = batch;
        this.frames = new long[sessions];
        this.elapsedNs = new long[sessions];
    }

    int batch() {
        return batch;
    }

    /** Session {@code session} finished {@code latencies.size()} batches in {@code elapsed} ns. */
    void add(int session, long elapsed, List<Long> latencies) {
        frames[session] += (long) batch * latencies.size();
        elapsedNs[session] += elapsed;
        latenciesNs.addAll(latencies);
    }

    /**
     * The sessions' rates added up. Each session's rate counts from the common start to its own
     * last finished batch, so none is charged for waiting on the others' last batch.
     */
    double framesPerSecond() {
        double sum = 0;
        for (int i = 0; i < frames.length; i++) {
            if (elapsedNs[i] > 0) {
                sum += frames[i] / (elapsedNs[i] / 1e9);
            }
        }
        return sum;
    }

    int batches() {
        return latenciesNs.size();
    }

    double latencyMs(double percentile) {
        long[] sorted = latenciesNs.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : LatencyPercentiles.nearestRank(sorted, percentile) / 1e6;
    }
}
