package dev.framewise.operators.inference;

/**
 * What became of an input the session staged: taken into the batch, or deliberately dropped
 * (counted, never silent) because classifying it would no longer help.
 */
public enum Admission {
    /** Staged in its slot; it runs with the batch. */
    ACCEPTED,
    /** Older than the freshness limit when it reached the batch. */
    DROPPED_STALE,
    /** Over its camera's frame-rate cap. */
    DROPPED_RATE;

    /** The name of its drop counter, e.g. {@code stale}. */
    public String metricName() {
        return switch (this) {
            case ACCEPTED -> "accepted";
            case DROPPED_STALE -> "stale";
            case DROPPED_RATE -> "rateCapped";
        };
    }
}
