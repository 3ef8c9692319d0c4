package dev.framewise.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, for a command that runs until the user ends
 * it: the command winds down, reports, and exits with its own status, where the JVM by default
 * would run shutdown hooks and exit with 130 or 143 in the middle of whatever it was doing.
 *
 * <p>The first signal completes {@link #received()}, runs {@code onStop} (which wakes the command:
 * interrupts a wait, or wakes a Kafka consumer) and puts the previous handlers back, so a second
 * Ctrl-C ends a command that hangs while stopping the usual way. {@link #close()} puts them back too.
 * {@code sun.misc.Signal} is the only way to handle signals in Java; it is in the {@code
 * jdk.unsupported} module, open to all code, on every JDK this runs on.
 */
final class StopSignals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final CompletableFuture<String> received = new CompletableFuture<>();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private StopSignals() {
    }

    /** Handles Ctrl-C and SIGTERM until closed; {@code onStop} runs on the signal's own thread. */
    static StopSignals install(Runnable onStop) {
        StopSignals signals = new StopSignals();
        SignalHandler handler = sig -> {
            signals.restore();
            if (signals.received.complete("SIG" + sig.getName())) {
                onStop.run();
            }
        };
        synchronized (signals) {
            for (String name : SIGNALS) {
                Signal sig = new Signal(name);
                try {
                    signals.previous.put(sig, Signal.handle(sig, handler));
                } catch (IllegalArgumentException e) {
                    // The JVM keeps the signal to itself (-Xrs): it ends the command the default way.
                    LOG.debug("Cannot handle SIG{}: {}", name, e.getMessage());
                }
            }
        }
        return signals;
    }

    /** Completes with the signal's name, SIGINT or SIGTERM, when one arrives. */
    CompletableFuture<String> received() {
        return received;
    }

    private synchronized void restore() {
        previous.forEach(Signal::handle);
        previous.clear();
    }

    @Override
    public void close() {
        restore();
    }
}
