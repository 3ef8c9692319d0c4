package dev.framewise.ingest;

import java.time.Duration;

/**
 * Delays between reconnect attempts: doubling from {@code first} up to {@code max}, and back to
 * {@code first} once a connection has delivered a frame, so a source that keeps accepting connections
 * but sends nothing is not hammered.
 */
final class Backoff {
    private final Duration first;
    private final Duration max;
    private Duration next;
    private int attempts;

    Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
        this.first = first;
        this.max = max;
        this.next = first;
    }

    /** The delay before the next attempt; each call doubles the following one. */
    Duration nextDelay() {
        Duration delay = next;
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        attempts++;
        return delay;
    }

    /** Attempts since the last {@link #reset()}. */
    int attempts() {
        return attempts;
    }

    void reset() {
        next = first;
        attempts = 0;
    }
}
