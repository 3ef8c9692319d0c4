package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.framewise.cluster.FlinkRest;
import dev.framewise.demo.CameraFeed;
import dev.framewise.demo.SyntheticCamera;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code framewise cluster} and {@code framewise run --target} on a real cluster of processes: a
 * Kafka broker, a Flink JobManager and two TaskManagers, started as a user starts them. Two jobs —
 * at-least-once and exactly-once — classify four cameras' frames while a TaskManager is killed
 * with SIGKILL and replaced, and while the broker is stopped and started again; every frame comes
 * back (exactly once where promised), and {@code cluster down} leaves no process behind.
 *
 * <p>Runs after {@code package} (failsafe): the cluster runs the job jar and the class path the
 * build writes, as the command line does.
 */
@TestMethodOrder(OrderAnnotation.class)
class FlinkClusterSystemTest {
    private static final Pattern SUBMITTED = Pattern.compile("job ([0-9a-f]{32}) submitted to the Flink cluster at ");
    private static final List<String> CLASS_LOADING_ERRORS = List.of("UnsatisfiedLinkError", "ClassCastException",
            "LinkageError", "NoClassDefFoundError", "already loaded in another classloader");
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int CAMERAS = 4;
    private static final double FPS = 5;
    private static final String FRAMES = "cluster-frames";

    @TempDir
    static Path dir;

    static Path clusterDir;
    static Path model;
    static FlinkRest rest;
    static String bootstrap;
    static CameraFeed feed;
    /** Every process the cluster ever ran, by pid, to check that none survives. */
    static final Set<Long> pids = new LinkedHashSet<>();
    static final Map<String, Job> jobs = new LinkedHashMap<>();
    static final Map<String, String> figures = new LinkedHashMap<>();

    record Job(String delivery, String id, String results, String deadLetters) {
    }

    @BeforeAll
    static void clusterUp() throws Exception {
        model = dir.resolve("mobilenetv2.onnx");
        ModelBuilder.write(ModelBuilder.build(MobileNetV2.X100, GeneratedWeights.generate(MobileNetV2.X100, 1)), model);
        clusterDir = dir.resolve("cluster");
        long begin = System.nanoTime();
        // Any free ports: 8081 and 9092 may belong to someone else's cluster on this machine.
        CliRun up = CliRun.run("cluster", "up", "--dir", clusterDir.toString(), "--taskmanagers", "2",
                "--rest-port", "0", "--kafka-port", "0",
                "-D", "taskmanager.memory.process.size=1536m", "-D", "taskmanager.memory.task.off-heap.size=256m");
        assertEquals(0, up.status(Duration.ZERO), up.out() + up.err());
        figures.put("cluster up (broker, JobManager, 2 TaskManagers)", seconds(begin));
        recordPids();
        assertEquals(4, pids.size(), up.out());
        JsonNode state = state();
        rest = new FlinkRest("127.0.0.1:" + state.path("restPort").asInt(), Duration.ofSeconds(10));
        bootstrap = "127.0.0.1:" + state.path("kafkaPort").asInt();
        assertTrue(up.out().contains("Flink web UI:    http://" + rest.address() + "\n"), up.out());
        assertTrue(up.out().contains("Kafka bootstrap: " + bootstrap + "\n"), up.out());

        CliRun status = CliRun.run("cluster", "status", "--dir", clusterDir.toString());
        assertEquals(0, status.status(Duration.ZERO), status.out() + status.err());
        for (String row : List.of("kafka ", "jobmanager ", "tm1 ", "tm2 ")) {
            assertTrue(status.out().lines().anyMatch(l -> l.contains(row) && l.contains("up: ")), status.out());
        }
        assertTrue(status.out().contains("Logs:            " + clusterDir.resolve("logs")), status.out());
    }

    @AfterAll
    static void clusterDown() throws Exception {
        try {
            if (feed != null) {
                feed.close();
            }
        } finally {
            if (clusterDir != null && Files.exists(clusterDir.resolve("cluster.json"))) {
                recordPids();
                CliRun.run("cluster", "down", "--dir", clusterDir.toString());
            }
            // Whatever a failed test left: no process may outlive the test.
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            figures.forEach((k, v) -> System.out.println("FlinkClusterSystemTest: " + k + ": " + v));
        }
    }

