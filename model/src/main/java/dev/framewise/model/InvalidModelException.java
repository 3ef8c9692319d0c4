package dev.framewise.model;

/** A model file Framewise cannot use: unreadable, not a classifier it can feed, or with bad metadata. */
public class InvalidModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
