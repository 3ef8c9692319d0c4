package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.bash.FlinkConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/flink/config.yaml, read by Flink's own parser, memory calculator and configuration merger. */
class FlinkConfigTest {
    /** The natives the job loads, and so the patterns that must load them parent-first (stack.md, point 11). */
    static final List<String> NATIVE_PATTERNS = List.of("ai.onnxruntime.", "org.bytedeco.");

    /**
     * JavaCV's binding of the PS3 Eye camera SDK (Windows only), which the job never touches; it is not
     * in the job jar either, so even child-first it resolves to the one copy in lib/.
     */
    private static final String UNUSED_IN_LIB = "cl.eye.";

    /** A line the image's apply-flink-config.sh can pass to config-parser-utils.sh: no spaces in the value. */
    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_.-]+): (\\S+)");

    /** Per slot, for EfficientFormer-L1: weights, the batch's activations, its input tensor, decoders (config.yaml). */
    static final MemorySize OFF_HEAP_PER_SLOT = MemorySize.parse("256m");

    static Map<String, String> lines() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Assets.read(Assets.flinkConfig()).split("\n", -1)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "deploy/flink/config.yaml: '" + line + "' is not one flat 'key: value' without"
                    + " spaces in the value; the image applies the file line by line with config-parser-utils.sh,"
                    + " which splits values on spaces");
            assertFalse(settings.containsKey(m.group(1)), m.group(1) + " twice");
            settings.put(m.group(1), m.group(2));
        }
        return settings;
    }

    @Test
    void isFlatKeyValueLinesTheImageCanApply() {
        assertTrue(lines().size() > 10);
    }

    @Test
    void everyKeyIsAFlink22Option() {
        FlinkOptions.assertKnown(lines().keySet(), "deploy/flink/config.yaml", Set.of());
    }

    @Test
    void slotsAndParallelism() {
        Configuration c = Assets.flinkConfiguration();
        assertEquals(2, c.get(TaskManagerOptions.NUM_TASK_SLOTS));
        assertEquals(4, c.get(CoreOptions.DEFAULT_PARALLELISM), "2 TaskManagers x 2 slots in docker-compose");
    }

    @Test
    void onnxRuntimeAndJavaCvLoadParentFirst() {
        List<String> patterns = Assets.flinkConfiguration().get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL);
        assertTrue(patterns.containsAll(NATIVE_PATTERNS), "parent-first patterns " + patterns);
    }

    @Test
    void theParentFirstPatternsCoverEveryClassOfTheFlinkLibJars() throws IOException {
        // pipeline/pom.xml copies these groups to target/flink-lib (the image's lib/); the job's own
        // copies of them are on this test's class path.
        String pom = Assets.read(Assets.repo().resolve("pipeline/pom.xml"));
        assertTrue(pom.contains("<includeGroupIds>com.microsoft.onnxruntime,org.bytedeco</includeGroupIds>"),
                "pipeline/pom.xml's flink-lib execution changed: check the patterns and this test");
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.endsWith(".jar") && (entry.contains("/com/microsoft/onnxruntime/") || entry.contains("/org/bytedeco/"))) {
                jars.add(entry);
            }
        }
        assertTrue(jars.size() >= 4, "ONNX Runtime, JavaCV, javacpp and FFmpeg jars on the class path: " + jars);
        List<String> patterns = Assets.flinkConfiguration().get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL);
        for (String jar : jars) {
            try (JarFile file = new JarFile(jar)) {
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                        continue;
                    }
                    String className = name.replace('/', '.');
                    assertTrue(patterns.stream().anyMatch(className::startsWith) || className.startsWith(UNUSED_IN_LIB),
                            className + " (" + jar + ") would be loaded child-first, once per job class loader");
                }
            }
        }
    }

    @Test
    void theJobJarLeavesTheNativesToLib() throws IOException {
        Path jar = Assets.repo().resolve("pipeline/target/framewise-job.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(jar), "the job jar is built in the package phase");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertTrue(file.stream().noneMatch(e -> e.getName().startsWith("ai/onnxruntime/")
                    || e.getName().startsWith("org/bytedeco/") || e.getName().startsWith(UNUSED_IN_LIB.replace('.', '/'))),
                    "ONNX Runtime or JavaCV classes in the job jar: they belong in lib/ only");
        }
    }

    @Test
    void exactlyOnceCheckpointsOnASharedFileSystem() {
        Configuration c = Assets.flinkConfiguration();
        assertEquals(CheckpointingMode.EXACTLY_ONCE, c.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE));
        assertEquals("filesystem", c.get(CheckpointingOptions.CHECKPOINT_STORAGE));
        assertEquals("hashmap", c.get(StateBackendOptions.STATE_BACKEND));
        assertTrue(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY).startsWith("file:///flink-data/"));
        assertTrue(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY).startsWith("file:///flink-data/"));
    }

    @Test
    void restartsBackOffExponentiallyUpToAMinuteAndGiveUp() {
        Configuration c = Assets.flinkConfiguration();
        assertEquals("exponential-delay", c.get(RestartStrategyOptions.RESTART_STRATEGY));
        Duration max = c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF);
        assertTrue(max.compareTo(Duration.ofMinutes(5)) <= 0, "max backoff " + max);
        assertTrue(c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS) < Integer.MAX_VALUE,
                "a job that cannot run should end FAILED some time");
    }

    @Test
    void taskManagerMemoryLeavesRoomForOnnxRuntime() {
        Configuration c = Assets.flinkConfiguration();
        assertTrue(c.contains(TaskManagerOptions.TASK_OFF_HEAP_MEMORY), "set the off-heap budget explicitly");
        assertTaskManagerMemory(c, "deploy/flink/config.yaml");
        assertTrue(c.contains(JobManagerOptions.TOTAL_PROCESS_MEMORY));
    }

    /** Flink's own memory calculator accepts the sizes, and the budget fits the job. */
    static TaskExecutorProcessSpec assertTaskManagerMemory(Configuration c, String where) {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(c);
        int slots = c.get(TaskManagerOptions.NUM_TASK_SLOTS);
        assertTrue(spec.getTaskOffHeapSize().compareTo(OFF_HEAP_PER_SLOT.multiply(slots)) >= 0,
                where + ": task off-heap " + spec.getTaskOffHeapSize() + " for " + slots + " ONNX Runtime sessions");
        assertTrue(spec.getTaskHeapSize().compareTo(MemorySize.parse("256m")) >= 0,
                where + ": task heap " + spec.getTaskHeapSize() + " (Kafka clients, Avro records)");
        return spec;
    }

    @Test
    void prometheusReporterOnPort9249() {
        Map<String, String> s = lines();
        assertEquals(PrometheusReporterFactory.class.getName(), s.get("metrics.reporter.prom.factory.class"));
        assertEquals("9249", s.get("metrics.reporter.prom.port"));
    }

    @Test
    void flinksConfigMergerKeepsTheImagesSettingsAndAddsOurs(@TempDir Path dir) throws Exception {
        // What the image's apply-flink-config.sh does through config-parser-utils.sh, on a stand-in for
        // the image's config.yaml: its Java 17 options must survive, our settings must arrive intact.
        String javaOpts = "--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED";
        Files.writeString(dir.resolve("config.yaml"), "env:\n  java:\n    opts:\n      all: " + javaOpts + "\n"
                + "taskmanager:\n  bind-host: 0.0.0.0\n  numberOfTaskSlots: 1\n  memory:\n    process:\n      size: 1728m\n");
        List<String> args = new ArrayList<>(List.of("--configDir", dir.toString()));
        lines().forEach((k, v) -> args.add("-D" + k + "=" + v));
        List<String> merged = FlinkConfigLoader.loadAndModifyConfiguration(args.toArray(String[]::new));

        Path out = Files.createDirectories(dir.resolve("merged"));
        Files.write(out.resolve("config.yaml"), merged);
        Configuration result = GlobalConfiguration.loadConfiguration(out.toString());
        assertEquals(javaOpts, result.get(CoreOptions.FLINK_JVM_OPTIONS));
        assertEquals("0.0.0.0", result.get(TaskManagerOptions.BIND_HOST));
        Configuration ours = Assets.flinkConfiguration();
        for (String key : lines().keySet()) {
            assertEquals(ours.toMap().get(key), result.toMap().get(key), key + " after the merge");
        }
        assertEquals(ours.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL),
                result.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL));
    }
}
