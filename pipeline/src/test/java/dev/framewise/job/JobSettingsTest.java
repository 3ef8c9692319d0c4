package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from YAML and flags; every bad setting stops the job at start, naming it and the fix. */
class JobSettingsTest {
    @TempDir
    Path dir;

    private static ConfigSource minimal() {
        return new ConfigSource().set("kafka.bootstrap-servers", "localhost:9092", "--bootstrap");
    }

    private static String error(ConfigSource source) {
        return assertThrows(ConfigException.class, () -> JobSettings.from(source)).getMessage();
    }

    @Test
    void defaults() {
        JobSettings s = JobSettings.from(minimal());
        assertEquals("frames", s.framesTopic());
        assertEquals("classifications", s.classificationsTopic());
        assertEquals("frames-dlq", s.deadLettersTopic());
        assertEquals(4, s.batch().maxBatchSize());
        assertEquals(Duration.ofMillis(20), s.batch().maxBatchDelay());
        assertEquals(Duration.ofMillis(1), s.batch().maxInputGap());
        assertEquals(JobSettings.Delivery.AT_LEAST_ONCE, s.delivery());
        assertEquals(JobSettings.Ordering.CHAINED, s.ordering());
        assertEquals(JobSettings.StartingOffsets.COMMITTED, s.startingOffsets());
        assertEquals(5, s.topK());
        assertEquals(0, s.inferenceThreads());
        assertNull(s.modelPath());
    }

    @Test
    void theInferenceSettingsInEffectAreSaidInOneLine() {
        JobSettings defaults = JobSettings.from(minimal());
        assertEquals("inference: 2 slot(s) x 1 (the slot's share of 2 cores) ONNX Runtime thread(s), batches of up to 4"
                + " within 20 ms or a 1 ms pause in the input, reduced-size JPEG decoding", defaults.describeInference(2, 2));
        JobSettings set = JobSettings.from(minimal().set("inference.threads", "3", "--threads")
                .set("pipeline.parallelism", "6", "--parallelism").set("batch.max-size", "16", "--batch-size")
                .set("batch.max-gap", "20 ms", "--batch-gap").set("decode.jpeg.reduced-size", "false", "-D"));
        assertEquals("inference: parallelism 6 x 3 ONNX Runtime thread(s), batches of up to 16 within 20 ms,"
                + " full-size JPEG decoding", set.describeInference(0, 0), "a gap as long as the delay never applies");
        assertEquals("inference: the cluster's default parallelism x the slot's share of the TaskManager's cores ONNX"
                + " Runtime thread(s), batches of 1, reduced-size JPEG decoding",
                JobSettings.from(minimal().set("batch.max-size", "1", "--batch-size")).describeInference(0, 0));
    }

    @Test
    void anUnsetGapFollowsADelayShorterThanIt() {
        JobSettings s = JobSettings.from(minimal().set("batch.max-delay", "0 ms", "--batch-delay"));
        assertEquals(Duration.ZERO, s.batch().maxBatchDelay());
        assertEquals(Duration.ZERO, s.batch().maxInputGap(), "no gap to refuse: the user set only the delay");
    }

    @Test
    void yamlNestedOrDottedThenFlagsWin() throws Exception {
        Path yaml = dir.resolve("framewise.yaml");
        Files.writeString(yaml, """
                kafka:
                  bootstrap-servers: broker1:9092,broker2:9092
                  topic.frames: camera-frames
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: PLAIN
                batch.max-size: 16
                batch:
                  max-delay: 50 ms
                delivery.guarantee: exactly-once
                flink:
                  taskmanager.memory.process.size: 2g
                """);
        JobSettings s = JobSettings.from(new ConfigSource().addYaml(yaml).set("batch.max-size", "4", "--batch-size"));
        assertEquals("broker1:9092,broker2:9092", s.bootstrapServers());
        assertEquals("camera-frames", s.framesTopic());
        assertEquals(4, s.batch().maxBatchSize(), "the flag wins over the file");
        assertEquals(Duration.ofMillis(50), s.batch().maxBatchDelay());
        assertEquals(JobSettings.Delivery.EXACTLY_ONCE, s.delivery());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"), s.kafkaProperties());
        assertEquals(Map.of("taskmanager.memory.process.size", "2g"), s.flinkProperties());
    }

    @Test
    void unknownSettingsAreNamedWithASuggestion() {
        assertEquals("unknown setting 'batch.max-szie' (-D batch.max-szie=3): did you mean 'batch.max-size'?; Kafka client"
                + " settings go under kafka.properties.*, Flink settings under flink.*",
                error(minimal().setAssignment("batch.max-szie=3", "-D batch.max-szie=3")));
    }

