package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s: the FlinkDeployment (Flink Kubernetes Operator), the job's ConfigMap, and Strimzi's Kafka,
 * node pool and topics, checked against each other, the image and the job.
 */
class KubernetesTest {
    private final JsonNode deployment = Assets.k8sObject("FlinkDeployment", null);
    private final JsonNode spec = deployment.path("spec");
    private final JsonNode kafka = Assets.k8sObject("Kafka", null);
    private final JsonNode pool = Assets.k8sObject("KafkaNodePool", null);

    @TempDir
    Path dir;

    private Map<String, String> flinkConfiguration() {
        Map<String, String> map = new LinkedHashMap<>();
        spec.path("flinkConfiguration").properties().forEach(e -> {
            assertTrue(e.getValue().isTextual(), e.getKey() + ": the operator takes flinkConfiguration values as strings");
            map.put(e.getKey(), e.getValue().asText());
        });
        return map;
    }

    private Configuration flink() {
        return Configuration.fromMap(flinkConfiguration());
    }

    private JsonNode mainContainer() {
        for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) {
            if (c.path("name").asText().equals("flink-main-container")) {
                return c;
            }
        }
        throw new AssertionError("the pod template has no flink-main-container (the operator's name for Flink's container)");
    }

    private List<String> args() {
        List<String> args = new ArrayList<>();
        spec.path("job").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    private Path configMapYaml() {
        JsonNode configMap = Assets.k8sObject("ConfigMap", "framewise-config");
        String text = configMap.path("data").path("framewise.yaml").asText();
        assertFalse(text.isBlank(), "the ConfigMap holds framewise.yaml");
        return Assets.writeTemp(dir, "framewise.yaml", text);
    }

    private JsonNode topic(String name) {
        return Assets.k8sObject("KafkaTopic", name);
    }

    private String kafkaName() {
        return kafka.path("metadata").path("name").asText();
    }

    @Test
    void flinkDeploymentForFlink22WithTheFramewiseImage() {
        assertEquals("flink.apache.org/v1beta1", deployment.path("apiVersion").asText());
        assertTrue(spec.path("image").asText().contains("framewise"), "the image built from deploy/docker/Dockerfile");
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        assertEquals("v" + version[0] + "_" + version[1], spec.path("flinkVersion").asText(),
                "the operator's name for the Flink the job is built with");
        assertEquals("native", spec.path("mode").asText());
    }

    @Test
    void flinkConfigurationUsesFlink22Keys() {
        FlinkOptions.assertKnown(flinkConfiguration().keySet(), "FlinkDeployment.spec.flinkConfiguration", Set.of("s3."));
    }

    @Test
    void slotsPatternsCheckpointsRestartsAndReporter() {
        Configuration c = flink();
        assertEquals(2, c.get(TaskManagerOptions.NUM_TASK_SLOTS));
        assertTrue(c.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL).containsAll(FlinkConfigTest.NATIVE_PATTERNS));
        assertEquals(CheckpointingMode.EXACTLY_ONCE, c.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE));
        assertTrue(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY).matches("(s3|file)://.+"));
        // upgradeMode savepoint needs somewhere to write the savepoint.
        assertTrue(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY).matches("(s3|file)://.+"));
        assertEquals("exponential-delay", c.get(RestartStrategyOptions.RESTART_STRATEGY));
        assertTrue(c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF).compareTo(Duration.ofMinutes(5)) <= 0);
        assertEquals(PrometheusReporterFactory.class.getName(), flinkConfiguration().get("metrics.reporter.prom.factory.class"));
    }

    @Test
    void sameFlinkSettingsAsTheComposeCluster() {
        // One set of choices for both: what differs (storage, HA, memory from the pod size) is for Kubernetes.
        Map<String, String> compose = FlinkConfigTest.lines();
        Map<String, String> k8s = flinkConfiguration();
        for (String key : List.of("taskmanager.numberOfTaskSlots", "classloader.parent-first-patterns.additional",
                "execution.checkpointing.mode", "state.backend.type", "execution.checkpointing.storage",
                "restart-strategy.type", "restart-strategy.exponential-delay.max-backoff",
                "restart-strategy.exponential-delay.attempts-before-reset-backoff", "taskmanager.memory.task.off-heap.size",
                "metrics.reporter.prom.factory.class", "metrics.reporter.prom.port")) {
            assertEquals(compose.get(key), k8s.get(key), key);
        }
    }

    @Test
    void theS3FileSystemPluginOfThisFlinkVersionIsEnabled() {
        assertTrue(flink().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY).startsWith("s3://"));
        String plugins = "";
        for (JsonNode env : mainContainer().path("env")) {
            if (env.path("name").asText().equals("ENABLE_BUILT_IN_PLUGINS")) {
                plugins = env.path("value").asText();
            }
        }
        // The official image links plugins from opt/ by their file name, which carries the Flink version.
        assertTrue(List.of(plugins.split(";")).contains("flink-s3-fs-hadoop-" + EnvironmentInformation.getVersion() + ".jar"),
                "ENABLE_BUILT_IN_PLUGINS=" + plugins);
    }

    @Test
    void taskManagerMemoryFitsOnnxRuntime() {
        Configuration c = flink();
        assertTrue(c.contains(TaskManagerOptions.TASK_OFF_HEAP_MEMORY), "set the off-heap budget explicitly");
        // The operator sets the process size from the pod's memory.
        c.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse(spec.path("taskManager").path("resource").path("memory").asText()));
        FlinkConfigTest.assertTaskManagerMemory(c, "FlinkDeployment taskManager");
        assertTrue(MemorySize.parse(spec.path("jobManager").path("resource").path("memory").asText())
                .compareTo(MemorySize.parse("1g")) >= 0);
    }

    @Test
    void taskManagerCpusMatchSlotsTimesInferenceThreads() {
        int threads = JobConfig.parse(configMapYaml()).inferenceThreads();
        assertEquals(flink().get(TaskManagerOptions.NUM_TASK_SLOTS) * threads,
                spec.path("taskManager").path("resource").path("cpu").asDouble());
    }

    @Test
    void theJobRunsTheImagesJarWithArgumentsTheJobAccepts() {
        JsonNode job = spec.path("job");
        Dockerfile docker = Dockerfile.parse(Assets.dockerfile());
        boolean jarInImage = docker.last().all("COPY").stream()
                .anyMatch(c -> ("local://" + c.paths().get(c.paths().size() - 1)).equals(job.path("jarURI").asText()));
        assertTrue(jarInImage, job.path("jarURI").asText() + " is not where the Dockerfile puts the job jar");
        assertEquals(FramewiseJob.class.getName(), job.path("entryClass").asText());
        JobSettings s = JobConfig.parseArgs(args(), configMapYaml());
        assertEquals("/opt/framewise/model.onnx", s.modelPath(), "where the image puts the model");
        assertEquals("savepoint", job.path("upgradeMode").asText());
        assertEquals("running", job.path("state").asText());
    }

    @Test
    void theConfigMapIsMountedWhereTheJobReadsIt() {
        String configPath = JobConfig.argument(args(), "--config");
        JsonNode mount = null;
        for (JsonNode m : mainContainer().path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(configPath)) {
                mount = m;
            }
        }
        assertTrue(mount != null, "nothing is mounted at " + configPath);
        assertEquals("framewise.yaml", mount.path("subPath").asText());
        String volume = mount.path("name").asText();
        boolean fromConfigMap = false;
        for (JsonNode v : spec.path("podTemplate").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                fromConfigMap = v.path("configMap").path("name").asText().equals("framewise-config");
            }
        }
        assertTrue(fromConfigMap, "volume " + volume + " is the framewise-config ConfigMap");
    }

    @Test
    void theConfigMapUsesOnlyTheJobsKeysAndReachesStrimzisKafka() {
        Path yaml = configMapYaml();
        JobConfig.assertOnlyKnownKeys(Assets.flatten(Assets.yaml(yaml)), "ConfigMap framewise-config");
        JobSettings s = JobConfig.parse(yaml);
        int plainPort = -1;
        for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
            if (!l.path("tls").asBoolean() && l.path("type").asText().equals("internal")) {
                plainPort = l.path("port").asInt();
            }
        }
        // Strimzi's bootstrap service: <cluster>-kafka-bootstrap.
        assertEquals(kafkaName() + "-kafka-bootstrap:" + plainPort, s.bootstrapServers());
        assertEquals(JobSettings.Delivery.EXACTLY_ONCE, s.delivery());
        JobSettings compose = JobConfig.parse(Assets.framewiseYaml());
        assertEquals(compose.batch(), s.batch(), "the same batching as deploy/framewise.yaml");
        assertEquals(compose.inferenceThreads(), s.inferenceThreads());
    }

    @Test
    void prometheusReporterPortIsExposedAndScraped() {
        String port = flinkConfiguration().get("metrics.reporter.prom.port");
        String portName = null;
        for (JsonNode p : mainContainer().path("ports")) {
            if (String.valueOf(p.path("containerPort").asInt()).equals(port)) {
                portName = p.path("name").asText();
            }
        }
        assertTrue(portName != null, "the pod template does not expose the reporter's port " + port);
        JsonNode monitor = Assets.k8sObject("PodMonitor", null);
        assertEquals(deployment.path("metadata").path("name").asText(),
                monitor.path("spec").path("selector").path("matchLabels").path("app").asText(),
                "the operator labels the Flink pods app=<FlinkDeployment name>");
        assertEquals(portName, monitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText());
    }

    @Test
    void kafkaIsKraftWithNodePoolsOnTheJobsKafkaVersion() {
        assertTrue(kafka.path("apiVersion").asText().startsWith("kafka.strimzi.io/"));
        assertEquals(kafka.path("apiVersion"), pool.path("apiVersion"));
        JsonNode annotations = kafka.path("metadata").path("annotations");
        assertEquals("enabled", annotations.path("strimzi.io/kraft").asText());
        assertEquals("enabled", annotations.path("strimzi.io/node-pools").asText());
        assertTrue(kafka.path("spec").path("zookeeper").isMissingNode(), "KRaft: no ZooKeeper");
        assertTrue(kafka.path("spec").path("kafka").path("replicas").isMissingNode()
                && kafka.path("spec").path("kafka").path("storage").isMissingNode(), "replicas and storage belong to node pools");
        assertEquals(AppInfoParser.getVersion(), kafka.path("spec").path("kafka").path("version").asText(),
                "the version of the Kafka clients the job is built with");
    }

    @Test
    void theNodePoolRunsControllersAndBrokers() {
        assertEquals(kafkaName(), pool.path("metadata").path("labels").path("strimzi.io/cluster").asText());
        Set<String> roles = new TreeSet<>();
        pool.path("spec").path("roles").forEach(r -> roles.add(r.asText()));
        assertEquals(Set.of("broker", "controller"), roles);
        assertEquals(3, pool.path("spec").path("replicas").asInt());
        assertFalse(pool.path("spec").path("storage").path("type").asText().isEmpty());
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        int minIsr = config.path("transaction.state.log.min.isr").asInt();
        int rf = config.path("transaction.state.log.replication.factor").asInt();
        assertTrue(minIsr < rf && rf <= pool.path("spec").path("replicas").asInt(),
                "exactly-once needs a transaction log that survives a broker");
    }

    @Test
    void topicsAreTheJobsDefaultsWithOnePartitionPerSlot() {
        Set<String> names = new TreeSet<>();
        for (JsonNode d : Assets.k8sDocuments()) {
            if (d.path("kind").asText().equals("KafkaTopic")) {
                names.add(d.path("spec").path("topicName").asText(d.path("metadata").path("name").asText()));
                assertEquals(kafkaName(), d.path("metadata").path("labels").path("strimzi.io/cluster").asText());
                int replicas = d.path("spec").path("replicas").asInt();
                assertTrue(replicas <= pool.path("spec").path("replicas").asInt()
                        && replicas >= kafka.path("spec").path("kafka").path("config").path("min.insync.replicas").asInt());
            }
        }
        assertEquals(new TreeSet<>(List.of(FramewiseOptions.FRAMES_TOPIC.defaultValue(),
                FramewiseOptions.CLASSIFICATIONS_TOPIC.defaultValue(), FramewiseOptions.DEAD_LETTERS_TOPIC.defaultValue())), names);
        int parallelism = spec.path("job").path("parallelism").asInt();
        assertEquals(parallelism, topic(FramewiseOptions.FRAMES_TOPIC.defaultValue()).path("spec").path("partitions").asInt(),
                "chained mode: one slot per partition of the frames topic");
        assertEquals(0, parallelism % flink().get(TaskManagerOptions.NUM_TASK_SLOTS), "whole TaskManagers");
    }
}
