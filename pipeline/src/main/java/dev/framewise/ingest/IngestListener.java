package dev.framewise.ingest;

import java.time.Duration;

/** What ingest tells its user, besides the counters of {@link IngestStats}. */
public interface IngestListener {
    /** The source is open and frames flow: {@code stream} is what it delivers, {@code output} what goes out. */
    void started(String stream, String output);

    /** A live source stopped delivering; the first reconnect attempt follows after {@code delay}. */
    void lost(String reason, Duration delay);

    /** Reconnect attempt {@code attempt} failed; the next follows after {@code delay}. */
    void reconnectFailed(int attempt, String reason, Duration delay);

    /** Reconnect attempt {@code attempt} succeeded, {@code outage} after the source was lost. */
    void reconnected(int attempt, Duration outage);
}
