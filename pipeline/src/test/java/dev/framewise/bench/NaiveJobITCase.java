package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The hand-written baseline job on a MiniCluster (2 slots) and an embedded broker: N frames in, N results out. */
class NaiveJobITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final MobileNetV2 TINY = MobileNetV2.custom("tiny", 0.25, 10);

    static EmbeddedKafka kafka;

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

    @Test
    void everyFrameGetsOneClassification() throws Exception {
        Path model = dir.resolve("tiny.onnx");
        ModelBuilder.write(ModelBuilder.build(TINY, GeneratedWeights.generate(TINY, 5)), model);
        String frames = "naive-frames";
        String results = "naive-results";
        kafka.createTopics(2, frames, results);
        int perCamera = 15;
        List<SyntheticCamera> cameras = List.of(new SyntheticCamera("cam-0", 320, 240, 80),
                new SyntheticCamera("cam-1", 640, 480, 80));
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
            for (int seq = 0; seq < perCamera; seq++) {
                for (SyntheticCamera cam : cameras) {
                    Topics.send(producer, frames, cam.cameraId().getBytes(StandardCharsets.UTF_8),
                            cam.record(seq, Instant.now(), null));
                }
            }
        } finally {
            cameras.forEach(SyntheticCamera::close);
        }
        int sent = perCamera * cameras.size();

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        NaiveJob.build(env, kafka.bootstrapServers(), frames, results, "naive-" + System.nanoTime(), model, 2);
        JobClient job = env.executeAsync("naive-it");
        try {
            Topics.await(Duration.ofSeconds(120), sent + " classifications",
                    () -> Topics.count(kafka.bootstrapServers(), results) >= sent);
        } finally {
            job.cancel().get();
        }

        List<ConsumerRecord<byte[], byte[]>> out = Topics.readAll(kafka.bootstrapServers(), results);
        assertEquals(sent, out.size(), "one classification per frame");
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
            String id = c.getCameraId() + "#" + c.getSequence();
            assertTrue(seen.add(id), "duplicate " + id);
            assertEquals(c.getCameraId(), new String(r.key(), StandardCharsets.UTF_8), "keyed by camera");
            assertEquals("mobilenetv2-tiny", c.getModelName());
            List<Prediction> top = c.getPredictions();
            assertEquals(5, top.size());
            assertEquals(5, top.stream().map(Prediction::getClassIndex).distinct().count(), "five distinct classes");
            double sum = 0;
            for (int i = 0; i < top.size(); i++) {
                Prediction p = top.get(i);
                assertEquals("class_" + p.getClassIndex(), p.getLabel());
                assertTrue(p.getScore() > 0 && p.getScore() <= 1, id + ": score " + p.getScore());
                assertTrue(i == 0 || top.get(i - 1).getScore() >= p.getScore(), id + ": most probable first");
                sum += p.getScore();
            }
            assertTrue(sum <= 1 + 1e-5, id + ": scores of a softmax sum to at most 1, got " + sum);
            Latency l = c.getLatency();
            assertEquals(1, l.getBatchSize());
            assertTrue(l.getDecodeUs() + l.getInferenceUs() <= l.getEndToEndUs(), id + ": " + l);
        }
        assertEquals(sent, seen.size());
    }
}
