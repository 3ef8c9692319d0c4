package dev.framewise.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** What ingest has done so far; written by the ingest loop and the producer, read by the progress line. */
public final class IngestStats {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();

    /** A consistent-enough view for a progress line: each counter read once. */
    public record Snapshot(long sent, long acknowledged, long bytes, long skipped, long reconnects) {
    }

    public Snapshot snapshot() {
        return new Snapshot(sent.get(), acknowledged.get(), bytes.get(), skipped.get(), reconnects.get());
    }

    void sent(int recordBytes) {
        sent.incrementAndGet();
        bytes.addAndGet(recordBytes);
    }

    void acknowledged() {
        acknowledged.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    void reconnected() {
        reconnects.incrementAndGet();
    }
}
