package dev.framewise.kafka;

import dev.framewise.process.DetachedProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker (KRaft, broker and controller in one node) as a separate JVM process on
 * 127.0.0.1, with its data in a directory that outlives it: {@code framewise kafka}, and the
 * nodes of a real multi-process set-up. It runs on this JVM's java binary and class path, which
 * hold Kafka whenever the command line runs.
 *
 * <p>The first start formats the storage; later starts, by this object or a new one on the same
 * directory, keep the data. The process is stopped by {@link #stop()}, by a shutdown hook of this
 * JVM, and, should this JVM die without running hooks, by the broker itself (see {@link BrokerMain}).
 *
 * <p>A {@linkplain #detached detached} broker outlives this JVM instead, for a local cluster that
 * stays up between commands: it runs in a session of its own (so a Ctrl-C on this JVM's terminal
 * does not reach it), with no shutdown hook and no watchdog; whoever started it records its pid and
 * stops it later with a signal.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 12;

    private final BrokerDirectory dir;
    private final int requestedPort;
    private final boolean detached;
    private int port;
    private Process process;
    private Thread shutdownHook;

    /**
     * @param dataDirectory where the configuration, the log and the data go; created if missing
     * @param port the client port on 127.0.0.1, or 0 for a free one (picked at the first start and
     *     kept for restarts)
     */
    public LocalKafkaBroker(Path dataDirectory, int port) {
        this(new BrokerDirectory(dataDirectory), port, false);
    }

    private LocalKafkaBroker(BrokerDirectory dir, int port, boolean detached) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        this.dir = dir;
        this.requestedPort = port;
        this.detached = detached;
    }

    /**
     * A broker whose process outlives this JVM (see the class comment), with its output in {@code
     * logFile} instead of the data directory.
     */
    public static LocalKafkaBroker detached(Path dataDirectory, int port, Path logFile) {
        return new LocalKafkaBroker(new BrokerDirectory(dataDirectory, logFile), port, true);
    }

    /**
     * Starts the broker, formatting the storage first if it never was, and returns once it answers
     * clients.
     *
     * @throws IOException when the data directory cannot be written
     * @throws KafkaBrokerException when a port is taken, or the broker does not come up (the message
     *     ends with the last lines of its log)
     */
    public synchronized void start() throws IOException {
        if (process != null) {
            throw new IllegalStateException("the broker is already running, pid " + process.pid());
        }
        long begin = System.nanoTime();
        Files.createDirectories(dir.root());
        Files.createDirectories(dir.logFile().getParent());
        boolean formatted = dir.isFormatted();
        int controllerPort = formatted ? dir.controllerPort().orElse(0) : 0;
        int brokerPort = port != 0 ? port : requestedPort;
        if (brokerPort == 0) {
            brokerPort = Ports.free();
        }
        while (controllerPort == 0 || controllerPort == brokerPort) {
            controllerPort = Ports.free();
        }
        Optional<String> problem = Ports.bindProblem(brokerPort);
        if (problem.isPresent()) {
            throw new KafkaBrokerException(Ports.HOST + ":" + brokerPort + " " + problem.get());
        }
        problem = Ports.bindProblem(controllerPort);
        if (problem.isPresent()) {
            throw new KafkaBrokerException("the broker's controller port " + Ports.HOST + ":" + controllerPort
                    + " (kept in " + dir.serverProperties() + ") " + problem.get());
        }
        port = brokerPort;
        dir.writeConfig(brokerPort, controllerPort);
        if (!formatted) {
            format();
        }
        appendToLog("starting the broker on " + Ports.HOST + ":" + brokerPort);
        Process p = launch(detached ? detach(java(List.of("-Xmx1g", "-D" + BrokerMain.DETACHED_PROPERTY + "=true"),
                BrokerMain.class.getName(), dir.serverProperties().toString()))
                : java(List.of("-Xmx1g"), BrokerMain.class.getName(), dir.serverProperties().toString()));
        process = p;
        if (!detached) {
            shutdownHook = new Thread(() -> terminate(p), "framewise-kafka-broker-stop");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        try {
            awaitReady(p, System.nanoTime() + START_TIMEOUT.toNanos());
        } catch (RuntimeException e) {
            stop();
            throw e;
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw new KafkaBrokerException("interrupted while the Kafka broker was starting", e);
        }
        LOG.info("Kafka broker up at {} (pid {}) in {} ms, data in {}", bootstrapServers(), p.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), dir.root());
    }

    private void format() throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        appendToLog("formatting the storage for cluster " + clusterId);
        // A short-lived tool: the JIT's first tier is all it has time to use.
        Process p = launch(java(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), "kafka.tools.StorageTool",
                "format", "-t", clusterId, "-c", dir.serverProperties().toString(), "--standalone"));
        try {
            if (!p.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                terminate(p);
                throw failure("formatting the Kafka broker's storage took longer than "
                        + FORMAT_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            terminate(p);
            Thread.currentThread().interrupt();
            throw new KafkaBrokerException("interrupted while formatting the Kafka broker's storage", e);
        }
        if (p.exitValue() != 0) {
            throw failure("formatting the Kafka broker's storage failed with status " + p.exitValue());
        }
    }

    /**
     * A child JVM on this JVM's java binary and class path, its output appended to the log. Its
     * standard input stays an open pipe, which {@link BrokerMain} watches.
     */
    private ProcessBuilder java(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + dir.log4jConfig());
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()));
        // Through the environment: the class path is long, and a short command line keeps ps readable.
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return pb;
    }

    /**
     * The same JVM in a session of its own (setsid execs it, so the pid stays), reading nothing: it
     * outlives this JVM and no terminal signal reaches it.
     */
    private static ProcessBuilder detach(ProcessBuilder pb) {
        List<String> command = new ArrayList<>(pb.command());
        command.add(0, DetachedProcesses.setsid());
        return pb.command(command).redirectInput(DetachedProcesses.NO_INPUT);
    }

    private static Process launch(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new KafkaBrokerException("cannot start " + pb.command().get(0) + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady(Process p, long deadline) throws InterruptedException {
        // The port first: an admin client starts connecting as soon as it exists, and against a
        // closed port it logs a warning per attempt and backs off for up to a second.
        while (!Ports.accepts(port)) {
            checkAlive(p);
            checkDeadline(deadline);
            Thread.sleep(50);
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                checkAlive(p);
                try {
                    admin.describeCluster().nodes().get();
                    return;
                } catch (ExecutionException e) {
                    LOG.debug("Kafka broker at {} not ready yet: {}", bootstrapServers(), e.getCause().toString());
                }
                checkDeadline(deadline);
            }
        }
    }

    private void checkAlive(Process p) {
        if (!p.isAlive()) {
            throw failure("the Kafka broker exited with status " + p.exitValue() + " while starting");
        }
    }

    private void checkDeadline(long deadline) {
        if (System.nanoTime() > deadline) {
            throw failure("the Kafka broker did not answer within " + START_TIMEOUT.toSeconds() + " s");
        }
    }

    private KafkaBrokerException failure(String what) {
        return new KafkaBrokerException(what + "; see " + dir.logFile() + ", which ends:\n  "
                + String.join("\n  ", LogTail.lastLines(dir.logFile(), LOG_TAIL_LINES)));
    }

    private void appendToLog(String event) throws IOException {
        Files.writeString(dir.logFile(), "---- framewise " + Instant.now() + ": " + event + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}; the port is known from the first start on. */
    public synchronized String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("the broker's port is chosen when it first starts");
        }
        return Ports.HOST + ":" + port;
    }

    /** Where the broker's output goes. */
    public Path logFile() {
        return dir.logFile();
    }

    /** The process id of the running broker. */
    public synchronized long pid() {
        return running().pid();
    }

    /** Completes with the exit status when the running broker's process ends, for whatever reason. */
    public synchronized CompletableFuture<Integer> onExit() {
        return running().onExit().thenApply(Process::exitValue);
    }

    private Process running() {
        if (process == null) {
            throw new IllegalStateException("the broker is not running");
        }
        return process;
    }

    /**
     * Stops the broker: SIGTERM, which Kafka answers with a controlled shutdown, then a kill if it
     * has not exited after 30 s. Returns once the process is gone: true if it stopped by itself,
     * false if it had to be killed. Does nothing (and returns true) when it is not running.
     */
    public synchronized boolean stop() {
        if (process == null) {
            return true;
        }
        Process p = process;
        process = null;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // This JVM is shutting down; the hook stops the process too, and both may.
            }
            shutdownHook = null;
        }
        long begin = System.nanoTime();
        boolean clean = terminate(p);
        if (clean) {
            LOG.info("Kafka broker (pid {}) stopped in {} ms", p.pid(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        } else {
            LOG.warn("Kafka broker (pid {}) did not stop within {} s of SIGTERM and was killed; see {}", p.pid(),
                    STOP_TIMEOUT.toSeconds(), dir.logFile());
        }
        return clean;
    }

    /** Stops the broker; see {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** SIGTERM, a wait, then SIGKILL. Runs in shutdown hooks too, so it does not log. */
    private static boolean terminate(Process p) {
        p.destroy();
        try {
            if (p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            p.destroyForcibly();
            p.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
