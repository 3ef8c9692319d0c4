package dev.framewise.cluster;

/** A local cluster or a Flink cluster could not be started, reached, used or stopped; the message says why and what to do. */
public final class ClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
