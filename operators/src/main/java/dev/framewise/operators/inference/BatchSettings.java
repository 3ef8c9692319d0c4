package dev.framewise.operators.inference;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the batching operator runs a batch: as soon as it holds {@code maxBatchSize} inputs, or
 * when its oldest input has waited {@code maxBatchDelay}, whichever comes first.
 */
public record BatchSettings(int maxBatchSize, Duration maxBatchDelay) implements Serializable {
    public BatchSettings {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("the maximum batch size must be at least 1, got " + maxBatchSize);
        }
        if (maxBatchDelay == null || maxBatchDelay.isNegative()) {
            throw new IllegalArgumentException("the maximum batch delay must be zero or positive, got " + maxBatchDelay);
        }
    }
}