    @Test
    @Order(1)
    void aRefusedSubmissionIsFlinksReasonInOneLine() throws Exception {
        CliRun run = CliRun.run("run", "--target", rest.address(), "--bootstrap", bootstrap, "--model", model.toString(),
                "--frames-topic", FRAMES, "--classifications-topic", "cluster-refused-results", "--dead-letters-topic",
                "cluster-refused-dlq", "--partitions", Integer.toString(CAMERAS), "-D", "flink.restart-strategy.type=bogus");
        assertEquals(1, run.status(Duration.ZERO), run.out() + run.err());
        assertEquals("framewise: error: the Flink cluster at " + rest.address() + " refused the job:"
                + " IllegalArgumentException: bogus is an unknown value of RestartStrategyType.\n", run.err());
        assertEquals(0, get("/jars").path("files").size(), "the uploaded jar is removed again");
    }

    @Test
    @Order(2)
    void aKilledTaskManagerIsReplacedAndBothJobsRestoreFromTheirLastCheckpoint() throws Exception {
        submit("at-least-once");
        submit("exactly-once");
        feed = new CameraFeed(IntStream.range(0, CAMERAS).mapToObj(c -> new SyntheticCamera("cam-" + c, 160, 120, 80))
                .toList(), KafkaClients.producer(bootstrap), FRAMES, 0, List.of());
        feed.start(FPS);
        for (Job job : jobs.values()) {
            awaitAllTasksRunning(job);
        }

        // Mid-stream, after a completed checkpoint: kill a TaskManager that runs a part of both jobs.
        Map<Job, Long> checkpointed = new HashMap<>();
        for (Job job : jobs.values()) {
            Topics.await(WAIT, job.delivery() + ": a completed checkpoint and results",
                    () -> latestCompletedCheckpoint(job) > 0 && Topics.count(bootstrap, job.results()) >= 20);
            checkpointed.put(job, latestCompletedCheckpoint(job));
        }
        String victim = taskManagerRunningBothJobs();
        long victimPid = pidOf(victim);
        long kill = System.nanoTime();
        ProcessHandle.of(victimPid).orElseThrow().destroyForcibly();
        Topics.await(WAIT, "the jobs to notice the lost TaskManager",
                () -> jobs.values().stream().allMatch(j -> !allTasksRunning(j)));
        figures.put("TaskManager kill -9 noticed by both jobs after", seconds(kill));

        long replace = System.nanoTime();
        CliRun up = CliRun.run("cluster", "up", "--dir", clusterDir.toString());
        assertEquals(0, up.status(Duration.ZERO), up.out() + up.err());
        assertTrue(up.out().contains("Started TaskManager tm3 (pid "), up.out());
        figures.put("replacement TaskManager registered after", seconds(replace));
        recordPids();
        for (Job job : jobs.values()) {
            awaitAllTasksRunning(job);
        }
        figures.put("all tasks of both jobs running again, after the kill", seconds(kill));

        for (Job job : jobs.values()) {
            JsonNode restored = rest.get("/jobs/" + job.id() + "/checkpoints").path("latest").path("restored");
            assertTrue(restored.path("id").asLong() >= checkpointed.get(job),
                    job.delivery() + " restored from its last checkpoint before the kill (" + checkpointed.get(job)
                            + " or later): " + restored);
            assertEquals(false, restored.path("is_savepoint").asBoolean(true), restored.toString());
            List<String> lost = new ArrayList<>();
            rest.get("/jobs/" + job.id() + "/exceptions").path("exceptionHistory").path("entries")
                    .forEach(e -> lost.add(e.path("taskManagerId").asText()));
            assertTrue(lost.contains(victim), job.delivery() + " failed over because " + victim + " was lost: " + lost);
            long restoredId = restored.path("id").asLong();
            Topics.await(WAIT, job.delivery() + ": a checkpoint after the restore",
                    () -> latestCompletedCheckpoint(job) > restoredId);
        }
        assertEquals(0, get("/jars").path("files").size(), "the uploaded jars are removed again");
        // The tasks that moved to the new TaskManager loaded ONNX Runtime (and decoded with JavaCV) there.
        String tm3 = Files.readString(clusterDir.resolve("logs/taskmanager-tm3.log"));
        assertTrue(tm3.contains("runs mobilenetv2"), "a classifier opened its ONNX Runtime session on tm3");
        assertNoClassLoadingErrors();
    }

