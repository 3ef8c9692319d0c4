package dev.framewise.cli;

import dev.framewise.ingest.IngestListener;
import dev.framewise.ingest.IngestStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What {@code framewise ingest} shows while it runs: the start on stdout; on stderr, a progress line
 * every second (rewritten in place on a terminal; elsewhere, such as a log file, a line every 5 s)
 * and one line per lost stream and reconnect attempt; and the summary at the end, on stdout.
 */
final class IngestProgress implements IngestListener, AutoCloseable {
    private static final long TERMINAL_PERIOD = TimeUnit.SECONDS.toNanos(1);
    private static final long LOG_PERIOD = TimeUnit.SECONDS.toNanos(5);

    private final PrintWriter out;
    private final PrintWriter err;
    private final String camera;
    private final String source;
    private final String destination;
    private final IngestStats stats;
    private final boolean terminal;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "framewise-ingest-progress");
        t.setDaemon(true);
        return t;
    });
    private long startedAt;
    private IngestStats.Snapshot shown;
    private long shownAt;
    private boolean statusOnScreen;

    /** @param destination where the frames go, e.g. "frames at localhost:9092" */
    IngestProgress(PrintWriter out, PrintWriter err, String camera, String source, String destination, IngestStats stats,
            boolean terminal) {
        this.out = out;
        this.err = err;
        this.camera = camera;
        this.source = source;
        this.destination = destination;
        this.stats = stats;
        this.terminal = terminal;
    }

    /** Whether stderr is a terminal that takes {@code \r} and ANSI erase, as the demo's table decides. */
    static boolean onTerminal() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public synchronized void started(String stream, String output) {
        startedAt = System.nanoTime();
        shown = stats.snapshot();
        shownAt = startedAt;
        out.printf(Locale.ROOT, "Ingesting %s (%s) as camera %s into %s: %s; Ctrl-C stops.%n", source, stream, camera,
                destination, output);
        out.flush();
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void lost(String reason, Duration delay) {
        line(String.format(Locale.ROOT, "framewise: %s: stream lost (%s); reconnecting in %s", source, reason,
                seconds(delay)));
    }

    @Override
    public void reconnectFailed(int attempt, String reason, Duration delay) {
        line(String.format(Locale.ROOT, "framewise: reconnect attempt %d failed: %s; next in %s", attempt, reason,
                seconds(delay)));
    }

    @Override
    public void reconnected(int attempt, Duration outage) {
        line(String.format(Locale.ROOT, "framewise: %s: reconnected at attempt %d, %s after the loss", source, attempt,
                seconds(outage)));
    }

    /** Whether {@link #started} was called: only then is there a summary to give. */
    synchronized boolean hasStarted() {
        return startedAt != 0;
    }

    /**
     * The last word: what was sent, over the whole run.
     *
     * @param why how it ended, e.g. "End of clip.mp4" or "Stopped by SIGINT"
     */
    synchronized void summary(String why, long nextSequence) {
        IngestStats.Snapshot s = stats.snapshot();
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s after %.1f s: ", why, seconds));
        if (s.sent() == 0) {
            text.append("no frames sent");
        } else {
            text.append(String.format(Locale.ROOT, "%,d frames sent (%s, %s a frame, %.1f frames/s), sequences %d to %d",
                    s.sent(), size(s.bytes()), size(s.bytes() / s.sent()), s.sent() / seconds, nextSequence - s.sent(),
                    nextSequence - 1));
        }
        text.append(String.format(Locale.ROOT, "; %,d skipped, %s.", s.skipped(), reconnects(s)));
        out.println(text);
        out.flush();
    }

    private synchronized void tick() {
        long now = System.nanoTime();
        if (now - shownAt < (terminal ? TERMINAL_PERIOD : LOG_PERIOD) - TERMINAL_PERIOD / 2) {
            return;
        }
        IngestStats.Snapshot s = stats.snapshot();
        double seconds = (now - shownAt) / 1e9;
        String status = String.format(Locale.ROOT, "%s: %.1f frames/s, %s/s; %,d sent, %,d skipped, %s", camera,
                (s.sent() - shown.sent()) / seconds, size(Math.round((s.bytes() - shown.bytes()) / seconds)), s.sent(),
                s.skipped(), reconnects(s));
        shown = s;
        shownAt = now;
        if (terminal) {
            err.print("\r" + status + "\033[K");
            statusOnScreen = true;
        } else {
            err.println(status);
        }
        err.flush();
    }

    /** A line that stays: on a terminal, it replaces the progress line, which comes back at the next tick. */
    private synchronized void line(String text) {
        if (statusOnScreen) {
            err.print("\r\033[K");
            statusOnScreen = false;
        }
        err.println(text);
        err.flush();
    }

    /** Stops the progress line, leaving its last state on the screen. */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (statusOnScreen) {
            err.println();
            err.flush();
            statusOnScreen = false;
        }
    }

    private static String reconnects(IngestStats.Snapshot s) {
        return s.reconnects() == 1 ? "1 reconnect" : s.reconnects() + " reconnects";
    }

    private static String size(long bytes) {
        if (bytes >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        if (bytes >= 1_000) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        }
        return bytes + " B";
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }
}
