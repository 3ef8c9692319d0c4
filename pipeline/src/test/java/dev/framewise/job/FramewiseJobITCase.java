package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.demo.SyntheticCamera.Defect;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a Flink MiniCluster (2 slots) and a real Kafka broker, with EfficientFormer-L1
 * in ONNX Runtime and JavaCV decoding: every frame ends as exactly one classification or one dead
 * letter with the right reason, in order per camera, with a consistent latency breakdown.
 */
class FramewiseJobITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @BeforeAll
    static void model() throws Exception {
        buildModel(EfficientFormer.L1);
    }

    /** Twelve broken frames: two of each defect, spread over the cameras and the stream. */
    static final Map<String, Defect> DEFECTS = new HashMap<>();

    static {
        Defect[] kinds = Defect.values();
        for (int i = 0; i < 12; i++) {
            DEFECTS.put("cam-" + (i % 3) + "#" + (7 + i * 8), kinds[i % kinds.length]);
        }
    }

    @Test
    void everyFrameEndsAsOneClassificationOrOneDeadLetter() throws Exception {
        String frames = "it-frames";
        String results = "it-classifications";
        String dead = "it-dlq";
        kafka.createTopics(2, frames, results, dead);
        int sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
            List<SyntheticCamera> cameras = List.of(new SyntheticCamera("cam-0", 320, 240, 80),
                    new SyntheticCamera("cam-1", 640, 480, 80), new SyntheticCamera("cam-2", 352, 288, 80));
            for (int seq = 0; seq < 100; seq++) {
                for (SyntheticCamera cam : cameras) {
                    Defect defect = DEFECTS.get(cam.cameraId() + "#" + seq);
                    Topics.send(producer, frames, cam.cameraId().getBytes(StandardCharsets.UTF_8),
                            cam.record(seq, Instant.now(), defect));
                    sent++;
                }
            }
            cameras.forEach(SyntheticCamera::close);
        }
        assertEquals(300, sent);

        JobSettings settings = JobSettings.from(new ConfigSource()
                .set("kafka.bootstrap-servers", kafka.bootstrapServers(), "test")
                .set("kafka.topic.frames", frames, "test")
                .set("kafka.topic.classifications", results, "test")
                .set("kafka.topic.dead-letters", dead, "test")
                .set("kafka.group-id", "it-" + System.nanoTime(), "test")
                .set("model.path", model.toString(), "test")
                .set("checkpoint.interval", "1 s", "test")
                .set("pipeline.parallelism", "2", "test"));
        JobClient job = startJob(settings, "framewise-it");

        Topics.await(Duration.ofSeconds(180), "300 outputs",
                () -> Topics.readAll(kafka.bootstrapServers(), results).size()
                        + Topics.readAll(kafka.bootstrapServers(), dead).size() >= 300);
        // Drain: the batch buffer is flushed and everything committed before the job ends.
        job.stopWithSavepoint(true, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();

        List<ConsumerRecord<byte[], byte[]>> classified = Topics.readAll(kafka.bootstrapServers(), results);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = Topics.readAll(kafka.bootstrapServers(), dead);
        assertEquals(288, classified.size(), "one classification per intact frame, nothing else");
        assertEquals(12, deadLetters.size(), "one dead letter per broken frame, nothing else");

        Set<String> seen = new HashSet<>();
        Map<String, Long> lastSequence = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : classified) {
            FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
            String id = c.getCameraId() + "#" + c.getSequence();
            assertTrue(seen.add(id), "duplicate " + id);
            assertTrue(!DEFECTS.containsKey(id), id + " was broken and must not be classified");
            assertEquals(c.getCameraId(), new String(r.key(), StandardCharsets.UTF_8), "keyed by camera");
            Long previous = lastSequence.put(c.getCameraId(), c.getSequence());
            assertTrue(previous == null || previous < c.getSequence(), "order of " + c.getCameraId() + ": " + previous
                    + " then " + c.getSequence());
            assertEquals(5, c.getPredictions().size());
            assertEquals("efficientformer-l1", c.getModelName());
            Latency l = c.getLatency();
            long parts = l.getCaptureToSourceUs() + l.getDecodeUs() + l.getQueueWaitUs() + l.getInferenceUs();
            assertTrue(l.getCaptureToSourceUs() >= 0 && l.getDecodeUs() >= 0 && l.getQueueWaitUs() >= 0
                    && l.getInferenceUs() >= 0, id + ": negative latency part " + l);
            assertTrue(parts <= l.getEndToEndUs(), id + ": parts " + parts + " exceed end to end " + l.getEndToEndUs());
            assertTrue(l.getBatchSize() >= 1 && l.getBatchSize() <= 8, "batch size " + l.getBatchSize());
        }
        Map<String, DeadLetterReason> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
            DeadLetter d = SingleObjectCodec.DEAD_LETTER.decode(r.value());
            assertEquals(frames, d.getSourceTopic());
            assertTrue(d.getOriginal().remaining() > 0, "the original bytes are kept");
            String key = d.getCameraId() + "#" + (d.getSequence() == null ? "?" : d.getSequence());
            if (d.getReason() == DeadLetterReason.UNREADABLE_RECORD) {
                // Not a frame: only the record key says which camera; find the sequence by offset order.
                key = d.getCameraId() + "#unreadable-" + d.getSourceOffset();
            }
            reasons.put(key, d.getReason());
        }
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (Map.Entry<String, Defect> e : DEFECTS.entrySet()) {
            if (e.getValue() != Defect.UNREADABLE) {
                expected.add(e.getKey() + "=" + e.getValue().reason());
                actual.add(e.getKey() + "=" + reasons.get(e.getKey()));
            }
        }
        assertEquals(expected, actual);
        assertEquals(2, reasons.values().stream().filter(r -> r == DeadLetterReason.UNREADABLE_RECORD).count());
        for (DeadLetterReason r : List.of(DeadLetterReason.UNSUPPORTED_CODEC, DeadLetterReason.CORRUPT_IMAGE,
                DeadLetterReason.TRUNCATED_IMAGE, DeadLetterReason.SIZE_MISMATCH, DeadLetterReason.IMAGE_TOO_LARGE)) {
            assertEquals(2, reasons.values().stream().filter(x -> x == r).count(), r + " twice");
        }
    }
}
