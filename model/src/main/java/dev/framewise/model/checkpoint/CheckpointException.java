package dev.framewise.model.checkpoint;

/** A weights file that cannot be imported: unreadable, corrupt, unsafe, or not the architecture asked for. */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
