package dev.framewise.job;

import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.weights.GeneratedWeights;
import java.nio.file.Path;
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

    static void buildModel(Architecture arch) throws Exception {
        model = dir.resolve(arch.id() + ".onnx");
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 1)), model);
    }
}
