package dev.framewise.kafka;

/** A Kafka broker that Framewise runs could not be started, used or stopped; the message says why. */
public final class KafkaBrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaBrokerException(String message) {
        super(message);
    }

    public KafkaBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
