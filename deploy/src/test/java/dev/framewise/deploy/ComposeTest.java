package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/** deploy/compose/docker-compose.yml against the image, the Flink configuration and the job. */
class ComposeTest {
    private final JsonNode compose = Assets.yaml(Assets.compose());
    private final JsonNode services = compose.path("services");
    private final Configuration flink = Assets.flinkConfiguration();

    private JsonNode service(String name) {
        JsonNode s = services.path(name);
        assertTrue(s.isObject(), "service " + name + " is missing");
        return s;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String env(JsonNode service, String name) {
        JsonNode value = service.path("environment").path(name);
        assertFalse(value.isMissingNode(), name + " is not set");
        return value.asText();
    }

    /** The host path of a bind mount to {@code target}, resolved against the compose file's folder. */
    private static Path bindMount(JsonNode service, String target) {
        for (String volume : strings(service.path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts.length >= 2 && parts[1].equals(target) && (parts[0].startsWith(".") || parts[0].startsWith("/"))) {
                return Assets.compose().getParent().resolve(parts[0]).normalize();
            }
        }
        throw new AssertionError("no bind mount to " + target + " in " + service.path("volumes"));
    }

    /** Compose's ${VAR:-default}: the value when VAR is not set. */
    private static String withDefaults(String text) {
        return text.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
    }

    private int taskManagers() {
        return service("taskmanager").path("deploy").path("replicas").asInt(1);
    }

    private int partitions() {
        return Integer.parseInt(withDefaults(env(service("kafka-init"), "PARTITIONS")));
    }

    private List<String> jobManagerCommand() {
        return strings(service("jobmanager").path("command"));
    }

    /** The job's own arguments: what follows the main class in `standalone-job --job-classname CLASS ...`. */
    private List<String> jobArguments() {
        List<String> command = jobManagerCommand();
        return command.subList(command.indexOf("--job-classname") + 2, command.size());
    }

    private JobSettings jobSettings() {
        Path config = bindMount(service("jobmanager"), JobConfig.argument(jobArguments(), "--config"));
        return JobConfig.parseArgs(jobArguments(), config);
    }

    @Test
    void hasTheServices() {
        for (String name : List.of("kafka", "kafka-init", "jobmanager", "taskmanager", "prometheus", "grafana")) {
            service(name);
        }
    }

    @Test
    void kafkaIsOneKraftNodeOfTheJobsKafkaVersion() {
        JsonNode kafka = service("kafka");
        // The broker is the version of the clients the job is built with (kafka-clients via the connector).
        assertEquals("apache/kafka:" + AppInfoParser.getVersion(), kafka.path("image").asText());
        assertEquals(Set.of("broker", "controller"), Set.of(env(kafka, "KAFKA_PROCESS_ROLES").split(",")));
        String nodeId = env(kafka, "KAFKA_NODE_ID");
        assertEquals(nodeId + "@kafka:9093", env(kafka, "KAFKA_CONTROLLER_QUORUM_VOTERS"));
        assertTrue(env(kafka, "KAFKA_LISTENERS").contains("CONTROLLER://:9093"));
        assertEquals("CONTROLLER", env(kafka, "KAFKA_CONTROLLER_LISTENER_NAMES"));
        Uuid.fromString(env(kafka, "CLUSTER_ID"));
        // One node: internal topics with one replica, or the job's consumer group and its exactly-once
        // transactions never get a coordinator.
        for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
            assertEquals("1", env(kafka, rf), rf);
        }
        assertEquals("false", env(kafka, "KAFKA_AUTO_CREATE_TOPICS_ENABLE"));
        assertFalse(kafka.path("healthcheck").path("test").isMissingNode());
    }