    @Test
    @Order(3)
    void theJobsRecoverByThemselvesWhenTheBrokerStopsAndStartsAgain() throws Exception {
        long kafkaPid = pidOf("kafka");
        Map<Job, Long> before = new HashMap<>();
        for (Job job : jobs.values()) {
            before.put(job, Topics.count(bootstrap, job.results()));
        }
        long stop = System.nanoTime();
        ProcessHandle broker = ProcessHandle.of(kafkaPid).orElseThrow();
        broker.destroy();
        broker.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        figures.put("broker stopped by SIGTERM in", seconds(stop));

        long restart = System.nanoTime();
        CliRun up = CliRun.run("cluster", "up", "--dir", clusterDir.toString());
        assertEquals(0, up.status(Duration.ZERO), up.out() + up.err());
        assertTrue(up.out().contains("Started Kafka broker (pid "), up.out());
        figures.put("broker restarted on its data in", seconds(restart));
        recordPids();
        for (Job job : jobs.values()) {
            Topics.await(WAIT, job.delivery() + ": new results after the broker's restart",
                    () -> Topics.count(bootstrap, job.results()) > before.get(job) + CAMERAS * FPS);
            figures.put(job.delivery() + ": results flowing again after the broker's restart", seconds(restart));
        }

        feed.stop();
        assertNull(feed.failure(), "every frame reached the broker");
        long sent = feed.sent();
        Set<String> frames = new HashSet<>();
        for (int c = 0; c < CAMERAS; c++) {
            for (long seq = 0; seq < sent / CAMERAS; seq++) {
                frames.add("cam-" + c + "#" + seq);
            }
        }
        long drain = System.nanoTime();
        for (Job job : jobs.values()) {
            Topics.await(WAIT, job.delivery() + ": every frame sent classified or dead-lettered",
                    () -> accountedFor(job).keySet().containsAll(frames));
            awaitAllTasksRunning(job);
            Map<String, Integer> counts = accountedFor(job);
            assertEquals(frames, counts.keySet(), job.delivery() + ": no frame the cameras did not send");
            if (job.delivery().equals("exactly-once")) {
                List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList();
                assertEquals(List.of(), twice, "read_committed sees every frame exactly once");
            }
            figures.put(job.delivery() + ": frames sent / results and dead letters read",
                    sent + " / " + counts.values().stream().mapToInt(Integer::intValue).sum());
        }
        figures.put("last frames classified after the cameras stopped, in", seconds(drain));
        assertNoClassLoadingErrors();
    }

