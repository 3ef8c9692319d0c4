package dev.framewise.operators.inference;

import dev.framewise.schemas.DeadLetterReason;

/** An input the model cannot take (a corrupt picture, say): a data error, for the dead-letter output. */
public class RejectedInputException extends Exception {
    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public RejectedInputException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RejectedInputException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