    @Test
    void topicCreationMakesTheJobsThreeTopicsWithOnePartitionPerSlot() {
        JsonNode init = service("kafka-init");
        assertEquals(service("kafka").path("image").asText(), init.path("image").asText());
        assertEquals("service_healthy", init.path("depends_on").path("kafka").path("condition").asText());
        String script = strings(init.path("command")).toString();
        Matcher loop = Pattern.compile("for topic in ([^;]+);").matcher(script);
        assertTrue(loop.find(), "a loop over the topics: " + script);
        assertEquals(List.of(FramewiseOptions.FRAMES_TOPIC.defaultValue(), FramewiseOptions.CLASSIFICATIONS_TOPIC.defaultValue(),
                FramewiseOptions.DEAD_LETTERS_TOPIC.defaultValue()), List.of(loop.group(1).trim().split("\\s+")));
        assertTrue(script.contains("kafka-topics.sh --bootstrap-server kafka:9092 --create"));
        assertTrue(script.contains("--partitions \"$$PARTITIONS\""), "compose's $$ reaches the shell as $");
        // Chained mode: one slot per partition, so as many partitions as slots, and the job's parallelism.
        int slots = taskManagers() * flink.get(TaskManagerOptions.NUM_TASK_SLOTS);
        assertEquals(slots, partitions());
        assertEquals(slots, flink.get(CoreOptions.DEFAULT_PARALLELISM));
    }

    @Test
    void flinkRunsTheImageBuiltFromTheDockerfile() {
        JsonNode jm = service("jobmanager");
        JsonNode tm = service("taskmanager");
        assertFalse(jm.path("image").asText().isEmpty());
        assertEquals(jm.path("image"), tm.path("image"));
        for (JsonNode s : List.of(jm, tm)) {
            Path context = Assets.compose().getParent().resolve(s.path("build").path("context").asText()).normalize();
            assertEquals(Assets.repo(), context, "the build context is the repository");
            assertEquals(Assets.dockerfile(), context.resolve(s.path("build").path("dockerfile").asText()));
            assertEquals("jobmanager", env(s, "JOB_MANAGER_RPC_ADDRESS"));
        }
        assertEquals(List.of("taskmanager"), strings(tm.path("command")));
        assertTrue(taskManagers() >= 2);
    }

    @Test
    void theJobIsSubmittedInApplicationModeWithArgumentsTheJobAccepts() {
        List<String> command = jobManagerCommand();
        assertEquals("standalone-job", command.get(0));
        assertEquals(FramewiseJob.class.getName(), JobConfig.argument(command, "--job-classname"));
        // Flink's standalone-job reads its own options (-D, -s, --job-id, ...) before the job's: keep
        // the job's settings in its --config file and flags.
        assertTrue(jobArguments().stream().noneMatch(a -> a.matches("-D.*|-s|-n|-r|--fromSavepoint|--job-id|--jars")),
                "job arguments Flink would take for its own: " + jobArguments());
        JobSettings s = jobSettings();
        assertEquals(Assets.deploy().resolve("framewise.yaml"),
                bindMount(service("jobmanager"), JobConfig.argument(jobArguments(), "--config")));
        assertEquals("/opt/framewise/model.onnx", s.modelPath(), "where the image puts the model");
        // The job reaches Kafka on the listener the broker advertises in the compose network.
        assertTrue(env(service("kafka"), "KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://" + s.bootstrapServers()));
        assertEquals(FramewiseOptions.FRAMES_TOPIC.defaultValue(), s.framesTopic());
        // The job's main checks that the topics exist before it submits: they must be there first.
        assertEquals("service_completed_successfully",
                service("jobmanager").path("depends_on").path("kafka-init").path("condition").asText());
    }

    @Test
    void healthchecks() {
        for (String name : List.of("kafka", "jobmanager", "taskmanager")) {
            assertFalse(service(name).path("healthcheck").path("test").isMissingNode(), name + " has no healthcheck");
        }
        assertTrue(service("jobmanager").path("healthcheck").path("test").toString().contains("8081"));
        assertTrue(service("taskmanager").path("healthcheck").path("test").toString().contains("9249"));
    }

