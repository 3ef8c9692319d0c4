package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.FailOnce;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * H.264 cameras through the job: decoded per camera, in order, from the last key frame. After a
 * restore the cameras' decoders are new, so frames up to the next key frame are dead letters
 * (MISSING_KEY_FRAME), counted; then decoding resumes.
 */
class H264JobITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @BeforeAll
    static void model() throws Exception {
        buildModel(MobileNetV2.X100);
    }

    private static JobSettings settings(String id, String delivery, String checkpoints) {
        return JobSettings.from(jobConfig(id)
                .set("delivery.guarantee", delivery, "test")
                .set("delivery.transaction-timeout", "2 min", "test")
                .set("checkpoint.interval", checkpoints, "test"));
    }

    /** {@code frames} H.264 frames from each of {@code cameras} 160x120 cameras, round-robin, captured now. */
    private static void sendH264(JobSettings s, String prefix, int cameras, int frames) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
            List<SyntheticCamera> cams = new ArrayList<>();
            for (int c = 0; c < cameras; c++) {
                cams.add(new SyntheticCamera(prefix + c, 160, 120, 80, 10));
            }
            for (int seq = 0; seq < frames; seq++) {
                for (SyntheticCamera cam : cams) {
                    Topics.send(producer, s.framesTopic(), cam.cameraId().getBytes(StandardCharsets.UTF_8),
                            cam.record(seq, Instant.now(), null));
                }
            }
            cams.forEach(SyntheticCamera::close);
        }
    }

    private static Map<String, List<Long>> sequencesByCamera(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, List<Long>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
            out.computeIfAbsent(c.getCameraId(), k -> new ArrayList<>()).add(c.getSequence());
        }
        return out;
    }

    @Test
    void twentyCamerasAtOnceEveryFrameAccountedFor() throws Exception {
        String id = "h264-twenty";
        JobSettings s = settings(id, "at-least-once", "1 s");
        kafka.createTopics(4, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        int cameras = 20;
        int frames = 30;
        sendH264(s, "cam-", cameras, frames);
        JobClient job = startJob(s, id);
        Topics.await(Duration.ofSeconds(180), "600 results",
                () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size()
                        + Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size() >= cameras * frames);
        job.stopWithSavepoint(true, dir.resolve("sp-" + id).toUri().toString(), SavepointFormatType.CANONICAL).get();

        assertEquals(0, Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size());
        Map<String, List<Long>> byCamera = sequencesByCamera(Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()));
        assertEquals(cameras, byCamera.size());
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < frames; i++) {
            all.add(i);
        }
        byCamera.forEach((camera, seqs) -> assertEquals(all, seqs, camera + ": every frame once, in order"));
    }

    @Test
    void inRebalanceModeH264IsDecodedBeforeTheShuffleAndEveryFrameClassifiedOnce() throws Exception {
        String id = "h264-rebalance";
        JobSettings s = JobSettings.from(jobConfig(id).set("pipeline.ordering", "rebalance", "test"));
        kafka.createTopics(2, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        int cameras = 4;
        int frames = 20;
        sendH264(s, "reb-", cameras, frames);
        JobClient job = startJob(s, id);
        Topics.await(Duration.ofSeconds(120), cameras * frames + " results",
                () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size()
                        + Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size() >= cameras * frames);
        job.cancel().get();

        assertEquals(0, Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size());
        Map<String, List<Long>> byCamera = sequencesByCamera(Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()));
        assertEquals(cameras, byCamera.size());
        byCamera.forEach((camera, seqs) -> assertEquals(java.util.stream.LongStream.range(0, frames).boxed().toList(),
                seqs.stream().sorted().toList(), camera + ": every frame once (in any order across slots)"));
    }

    @Test
    void afterARestoreFramesUpToTheNextKeyFrameAreDeadLettersThenDecodingResumes() throws Exception {
        String id = "h264-restore";
        // Key frames at 0 and 120 only: a restore anywhere in between leaves frames without a reference.
        int keyInterval = 120;
        int frames = 160;
        JobSettings s = settings(id, "exactly-once", "1 s");
        // One partition: both cameras in the one pipeline that fails (Flink restarts only the failed
        // region; a camera read by the other subtask would keep its decoder).
        kafka.createTopics(1, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        FramewiseJob.build(env, s, KafkaConnections.sourceBuilder(s).setDeserializer(new FailOnce(id, 0)).build(),
                KafkaConnections.classificationsSink(s), KafkaConnections.deadLettersSink(s));
        JobClient job = env.executeAsync(id);

        List<String> cameraIds = List.of("door", "yard");
        CompletableFuture<Void> filming = CompletableFuture.runAsync(() -> {
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers());
                    SyntheticCamera door = new SyntheticCamera("door", 160, 120, 80, keyInterval);
                    SyntheticCamera yard = new SyntheticCamera("yard", 160, 120, 80, keyInterval)) {
                for (int seq = 0; seq < frames; seq++) {
                    for (SyntheticCamera cam : List.of(door, yard)) {
                        Topics.send(producer, s.framesTopic(), cam.cameraId().getBytes(StandardCharsets.UTF_8),
                                cam.record(seq, Instant.now(), null));
                    }
                    Thread.sleep(50); // a camera's pace, 20 frames/s: the restore lands well before frame 120
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        // Results become visible (exactly-once) when a checkpoint commits them: once every camera has
        // some, a completed checkpoint holds offsets past its key frame at 0. The failure comes next.
        Topics.await(Duration.ofSeconds(120), "each camera's first committed results",
                () -> committedSequences(s).keySet().containsAll(cameraIds));
        FailOnce.arm(id);
        filming.get();
        Topics.await(Duration.ofSeconds(180), "every frame accounted for",
                () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size()
                        + Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size() >= 2 * frames);
        job.stopWithSavepoint(true, dir.resolve("sp-" + id).toUri().toString(), SavepointFormatType.CANONICAL).get();
        assertEquals(1, FailOnce.failures(id), "the job failed once and restored");

        Map<String, List<Long>> classified = sequencesByCamera(Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()));
        Map<String, TreeSet<Long>> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic())) {
            DeadLetter d = SingleObjectCodec.DEAD_LETTER.decode(r.value());
            assertEquals(DeadLetterReason.MISSING_KEY_FRAME, d.getReason(), d.getMessage());
            assertTrue(dead.computeIfAbsent(d.getCameraId(), k -> new TreeSet<>()).add(d.getSequence()), "once");
        }
        for (String camera : cameraIds) {
            TreeSet<Long> missing = dead.getOrDefault(camera, new TreeSet<>());
            assertTrue(!missing.isEmpty(), camera + ": frames replayed after the restore wait for a key frame");
            long first = missing.first();
            assertTrue(first > 0 && missing.last() == keyInterval - 1 && missing.size() == keyInterval - first,
                    camera + ": dead letters are exactly the frames from the restore point to the key frame: " + missing);
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < frames; i++) {
                if (!missing.contains(i)) {
                    expected.add(i);
                }
            }
            assertEquals(expected, classified.get(camera), camera + ": every other frame classified once, in order");
        }
    }

    private static Map<String, List<Long>> committedSequences(JobSettings s) {
        try {
            return sequencesByCamera(Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
