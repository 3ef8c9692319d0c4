package dev.framewise.ingest;

/** Ingest cannot go on (the source cannot be opened, Kafka refuses frames); the message is for people. */
public final class IngestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IngestException(String message) {
        super(message);
    }

    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}
