package dev.framewise.job;

import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.weights.GeneratedWeights;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One embedded Kafka broker per test class (each test its own topics), and a model built with generated weights. */
abstract class KafkaJobTestBase {
    static EmbeddedKafka kafka;
    static Path model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * A job on the class's broker and model, 2 subtasks, with the test's own topics ({@code id}-frames,
     * {@code id}-classifications, {@code id}-dlq) and consumer group; tests add what they are about.
     */
    static ConfigSource jobConfig(String id) {
        return new ConfigSource()
                .set("kafka.bootstrap-servers", kafka.bootstrapServers(), "test")
                .set("kafka.topic.frames", id + "-frames", "test")
                .set("kafka.topic.classifications", id + "-classifications", "test")
                .set("kafka.topic.dead-letters", id + "-dlq", "test")
                .set("kafka.group-id", id, "test")
                .set("model.path", model.toString(), "test")
                .set("pipeline.parallelism", "2", "test");
    }

    /** Starts the job on a local cluster, reading and writing Kafka as configured; a failure fails it, no restarts. */
    static JobClient startJob(JobSettings s, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        FramewiseJob.build(env, s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        return env.executeAsync(name);
    }

    static void buildModel(Architecture arch) throws Exception {
        model = dir.resolve(arch.id() + ".onnx");
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 1)), model);
    }
}