    @Test
    void jobManagerAndTaskManagersShareTheCheckpointVolume() {
        String dir = flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        String savepoints = flink.get(CheckpointingOptions.SAVEPOINT_DIRECTORY);
        for (String name : List.of("jobmanager", "taskmanager")) {
            List<String> volumes = strings(service(name).path("volumes"));
            assertTrue(volumes.contains("flink-data:/flink-data"), name + " mounts " + volumes);
        }
        assertTrue(dir.startsWith("file:///flink-data/") && savepoints.startsWith("file:///flink-data/"));
        assertTrue(compose.path("volumes").has("flink-data"), "a named volume, not a folder of one container");
    }

    @Test
    void taskManagerContainersHoldTheWholeFlinkProcess() {
        JsonNode limits = service("taskmanager").path("deploy").path("resources").path("limits");
        MemorySize limit = MemorySize.parse(limits.path("memory").asText().replace("g", "gb"));
        assertTrue(limit.compareTo(flink.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY)) >= 0,
                "container limit " + limit + " below taskmanager.memory.process.size");
        // One core per ONNX Runtime session thread: slots x inference.threads.
        int threads = JobConfig.parse(Assets.framewiseYaml()).inferenceThreads();
        assertEquals(flink.get(TaskManagerOptions.NUM_TASK_SLOTS) * threads, Double.parseDouble(limits.path("cpus").asText()));
    }

    @Test
    void prometheusScrapesEveryFlinkProcessOnTheReporterPort() {
        assertEquals(Assets.prometheus(), bindMount(service("prometheus"), "/etc/prometheus/prometheus.yml"));
        JsonNode config = Assets.yaml(Assets.prometheus());
        String port = FlinkConfigTest.lines().get("metrics.reporter.prom.port");
        List<String> targets = new ArrayList<>();
        for (JsonNode job : config.path("scrape_configs")) {
            job.path("static_configs").forEach(sc -> targets.addAll(strings(sc.path("targets"))));
            job.path("dns_sd_configs").forEach(dns -> strings(dns.path("names"))
                    .forEach(n -> targets.add(n + ":" + dns.path("port").asText())));
        }
        assertTrue(targets.containsAll(List.of("jobmanager:" + port, "taskmanager:" + port)), targets.toString());
        for (String target : targets) {
            assertTrue(services.has(target.split(":")[0]), target + " is not a compose service");
        }
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheDashboard() throws Exception {
        JsonNode grafana = service("grafana");
        Path provisioning = bindMount(grafana, "/etc/grafana/provisioning");
        assertEquals(Assets.deploy().resolve("grafana/provisioning"), provisioning);
        String dashboardFile = "/var/lib/grafana/dashboards/framewise-dashboard.json";
        assertEquals(Assets.dashboard(), bindMount(grafana, dashboardFile));

        JsonNode datasource = Assets.yaml(provisioning.resolve("datasources/prometheus.yml")).path("datasources").get(0);
        assertEquals("prometheus", datasource.path("type").asText());
        assertEquals("http://prometheus:9090", datasource.path("url").asText());
        assertTrue(strings(service("prometheus").path("ports")).contains("9090:9090"));
        JsonNode provider = Assets.yaml(provisioning.resolve("dashboards/framewise.yml")).path("providers").get(0);
        assertEquals(Path.of(dashboardFile).getParent().toString(), provider.path("options").path("path").asText());
    }

    @Test
    void everyBindMountExists() {
        services.fields().forEachRemaining(e -> {
            for (String volume : strings(e.getValue().path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith(".")) {
                    assertTrue(Files.exists(Assets.compose().getParent().resolve(source)), e.getKey() + ": " + volume);
                }
            }
        });
    }

    @Test
    void documentsThePortsItPublishes() {
        String text = Assets.read(Assets.compose());
        services.fields().forEachRemaining(e -> {
            for (String port : strings(e.getValue().path("ports"))) {
                String host = port.split(":")[0];
                assertTrue(Pattern.compile("#\\s+" + host + "\\s").matcher(text).find(),
                        "port " + host + " of " + e.getKey() + " is not in the header comment");
            }
        });
    }
}
