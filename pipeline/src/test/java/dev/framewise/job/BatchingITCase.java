package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Batching in the running job, read from the batch size each classification reports: a backlog runs
 * in full batches, and a frame that reaches an idle slot runs once the input pauses (batch.max-gap)
 * instead of waiting for the batch's deadline.
 */
class BatchingITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    private static final int MAX_BATCH = 4;

    @BeforeAll
    static void model() throws Exception {
        buildModel(MobileNetV2.X100);
    }

    @Test
    void aBacklogRunsInFullBatchesAndALoneFrameDoesNotWaitForTheDeadline() throws Exception {
        String id = "batching";
        // A deadline and checkpoints (whose barriers flush the batch) far beyond the test's waits: only a full
        // batch or a pause in the input can run a batch.
        JobSettings s = JobSettings.from(jobConfig(id)
                .set("pipeline.parallelism", "1", "test")
                .set("batch.max-size", Integer.toString(MAX_BATCH), "test")
                .set("batch.max-delay", "1 min", "test")
                .set("checkpoint.interval", "24 h", "test"));
        kafka.createTopics(1, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        int backlog = 6 * MAX_BATCH;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers());
                SyntheticCamera camera = new SyntheticCamera("cam", 160, 120, 80)) {
            byte[] key = camera.cameraId().getBytes(StandardCharsets.UTF_8);
            for (int seq = 0; seq < backlog; seq++) {
                Topics.send(producer, s.framesTopic(), key, camera.record(seq, Instant.now(), null));
            }
            JobClient job = startJob(s, id);
            Topics.await(Duration.ofSeconds(120), "the backlog classified",
                    () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size() >= backlog);
            for (int lone = 0; lone < 2; lone++) {
                int expected = backlog + lone + 1;
                Topics.send(producer, s.framesTopic(), key, camera.record(backlog + lone, Instant.now(), null));
                Topics.await(Duration.ofSeconds(30), "a lone frame classified well before the 1 min deadline",
                        () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size() >= expected);
            }
            job.cancel().get();
        }
        List<Latency> latencies = new ArrayList<>();
        for (var r : Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic())) {
            latencies.add(SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value()).getLatency());
        }
        assertEquals(backlog + 2, latencies.size());
        List<Integer> backlogBatches = latencies.subList(0, backlog).stream().map(Latency::getBatchSize).toList();
        // The backlog's frames were all waiting when the job started: they arrive back to back and fill batches.
        // (An OS pause of a couple of milliseconds between two of them may cut one short, so not all are full.)
        assertEquals(MAX_BATCH, backlogBatches.stream().mapToInt(Integer::intValue).max().orElse(0),
                "batch sizes of the backlog: " + backlogBatches);
        assertTrue(backlogBatches.stream().mapToInt(Integer::intValue).average().orElse(0) >= 2,
                "most of the backlog ran in batches: " + backlogBatches);
        for (Latency lone : latencies.subList(backlog, backlog + 2)) {
            assertEquals(1, lone.getBatchSize(), "a lone frame runs alone");
            assertTrue(lone.getQueueWaitUs() < 500_000, "a lone frame waits for the gap, not the deadline: "
                    + lone.getQueueWaitUs() + " us");
        }
    }
}