    @Test
    @Order(4)
    void downStopsEveryProcess() throws Exception {
        recordPids();
        CliRun down = CliRun.run("cluster", "down", "--dir", clusterDir.toString());
        assertEquals(0, down.status(Duration.ZERO), down.out() + down.err());
        assertTrue(down.out().contains("2 running job(s) stopped with the cluster"), down.out());
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).isEmpty(), "process " + pid + " is gone; " + down.out());
        }
        CliRun status = CliRun.run("cluster", "status", "--dir", clusterDir.toString());
        assertEquals(1, status.status(Duration.ZERO));
        assertTrue(status.out().contains(": not running (framewise cluster up starts it)"), status.out());
    }

    private static void submit(String delivery) throws Exception {
        String name = delivery.replace("-", "");
        Job job = new Job(delivery, null, "cluster-" + name + "-results", "cluster-" + name + "-dlq");
        CliRun run = CliRun.run("run", "--target", rest.address(), "--bootstrap", bootstrap, "--model", model.toString(),
                "--frames-topic", FRAMES, "--classifications-topic", job.results(), "--dead-letters-topic",
                job.deadLetters(), "--group-id", "cluster-" + name, "--delivery", delivery, "--parallelism", "2",
                "--partitions", Integer.toString(CAMERAS), "--checkpoint-interval", "1 s", "-D", "pipeline.name=framewise-" + name);
        assertEquals(0, run.status(Duration.ZERO), run.out() + run.err());
        Matcher m = SUBMITTED.matcher(run.out());
        assertTrue(m.find(), run.out());
        assertTrue(run.out().contains("web UI " + rest.webUi() + "/#/job/running/" + m.group(1) + "/overview"), run.out());
        jobs.put(delivery, new Job(delivery, m.group(1), job.results(), job.deadLetters()));
    }

    /** Every frame id (camera#sequence) among a job's results and dead letters, with how often it appears. */
    private static Map<String, Integer> accountedFor(Job job) {
        Map<String, Integer> counts = new HashMap<>();
        try {
            for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(bootstrap, job.results())) {
                FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
                counts.merge(c.getCameraId() + "#" + c.getSequence(), 1, Integer::sum);
            }
            for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(bootstrap, job.deadLetters())) {
                DeadLetter d = SingleObjectCodec.DEAD_LETTER.decode(r.value());
                counts.merge(d.getCameraId() + "#" + d.getSequence(), 1, Integer::sum);
            }
        } catch (SingleObjectCodec.UnreadableRecordException e) {
            throw new AssertionError(e);
        }
        return counts;
    }

    private static void awaitAllTasksRunning(Job job) {
        Topics.await(WAIT, job.delivery() + ": every task running", () -> allTasksRunning(job));
    }

    /** A job reads RUNNING while some of its tasks still wait for a slot: count the running tasks instead. */
    private static boolean allTasksRunning(Job job) {
        JsonNode j = get("/jobs/" + job.id());
        if (!"RUNNING".equals(j.path("state").asText())) {
            return false;
        }
        for (JsonNode v : j.path("vertices")) {
            if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    private static long latestCompletedCheckpoint(Job job) {
        return get("/jobs/" + job.id() + "/checkpoints").path("latest").path("completed").path("id").asLong(0);
    }

    /** The TaskManager that runs subtasks of both jobs (they spread over the TaskManagers: taskmanager.load-balance.mode SLOTS). */
    private static String taskManagerRunningBothJobs() {
        Set<String> common = null;
        for (Job job : jobs.values()) {
            Set<String> tms = new HashSet<>();
            String vertex = get("/jobs/" + job.id()).path("vertices").get(0).path("id").asText();
            get("/jobs/" + job.id() + "/vertices/" + vertex + "/taskmanagers").path("taskmanagers")
                    .forEach(t -> tms.add(t.path("taskmanager-id").asText()));
            if (common == null) {
                common = tms;
            } else {
                common.retainAll(tms);
            }
        }
        if (common == null || common.isEmpty()) {
            return fail("no TaskManager runs subtasks of both jobs");
        }
        return common.iterator().next();
    }

    private static void assertNoClassLoadingErrors() throws IOException {
        try (Stream<Path> logs = Files.list(clusterDir.resolve("logs"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("taskmanager-")).toList()) {
                String text = Files.readString(log);
                for (String error : CLASS_LOADING_ERRORS) {
                    Optional<String> line = text.lines().filter(l -> l.contains(error)).findFirst();
                    assertTrue(line.isEmpty(), log.getFileName() + ": " + line.orElse(""));
                }
            }
        }
    }

    private static JsonNode get(String path) {
        try {
            return rest.get(path);
        } catch (IOException e) {
            throw new AssertionError("Flink REST " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode state() throws IOException {
        return new ObjectMapper().readTree(clusterDir.resolve("cluster.json").toFile());
    }

    private static long pidOf(String name) {
        try {
            for (JsonNode m : state().path("members")) {
                if (m.path("name").asText().equals(name)) {
                    return m.path("pid").asLong();
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return fail("no process " + name + " in " + clusterDir.resolve("cluster.json"));
    }

    private static void recordPids() throws IOException {
        state().path("members").forEach(m -> pids.add(m.path("pid").asLong()));
    }

    private static String seconds(long sinceNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - sinceNanos) / 1e9);
    }
}
