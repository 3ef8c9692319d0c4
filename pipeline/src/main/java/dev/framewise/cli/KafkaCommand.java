package dev.framewise.cli;

import dev.framewise.cli.Framewise.UserException;
import dev.framewise.kafka.KafkaBrokerException;
import dev.framewise.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise kafka}: a local Kafka broker in the foreground, until Ctrl-C. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft) on 127.0.0.1 in the foreground until Ctrl-C or SIGTERM,"
                + " then stop it cleanly.",
            "Its data stays in --data between runs; its output goes to broker.log there."})
final class KafkaCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "9092",
            description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = ".framewise/kafka",
            description = "Where the broker keeps its configuration, log and data (default: ${DEFAULT-VALUE}).")
    Path data;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        PrintWriter out = spec.commandLine().getOut();
        Thread main = Thread.currentThread();
        // Ctrl-C while the broker boots (seconds) interrupts the start; later it only completes
        // received(). The lock keeps a late interrupt from hitting the wait for the broker's exit.
        AtomicBoolean starting = new AtomicBoolean(true);
        Runnable interruptStart = () -> {
            synchronized (starting) {
                if (starting.get()) {
                    main.interrupt();
                }
            }
        };
        LocalKafkaBroker broker = new LocalKafkaBroker(data, port);
        try (StopSignals signals = StopSignals.install(interruptStart)) {
            long begin = System.nanoTime();
            try {
                broker.start();
            } catch (IOException | KafkaBrokerException e) {
                if (signals.received().isDone()) {
                    // The interrupted start failed on purpose; its message is beside the point.
                    out.println("Stopped while starting; the Kafka broker is not running.");
                    out.flush();
                    return 0;
                }
                throw e instanceof IOException io
                        ? new UserException("cannot use " + data + " as the broker's data directory: "
                                + IoErrors.describe(io), e)
                        : new UserException(e.getMessage(), e);
            } finally {
                synchronized (starting) {
                    starting.set(false);
                    Thread.interrupted();
                }
            }
            out.printf(Locale.ROOT, "Kafka broker up at %s in %.1f s (pid %d, data in %s, log in %s); Ctrl-C stops it.%n",
                    broker.bootstrapServers(), (System.nanoTime() - begin) / 1e9, broker.pid(), data,
                    data.resolve("broker.log"));
            out.flush();
            CompletableFuture<Integer> exited = broker.onExit();
            try {
                CompletableFuture.anyOf(signals.received(), exited).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for the broker failed", e.getCause());
            }
            if (!signals.received().isDone()) {
                broker.stop();
                throw new UserException("the Kafka broker exited by itself with status " + exited.getNow(-1)
                        + "; see " + data.resolve("broker.log"));
            }
            out.printf(Locale.ROOT, "%s: stopping the Kafka broker ...%n", signals.received().getNow(""));
            out.flush();
            long stopping = System.nanoTime();
            boolean clean = broker.stop();
            out.printf(Locale.ROOT, clean ? "Kafka broker stopped in %.1f s; data kept in %s.%n"
                    : "Kafka broker did not stop within %.0f s and was killed; it recovers %s at the next start.%n",
                    (System.nanoTime() - stopping) / 1e9, data);
            out.flush();
            return clean ? 0 : 1;
        } finally {
            broker.stop();
        }
    }
}
