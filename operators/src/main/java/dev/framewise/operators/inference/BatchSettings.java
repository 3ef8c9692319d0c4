package dev.framewise.operators.inference;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;

/**
 * When the batching operator runs a batch: as soon as it holds {@code maxBatchSize} inputs, when its
 * oldest input has waited {@code maxBatchDelay}, or when no further input has arrived for {@code
 * maxInputGap}, whichever comes first. A gap as long as the delay never comes first: batches then
 * wait to fill.
 */
public record BatchSettings(int maxBatchSize, Duration maxBatchDelay, Duration maxInputGap) implements Serializable {
    public BatchSettings {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("the maximum batch size must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelay == null || maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("the maximum batch delay must be zero or positive, got " + maxBatchDelay);
        }
        if (maxInputGap == null || maxInputGap.isNegative() || maxInputGap.compareTo(maxBatchDelay) > 0) {
            throw new IllegalArgumentException("the maximum input gap must be between zero and the maximum batch delay ("
                    + maxBatchDelay + "), got " + maxInputGap);
        }
    }

    /** Whether a pause in the input can run a batch: with a gap as long as the delay, the deadline comes first. */
    public boolean gapApplies() {
        return maxBatchSize > 1 && maxInputGap.compareTo(maxBatchDelay) < 0;
    }

    /** In words, as the job says at start, e.g. "batches of up to 4 within 20 ms or a 1 ms pause in the input". */
    public String describe() {
        if (maxBatchSize == 1) {
            return "batches of 1";
        }
        return "batches of up to " + maxBatchSize + " within " + TimeUtils.formatWithHighestUnit(maxBatchDelay)
                + (gapApplies() ? " or a " + TimeUtils.formatWithHighestUnit(maxInputGap) + " pause in the input" : "");
    }
}