    @Test
    void invalidValuesNameTheSettingAndWhereItCameFrom() {
        assertEquals("batch.max-size (--batch-size): 'lots' is not a whole number",
                error(minimal().set("batch.max-size", "lots", "--batch-size")));
        assertEquals("batch.max-size (app.yaml): 0 is out of range: use 1 to 1024",
                error(minimal().set("batch.max-size", "0", "app.yaml")));
        assertEquals("batch.max-delay (--batch-delay): 'soon' is not a duration; write e.g. 20 ms, 10 s or 5 min",
                error(minimal().set("batch.max-delay", "soon", "--batch-delay")));
        assertEquals("batch.max-gap (app.yaml): 50 ms is longer than batch.max-delay (20 ms, default), so it would"
                + " never apply: set it at most that, or equal to it to always wait for full batches",
                error(minimal().set("batch.max-gap", "50 ms", "app.yaml")));
        assertEquals("delivery.guarantee (--delivery): 'maybe-once' is not one of at-least-once, exactly-once",
                error(minimal().set("delivery.guarantee", "maybe-once", "--delivery")));
        assertEquals("pipeline.ordering (app.yaml): 'random' is not one of chained, rebalance",
                error(minimal().set("pipeline.ordering", "random", "app.yaml")));
        assertEquals("kafka.bootstrap-servers (--bootstrap): 'localhost' is not host:port",
                error(new ConfigSource().set("kafka.bootstrap-servers", "localhost", "--bootstrap")));
        assertEquals("model.ship (app.yaml): 'yes' is not true or false",
                error(minimal().set("model.ship", "yes", "app.yaml")));
    }

    @Test
    void contradictionsAndMissingSettingsStopTheJob() {
        assertEquals("kafka.bootstrap-servers is required: give --bootstrap HOST:PORT or set it in the configuration file",
                error(new ConfigSource()));
        assertEquals("kafka.topic.frames, kafka.topic.classifications and kafka.topic.dead-letters must be three"
                + " different topics (now frames, frames, frames-dlq)",
                error(minimal().set("kafka.topic.classifications", "frames", "app.yaml")));
        assertEquals("delivery.transaction-timeout (10 s) must be longer than checkpoint.interval (30 s): a transaction"
                + " stays open from one checkpoint to the next", error(minimal()
                        .set("delivery.guarantee", "exactly-once", "app.yaml")
                        .set("delivery.transaction-timeout", "10 s", "app.yaml")
                        .set("checkpoint.interval", "30 s", "app.yaml")));
        assertEquals("kafka.properties.bootstrap.servers (app.yaml) cannot be passed through: set kafka.bootstrap-servers"
                + " instead", error(minimal().set("kafka.properties.bootstrap.servers", "x:1", "app.yaml")));
    }

    @Test
    void badYamlIsReportedWithItsLine() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "batch:\n  max-size: [1, 2]\n");
        assertEquals("batch.max-size (in bad.yaml) is a list; write a single value, e.g. host1:9092,host2:9092",
                assertThrows(ConfigException.class, () -> new ConfigSource().addYaml(yaml)).getMessage());
        Files.writeString(yaml, "batch: {max-size: 3\n");
        String e = assertThrows(ConfigException.class, () -> new ConfigSource().addYaml(yaml)).getMessage();
        assertEquals(true, e.startsWith("configuration file " + yaml + " is not valid YAML"), e);
        assertEquals("configuration file " + dir.resolve("none.yaml") + " does not exist",
                assertThrows(ConfigException.class, () -> new ConfigSource().addYaml(dir.resolve("none.yaml"))).getMessage());
    }

    @Test
    void theJobJarTakesTheSameArguments() {
        JobSettings s = JobArguments.parse("--bootstrap", "k:9092", "--model", "/m.onnx", "--batch-size", "2",
                "--batch-gap", "5ms", "-D", "inference.top-k=3", "--ordering", "rebalance");
        assertEquals("/m.onnx", s.modelPath());
        assertEquals(2, s.batch().maxBatchSize());
        assertEquals(Duration.ofMillis(5), s.batch().maxInputGap());
        assertEquals(3, s.topK());
        assertEquals(JobSettings.Ordering.REBALANCE, s.ordering());
        assertEquals("Unknown option: '--bogus' (options: --config FILE, --bootstrap HOST:PORT, --model FILE, -D key=value,"
                + " ...; see the README)", assertThrows(ConfigException.class,
                        () -> JobArguments.parse("--bogus")).getMessage());
    }
}
