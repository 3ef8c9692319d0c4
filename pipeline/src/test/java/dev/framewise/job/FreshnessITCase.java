package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.demo.SyntheticCamera.Defect;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.operators.inference.BatchInferenceOperator;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The freshness policy in the running job: frames older than the limit are dropped and counted
 * (a metric, not a topic), fresh ones pass, and every frame sent is accounted for.
 */
class FreshnessITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @BeforeAll
    static void model() throws Exception {
        buildModel(MobileNetV2.X100);
    }

    @Test
    void staleFramesAreDroppedAndCountedFreshOnesPass() throws Exception {
        String id = "fresh";
        JobSettings s = JobSettings.from(jobConfig(id)
                .set("freshness.max-age", "1 min", "test"));
        kafka.createTopics(2, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        AtomicLong sent = new AtomicLong();
        long stale = 0;
        long broken = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers());
                SyntheticCamera a = new SyntheticCamera("a", 160, 120, 80);
                SyntheticCamera b = new SyntheticCamera("b", 160, 120, 80)) {
            for (int seq = 0; seq < 42; seq++) {
                for (SyntheticCamera cam : List.of(a, b)) {
                    boolean old = seq % 2 == 0;
                    Defect defect = seq % 20 == 1 ? Defect.TRUNCATED_JPEG : null;
                    Instant captured = old ? Instant.now().minus(Duration.ofHours(1)) : Instant.now();
                    Topics.send(producer, s.framesTopic(), cam.cameraId().getBytes(StandardCharsets.UTF_8),
                            cam.record(seq, captured, defect));
                    sent.incrementAndGet();
                    stale += old ? 1 : 0;
                    broken += defect != null ? 1 : 0;
                }
            }
        }
        JobClient job = startJob(s, id);
        long expectedClassified = sent.get() - stale - broken;
        long expectedDead = broken;
        Topics.await(Duration.ofSeconds(120), "the fresh frames classified",
                () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size() >= expectedClassified
                        && Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size() >= expectedDead);
        Configuration client = FLINK.getClientConfiguration();
        FlinkRestMetrics metrics = new FlinkRestMetrics(
                "http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT), job.getJobID().toString());
        long finalStale = stale;
        AtomicLong droppedStale = new AtomicLong(-1);
        Topics.await(Duration.ofSeconds(60), "the drops counted", () -> {
            try {
                droppedStale.set(metrics.sum("classify", "dropped.stale").orElse(-1));
                return droppedStale.get() == finalStale;
            } catch (Exception e) {
                return false;
            }
        });
        long droppedTotal = metrics.sum(FramewiseJob.CLASSIFY, BatchInferenceOperator.FRAMES_DROPPED).orElse(-1);
        job.cancel().get();

        List<FrameClassification> results = new ArrayList<>();
        for (var r : Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic())) {
            results.add(SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value()));
        }
        long dead = Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size();
        assertEquals(expectedClassified, results.size());
        assertTrue(results.stream().allMatch(c -> c.getSequence() % 2 == 1), "only the fresh (odd) frames are classified");
        assertEquals(broken, dead);
        assertEquals(finalStale, droppedTotal, "every drop is a stale one");
        assertEquals(sent.get(), results.size() + dead + droppedStale.get(), "sent = classified + dead-lettered + dropped");
    }
}
