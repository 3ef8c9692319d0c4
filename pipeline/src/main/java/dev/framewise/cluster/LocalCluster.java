package dev.framewise.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.framewise.cluster.ClusterState.Member;
import dev.framewise.kafka.KafkaBrokerException;
import dev.framewise.kafka.LocalKafkaBroker;
import dev.framewise.kafka.LogTail;
import dev.framewise.kafka.Ports;
import dev.framewise.process.DetachedProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink cluster and Kafka broker on this machine, as separate processes that outlive the
 * command that starts them: a Kafka broker ({@link LocalKafkaBroker}), a Flink JobManager
 * (standalone session cluster) and TaskManagers, all on 127.0.0.1, run from the jars Maven
 * resolved ({@link ClusterClassPath}). Its processes, ports, configuration, logs and data live in
 * one folder ({@link ClusterDirectory}); any later command, in any JVM, finds them there.
 *
 * <p>{@link #up} starts whatever is not running (everything the first time, a replacement for a
 * TaskManager or broker that died, more TaskManagers when asked), {@link #status} checks each
 * process, {@link #down} stops them all. Commands on the same folder wait for each other.
 */
public final class LocalCluster {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    public static final int DEFAULT_REST_PORT = 8081;
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_TASKMANAGERS = 2;
    static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 12;
    private static final String JOBMANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASKMANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final ClusterDirectory dir;
    private final BuildOutputs build;

    public LocalCluster(Path directory) {
        this(directory, BuildOutputs.locate());
    }

    LocalCluster(Path directory, BuildOutputs build) {
        this.dir = new ClusterDirectory(directory);
        this.build = build;
    }

    /**
     * Ports for a fresh start: a number is that port or an error if it is taken, 0 is any free
     * port, and null is the preferred port (the last one used here, else 8081 and 9092) if it is
     * free, else any free port.
     */
    public record PortChoice(Integer rest, Integer kafka) {
    }

    /**
     * What {@link #up} did.
     *
     * @param started the processes it started (empty: everything was already up)
     * @param status every process's health afterwards
     */
    public record UpReport(List<Member> started, Status status, Duration took) {
    }

    /**
     * Starts what is not running, so that the broker, the JobManager and {@code
     * requestedTaskManagers} TaskManagers run (null: as many as were recorded, else {@value
     * #DEFAULT_TASKMANAGERS}), and returns once the broker answers, the JobManager's REST API answers and
     * every TaskManager has registered with it. From nothing, it first writes the configuration
     * ({@code flinkSettings} override the defaults; see {@link FlinkConf}).
     *
     * @throws ClusterException when something does not come up (the message names its log), or the
     *     request does not fit the running cluster; the processes this call started are stopped again
     * @throws InterruptedException when interrupted (Ctrl-C); the processes this call started are stopped again
     */
    @SuppressWarnings("try") // the lock is held for the block
    public UpReport up(Integer requestedTaskManagers, PortChoice ports, Map<String, String> flinkSettings)
            throws InterruptedException {
        if (requestedTaskManagers != null && requestedTaskManagers < 1) {
            throw new IllegalArgumentException("--taskmanagers must be at least 1, not " + requestedTaskManagers);
        }
        long begin = System.nanoTime();
        try (FolderLock lock = lock()) {
            Optional<ClusterState> recorded = ClusterState.read(dir);
            int recordedTaskManagers = recorded.map(r -> r.byRole(ClusterState.TASKMANAGER).size()).orElse(0);
            int taskManagers = requestedTaskManagers != null ? requestedTaskManagers
                    : recordedTaskManagers > 0 ? recordedTaskManagers : DEFAULT_TASKMANAGERS;
            List<Member> alive = recorded.map(s -> s.members().stream().filter(Member::alive).toList()).orElse(List.of());
            ClusterState state;
            if (alive.isEmpty()) {
                state = fresh(recorded, ports, flinkSettings);
            } else {
                state = recorded.orElseThrow();
                checkFits(state, ports, flinkSettings);
                state = state.withMembers(alive);
            }
            List<Member> started = new ArrayList<>();
            Map<Member, Process> launched = new LinkedHashMap<>();
            LocalKafkaBroker broker = null;
            boolean done = false;
            try {
                String setsid = setsid();
                Configuration conf = FlinkConf.load(dir);
                List<Path> classPath = List.of();
                boolean flinkMissing = state.byRole(ClusterState.JOBMANAGER).isEmpty()
                        || state.byRole(ClusterState.TASKMANAGER).size() < taskManagers;
                if (flinkMissing) {
                    classPath = ClusterClassPath.of(build);
                    Files.createDirectories(dir.logs());
                }
                if (state.byRole(ClusterState.JOBMANAGER).isEmpty()) {
                    Process p = launch(setsid, classPath, "jobmanager", JOBMANAGER_MAIN, FlinkConf.jobManagerArguments(conf),
                            List.of());
                    Member m = Member.of(ClusterState.JOBMANAGER, "jobmanager", p.toHandle(), dir.log("jobmanager"));
                    state = record(state, m, started);
                    launched.put(m, p);
                }
                for (int i = state.byRole(ClusterState.TASKMANAGER).size(); i < taskManagers; i++) {
                    String name = nextTaskManagerName(recorded, state);
                    Process p = launch(setsid, classPath, "taskmanager-" + name, TASKMANAGER_MAIN,
                            FlinkConf.taskManagerArguments(conf), List.of("-D", "taskmanager.resource-id=" + name));
                    Member m = Member.of(ClusterState.TASKMANAGER, name, p.toHandle(), dir.log("taskmanager-" + name));
                    state = record(state, m, started);
                    launched.put(m, p);
                }
                if (state.byRole(ClusterState.KAFKA).isEmpty()) {
                    // The slowest to start after the JVMs above, so it starts while they do.
                    broker = LocalKafkaBroker.detached(dir.kafkaData(), state.kafkaPort(), dir.log("kafka"));
                    broker.start();
                    Member m = Member.of(ClusterState.KAFKA, "kafka", ProcessHandle.of(broker.pid()).orElseThrow(),
                            broker.logFile());
                    state = record(state, m, started);
                }
                awaitFlink(state, launched, System.nanoTime() + START_TIMEOUT.toNanos());
                done = true;
            } catch (IOException e) {
                throw new ClusterException("cannot use " + dir.root() + " for the cluster: " + e.getMessage(), e);
            } catch (KafkaBrokerException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("interrupted while the Kafka broker was starting");
                }
                throw new ClusterException("the Kafka broker did not start: " + e.getMessage(), e);
            } finally {
                if (!done) {
                    stopStarted(state, started, launched, broker);
                }
            }
            return new UpReport(started, status(state), Duration.ofNanos(System.nanoTime() - begin));
        }
    }

    /** A new state with the ports chosen and the configuration written; dead processes' entries are dropped. */
    private ClusterState fresh(Optional<ClusterState> recorded, PortChoice ports, Map<String, String> flinkSettings) {
        int rest = choosePort("the REST port (--rest-port)", ports.rest(),
                recorded.map(ClusterState::restPort).orElse(DEFAULT_REST_PORT));
        int kafka = choosePort("the Kafka port (--kafka-port)", ports.kafka(),
                recorded.map(ClusterState::kafkaPort).orElse(DEFAULT_KAFKA_PORT));
        int rpc = choosePort("the JobManager's RPC port", null, recorded.map(ClusterState::rpcPort).orElse(0));
        while (rpc == rest || rpc == kafka) {
            rpc = choosePort("the JobManager's RPC port", 0, 0);
        }
        if (rest == kafka) {
            throw new ClusterException("--rest-port and --kafka-port are both " + rest + ": give two different ports");
        }
        try {
            FlinkConf.write(dir, FlinkConf.settings(dir, rpc, rest, flinkSettings));
            ClusterState state = new ClusterState(rest, rpc, kafka, List.of());
            state.write(dir);
            return state;
        } catch (IOException e) {
            throw new ClusterException("cannot write the cluster's configuration in " + dir.conf() + ": " + e.getMessage(), e);
        }
    }

    private void checkFits(ClusterState state, PortChoice ports, Map<String, String> flinkSettings) {
        if (!flinkSettings.isEmpty()) {
            throw new ClusterException("the cluster in " + dir.root() + " is running with the configuration it started with;"
                    + " -D settings apply when it starts from nothing: run framewise cluster down first");
        }
        if (ports.rest() != null && ports.rest() != 0 && ports.rest() != state.restPort()) {
            throw new ClusterException("the cluster in " + dir.root() + " runs with REST port " + state.restPort()
                    + ", not " + ports.rest() + ": run framewise cluster down first to change it");
        }
        if (ports.kafka() != null && ports.kafka() != 0 && ports.kafka() != state.kafkaPort()) {
            throw new ClusterException("the cluster in " + dir.root() + " runs Kafka on port " + state.kafkaPort()
                    + ", not " + ports.kafka() + ": run framewise cluster down first to change it");
        }
    }

    /** A port as {@link PortChoice} says: {@code requested} exactly, any free one for 0, else {@code preferred} if free. */
    private static int choosePort(String what, Integer requested, int preferred) {
        try {
            if (requested != null && requested != 0) {
                Optional<String> problem = Ports.bindProblem(requested);
                if (problem.isPresent()) {
                    throw new ClusterException(what + ": " + Ports.HOST + ":" + requested + " " + problem.get());
                }
                return requested;
            }
            if (requested == null && preferred != 0 && Ports.bindProblem(preferred).isEmpty()) {
                return preferred;
            }
            return Ports.free();
        } catch (IOException e) {
            throw new ClusterException("no free port on " + Ports.HOST + " for " + what + ": " + e.getMessage(), e);
        }
    }

    /** tm1, tm2, ...: never a name used before in this folder, so the JobManager cannot mistake a new one for a lost one. */
    private static String nextTaskManagerName(Optional<ClusterState> recorded, ClusterState state) {
        Set<String> used = new LinkedHashSet<>();
        recorded.ifPresent(r -> r.members().forEach(m -> used.add(m.name())));
        state.members().forEach(m -> used.add(m.name()));
        int n = 1;
        while (used.contains("tm" + n)) {
            n++;
        }
        return "tm" + n;
    }

    private ClusterState record(ClusterState state, Member m, List<Member> started) throws IOException {
        started.add(m);
        ClusterState next = state.with(m);
        next.write(dir);
        return next;
    }

    private static String setsid() {
        try {
            return DetachedProcesses.setsid();
        } catch (IllegalStateException e) {
            throw new ClusterException(e.getMessage());
        }
    }

    /** A Flink process, detached, on the cluster's class path, its output appended to its .out file. */
    private Process launch(String setsid, List<Path> classPath, String name, String mainClass, FlinkConf.Arguments args,
            List<String> extra) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(setsid);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args.jvm());
        command.add("-Dlog.file=" + dir.log(name));
        command.add("-Dlog4j.configurationFile=" + dir.conf().resolve("log4j.properties").toUri());
        command.add(mainClass);
        command.add("--configDir");
        command.add(dir.conf().toString());
        command.addAll(args.dynamic());
        command.addAll(extra);
        Files.writeString(dir.out(name), "---- framewise " + Instant.now() + ": starting " + name + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectInput(DetachedProcesses.NO_INPUT)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.out(name).toFile()));
        // Through the environment: a short command line keeps ps readable.
        pb.environment().put("CLASSPATH", String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        Process p = pb.start();
        LOG.info("Started {} (pid {}): {}", name, p.pid(), String.join(" ", command));
        return p;
    }

    /** Waits until the JobManager answers and every TaskManager of {@code state} has registered with it. */
    private void awaitFlink(ClusterState state, Map<Member, Process> launched, long deadline) throws InterruptedException {
        FlinkRest rest = rest(state);
        Set<String> expected = new LinkedHashSet<>();
        state.byRole(ClusterState.TASKMANAGER).forEach(m -> expected.add(m.name()));
        String waitingFor = "the JobManager's REST API at " + rest.address();
        while (true) {
            for (Map.Entry<Member, Process> e : launched.entrySet()) {
                if (!e.getValue().isAlive()) {
                    throw died(e.getKey(), e.getValue().exitValue());
                }
            }
            try {
                Set<String> registered = registeredTaskManagers(rest);
                if (registered.containsAll(expected)) {
                    return;
                }
                Set<String> missing = new LinkedHashSet<>(expected);
                missing.removeAll(registered);
                waitingFor = "TaskManager(s) " + String.join(", ", missing) + " to register with the JobManager";
            } catch (IOException e) {
                LOG.debug("Flink at {} not ready: {}", rest.address(), e.toString());
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterException("the cluster did not come up within " + START_TIMEOUT.toSeconds() + " s: still"
                        + " waiting for " + waitingFor + "; see the logs in " + dir.logs());
            }
            Thread.sleep(200);
        }
    }

    private ClusterException died(Member m, int status) {
        Path log = Path.of(m.log());
        Path out = dir.out(log.getFileName().toString().replaceFirst("\\.log$", ""));
        Path shown = isEmpty(log) ? out : log;
        return new ClusterException(m.name() + " exited with status " + status + " while starting; see " + shown
                + " (and " + (shown.equals(log) ? out : log) + "), which ends:\n  "
                + String.join("\n  ", LogTail.lastLines(shown, LOG_TAIL_LINES)));
    }

    private static boolean isEmpty(Path file) {
        try {
            return !Files.exists(file) || Files.size(file) == 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Stops what an unsuccessful {@link #up} started, and forgets it. */
    private void stopStarted(ClusterState state, List<Member> started, Map<Member, Process> launched, LocalKafkaBroker broker) {
        boolean interrupted = Thread.interrupted();
        try {
            if (broker != null) {
                broker.stop();
            }
            List<ProcessHandle> processes = new ArrayList<>();
            launched.values().forEach(p -> processes.add(p.toHandle()));
            started.forEach(m -> m.process().ifPresent(processes::add));
            DetachedProcesses.terminateAll(processes, STOP_GRACE);
            List<Member> kept = new ArrayList<>(state.members());
            kept.removeAll(started);
            state.withMembers(kept).write(dir);
        } catch (IOException | InterruptedException e) {
            LOG.warn("Could not clean up after a failed start in {}: {}", dir.root(), e.toString());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The health of each recorded process.
     *
     * @throws ClusterException when there is no cluster in the folder
     */
    @SuppressWarnings("try") // the lock is held for the block
    public Status status() throws InterruptedException {
        try (FolderLock lock = lock()) {
            ClusterState state = ClusterState.read(dir).orElseThrow(() -> new ClusterException("no cluster in " + dir.root()
                    + " (framewise cluster up starts one)"));
            return status(state);
        }
    }

    /** A cluster's health, and where it listens. */
    public record Status(int restPort, int kafkaPort, List<MemberStatus> members) {
        public String webUi() {
            return "http://" + FlinkConf.HOST + ":" + restPort;
        }

        public String restAddress() {
            return FlinkConf.HOST + ":" + restPort;
        }

        public String kafkaBootstrap() {
            return FlinkConf.HOST + ":" + kafkaPort;
        }

        /** Every process runs and answers, and at least one of each role. */
        public boolean healthy() {
            return !members.isEmpty() && members.stream().allMatch(MemberStatus::healthy)
                    && members.stream().map(MemberStatus::role).distinct().count() == 3;
        }
    }

    /**
     * One process's health.
     *
     * @param address where it listens (REST for the JobManager, RPC for a TaskManager), empty if unknown
     * @param healthy alive and answering (broker), REST answering (JobManager), registered (TaskManager)
     * @param detail what was found, in words
     */
    public record MemberStatus(String role, String name, long pid, boolean healthy, String address, String detail) {
    }

    private Status status(ClusterState state) throws InterruptedException {
        FlinkRest rest = rest(state);
        Optional<JsonNode> overview = Optional.empty();
        Map<String, JsonNode> registered = new LinkedHashMap<>();
        try {
            overview = Optional.of(rest.get("/overview"));
            for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
                registered.put(tm.path("id").asText(), tm);
            }
        } catch (IOException e) {
            LOG.debug("Flink REST at {}: {}", rest.address(), e.toString());
        }
        List<MemberStatus> members = new ArrayList<>();
        for (Member m : ordered(state.members())) {
            boolean alive = m.alive();
            members.add(switch (m.role()) {
                case ClusterState.KAFKA -> kafkaStatus(m, alive, state.kafkaPort());
                case ClusterState.JOBMANAGER -> new MemberStatus(m.role(), m.name(), m.pid(),
                        alive && overview.isPresent(), rest.address(),
                        !alive ? "not running" : overview.isEmpty() ? "running, but its REST API does not answer"
                                : "up: " + describe(overview.get()));
                default -> taskManagerStatus(m, alive, registered.get(m.name()), overview.isPresent());
            });
        }
        return new Status(state.restPort(), state.kafkaPort(), members);
    }

    /** The broker, the JobManager, then the TaskManagers in the order they were numbered. */
    private static List<Member> ordered(List<Member> members) {
        List<String> roles = List.of(ClusterState.KAFKA, ClusterState.JOBMANAGER, ClusterState.TASKMANAGER);
        return members.stream().sorted(Comparator.<Member>comparingInt(m -> roles.indexOf(m.role()))
                .thenComparingInt(m -> m.name().length()).thenComparing(Member::name)).toList();
    }

    private static String describe(JsonNode overview) {
        int jobs = overview.path("jobs-running").asInt();
        return overview.path("taskmanagers").asInt() + " TaskManager(s), " + overview.path("slots-total").asInt()
                + " slots (" + overview.path("slots-available").asInt() + " free), " + jobs + " job(s) running";
    }

    private static MemberStatus taskManagerStatus(Member m, boolean alive, JsonNode registration, boolean jobManagerAnswers) {
        String address = "";
        String detail;
        if (!alive) {
            detail = "not running";
        } else if (registration == null) {
            detail = jobManagerAnswers ? "running, but not registered with the JobManager"
                    : "running; registration unknown (the JobManager does not answer)";
        } else {
            // pekko.tcp://flink@127.0.0.1:40123/user/rpc/taskmanager_0
            String path = registration.path("path").asText();
            int at = path.indexOf('@');
            int slash = path.indexOf('/', Math.max(at, 0));
            address = at >= 0 && slash > at ? path.substring(at + 1, slash) : "";
            detail = "up: registered, " + registration.path("slotsNumber").asInt() + " slots ("
                    + registration.path("freeSlots").asInt() + " free)";
        }
        return new MemberStatus(m.role(), m.name(), m.pid(), alive && registration != null, address, detail);
    }

    private static MemberStatus kafkaStatus(Member m, boolean alive, int port) throws InterruptedException {
        String address = Ports.HOST + ":" + port;
        if (!alive) {
            return new MemberStatus(m.role(), m.name(), m.pid(), false, address, "not running");
        }
        if (!Ports.accepts(port)) {
            return new MemberStatus(m.role(), m.name(), m.pid(), false, address,
                    "running, but nothing accepts connections on " + address);
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(config)) {
            int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            return new MemberStatus(m.role(), m.name(), m.pid(), true, address,
                    "up: the broker answers (" + nodes + " node)");
        } catch (ExecutionException | TimeoutException e) {
            return new MemberStatus(m.role(), m.name(), m.pid(), false, address,
                    "running, but the broker does not answer: " + e.getMessage());
        }
    }

    /**
     * What {@link #down} did.
     *
     * @param stopped each process that ran, and whether it stopped on SIGTERM (true) or had to be killed
     * @param jobsStopped jobs that were running on the cluster
     */
    public record DownReport(Map<Member, Boolean> stopped, int jobsStopped, Duration took) {
    }

    /**
     * Stops every process of the cluster: the Flink processes first, all at once, then the broker;
     * each gets SIGTERM and {@link #STOP_GRACE} to exit, then SIGKILL. The folder, with the logs,
     * the broker's data and the checkpoints, stays; Flink's working files ({@code tmp/}) go.
     *
     * @throws ClusterException when there is no cluster in the folder, or a process outlives SIGKILL
     */
    @SuppressWarnings("try") // the lock is held for the block
    public DownReport down() throws InterruptedException {
        long begin = System.nanoTime();
        try (FolderLock lock = lock()) {
            ClusterState state = ClusterState.read(dir).orElseThrow(() -> new ClusterException("no cluster in " + dir.root()));
            int jobs = 0;
            try {
                jobs = rest(state).get("/overview").path("jobs-running").asInt();
            } catch (IOException e) {
                LOG.debug("Flink REST at {} does not answer: {}", state.restPort(), e.toString());
            }
            Map<Member, Boolean> stopped = new LinkedHashMap<>();
            List<Member> flink = new ArrayList<>(state.byRole(ClusterState.TASKMANAGER));
            flink.addAll(state.byRole(ClusterState.JOBMANAGER));
            stopped.putAll(stop(flink));
            stopped.putAll(stop(state.byRole(ClusterState.KAFKA)));
            List<Member> survivors = state.members().stream().filter(Member::alive).toList();
            try {
                state.withMembers(survivors).write(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dir.stateFile(), e);
            }
            if (!survivors.isEmpty()) {
                throw new ClusterException("process(es) " + String.join(", ", survivors.stream()
                        .map(m -> m.name() + " (pid " + m.pid() + ")").toList()) + " outlived SIGKILL");
            }
            deleteRecursively(dir.tmp());
            return new DownReport(stopped, jobs, Duration.ofNanos(System.nanoTime() - begin));
        }
    }

    private static Map<Member, Boolean> stop(List<Member> members) throws InterruptedException {
        Map<Member, ProcessHandle> running = new LinkedHashMap<>();
        members.forEach(m -> m.process().ifPresent(p -> running.put(m, p)));
        Map<ProcessHandle, Boolean> result = DetachedProcesses.terminateAll(List.copyOf(running.values()), STOP_GRACE);
        Map<Member, Boolean> stopped = new LinkedHashMap<>();
        running.forEach((m, p) -> stopped.put(m, result.get(p)));
        return stopped;
    }

    /** Flink's working files (uploaded jars, the TaskManagers' working folders): no use once the processes are gone. */
    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", root, e.toString());
        }
    }

    private static FlinkRest rest(ClusterState state) {
        return new FlinkRest(Ports.HOST + ":" + state.restPort(), Duration.ofSeconds(5));
    }

    private static Set<String> registeredTaskManagers(FlinkRest rest) throws IOException, InterruptedException {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("id").asText());
        }
        return ids;
    }

    /** One command at a time on a cluster folder, across JVMs: the folder's lock file, locked until closed. */
    private FolderLock lock() {
        try {
            Files.createDirectories(dir.root());
            FileChannel channel = FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.lock();
            return new FolderLock(channel);
        } catch (IOException e) {
            throw new ClusterException("cannot use " + dir.root() + " for the cluster: " + e.getMessage(), e);
        }
    }

    private record FolderLock(FileChannel channel) implements AutoCloseable {
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("Closing the cluster folder's lock: {}", e.toString());
            }
        }
    }
}
