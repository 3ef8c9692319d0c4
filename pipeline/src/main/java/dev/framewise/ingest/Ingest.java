package dev.framewise.ingest;

import dev.framewise.schemas.VideoFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Puts one camera on Kafka: reads the source's frames, stamps each with the wall-clock time it was
 * taken and the camera's next sequence number, encodes it and sends it, until the file ends or a stop
 * is requested.
 *
 * <ul>
 *   <li>Sequence numbers start at 0 for each run and go up by one per frame sent, across reconnects
 *       and loops: skipped frames take none.
 *   <li>Each connection starts at a key frame: frames before it are skipped (a decoder without the
 *       frames they refer to would make damaged pictures of them, or none).
 *   <li>Files are paced to their timestamps; {@code --fps} drops frames (by the stream's clock for
 *       files, by the wall clock for live sources) and never repeats one.
 *   <li>Live sources reconnect by themselves with exponential backoff (0.5 s doubling to 10 s, back to
 *       0.5 s once a frame arrives); files start over at their end with {@code --loop}.
 * </ul>
 *
 * <p>Not thread-safe: {@link #run()} runs on one thread; {@link Stop} and {@link IngestStats} are the
 * ways in and out for others.
 */
public final class Ingest {
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);

    /** Why {@link #run()} returned. */
    public enum Ending {
        /** The file ended (without {@code --loop}). */
        END_OF_FILE,
        /** A stop was requested. */
        STOPPED
    }

    private final IngestSettings settings;
    private final Connector connector;
    private final KafkaFrameSink sink;
    private final IngestStats stats;
    private final IngestListener listener;
    private final Stop stop;
    private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY);
    private final Map<String, String> headers;
    private final Pacer pacer;
    private final RateCap cap;
    private long sequence;
    /** A file's time, continued over loops: where the current loop starts, and the last frame read. */
    private long loopStart;
    private long fileTime;

    public Ingest(IngestSettings settings, KafkaFrameSink sink, IngestStats stats, IngestListener listener, Stop stop) {
        this.settings = settings;
        this.connector = new Connector(settings);
        this.sink = sink;
        this.stats = stats;
        this.listener = listener;
        this.stop = stop;
        this.headers = Map.of("source", settings.source().redacted());
        this.pacer = new Pacer(stop);
        this.cap = settings.capped() ? new RateCap(settings.maxFps()) : null;
    }

    /**
     * Runs until the file ends or a stop is requested. A live source that drops is reconnected; one
     * that cannot be opened at the start is an error.
     *
     * @throws IngestException when the source cannot be opened at the start, a file fails, or Kafka
     *     refuses frames
     */
    public Ending run() throws InterruptedException {
        Connection connection = openOrFail();
        if (connection == null) {
            return Ending.STOPPED;
        }
        listener.started(connection.stream(), connection.reader().describe());
        while (true) {
            String lost;
            try (FrameReader reader = connection.reader()) {
                lost = pump(reader);
            }
            if (lost == null) {
                return Ending.STOPPED;
            }
            if (!settings.source().live()) {
                if (!settings.loop()) {
                    return Ending.END_OF_FILE;
                }
                // The next loop's first frame follows the last frame one frame duration later, as in a longer file.
                loopStart = fileTime + Math.round(1e6 / connection.fps());
                connection = openOrFail();
            } else {
                connection = reconnect(lost);
            }
            if (connection == null) {
                return Ending.STOPPED;
            }
        }
    }

    /** The sequence number the next frame gets. */
    public long nextSequence() {
        return sequence;
    }

    /** The source, opened; null when it failed because a stop was requested meanwhile. */
    private Connection openOrFail() {
        try {
            return connector.open();
        } catch (SourceException e) {
            if (stop.requested()) {
                return null;
            }
            throw new IngestException(e.getMessage(), e);
        }
    }

    /**
     * Sends the connection's frames until it ends or a stop is requested.
     *
     * @return why the stream ended, or null when stopped
     */
    private String pump(FrameReader reader) throws InterruptedException {
        boolean live = settings.source().live();
        boolean awaitingKeyFrame = true;
        long firstTimestamp = MediaClock.UNKNOWN;
        while (!stop.requested()) {
            try {
                if (!reader.next()) {
                    // FFmpeg does not say which: a closed connection ends at once, a silent one after the timeout.
                    return live ? String.format(Locale.ROOT, "it ended, or sent nothing for %.1f s",
                            settings.sourceTimeout().toMillis() / 1e3) : "end of file";
                }
            } catch (SourceException e) {
                if (!live) {
                    throw new IngestException(e.getMessage(), e);
                }
                return e.getMessage();
            }
            long readAt = System.nanoTime();
            backoff.reset();
            if (!live) {
                firstTimestamp = firstTimestamp == MediaClock.UNKNOWN ? reader.timestampMicros() : firstTimestamp;
                fileTime = loopStart + reader.timestampMicros() - firstTimestamp;
            }
            if (awaitingKeyFrame && !reader.keyFrame()) {
                stats.skipped();
                continue;
            }
            awaitingKeyFrame = false;
            if (cap != null && !cap.admit(live ? TimeUnit.NANOSECONDS.toMicros(readAt) : fileTime)) {
                stats.skipped();
                continue;
            }
            if (!live && !pacer.await(fileTime)) {
                return null;
            }
            send(reader.encode(), Instant.now());
        }
        return null;
    }

    private void send(Encoded encoded, Instant captured) {
        VideoFrame frame = VideoFrame.newBuilder()
                .setCameraId(settings.cameraId())
                .setSequence(sequence)
                .setCaptureTime(captured)
                .setCodec(encoded.codec())
                .setWidth(encoded.width())
                .setHeight(encoded.height())
                .setPayload(ByteBuffer.wrap(encoded.payload()))
                .setHeaders(headers)
                .setKeyFrame(encoded.keyFrame())
                .setCodecConfig(encoded.codecConfig() == null ? null : ByteBuffer.wrap(encoded.codecConfig()))
                .build();
        sink.send(frame);
        sequence++;
    }

    /** Tries until the source opens again or a stop is requested (then null). */
    private Connection reconnect(String reason) throws InterruptedException {
        long lostAt = System.nanoTime();
        Duration delay = backoff.nextDelay();
        listener.lost(reason, delay);
        while (stop.sleep(delay.toNanos())) {
            int attempt = backoff.attempts();
            try {
                Connection connection = connector.open();
                stats.reconnected();
                listener.reconnected(attempt, Duration.ofNanos(System.nanoTime() - lostAt));
                return connection;
            } catch (SourceException e) {
                delay = backoff.nextDelay();
                listener.reconnectFailed(attempt, e.getMessage(), delay);
            }
        }
        return null;
    }
}
