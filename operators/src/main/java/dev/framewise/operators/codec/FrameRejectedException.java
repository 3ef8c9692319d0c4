package dev.framewise.operators.codec;

import dev.framewise.schemas.DeadLetterReason;
import java.util.Objects;

/**
 * A frame that cannot become model input because of its data (not because of a fault of the job): the
 * caller sends it to the dead letters with {@link #reason()} and the message, and carries on.
 */
public final class FrameRejectedException extends Exception {
    private final DeadLetterReason reason;

    public FrameRejectedException(DeadLetterReason reason, String message) {
        // No stack trace: a rejection is a verdict on data, always raised from the same decode call, and a
        // stream of bad frames should cost no more than a stream of good ones.
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
