package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.FailOnce;
import dev.framewise.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames sit in the batching buffer while checkpoints are taken; the job then fails mid-stream and
 * restores from its last checkpoint. No frame is lost (at-least-once), and with exactly-once a
 * read_committed consumer sees every frame exactly once.
 */
class FramewiseJobFailureITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int FRAMES = 240;
    static final int FAIL_AT_RECORD = 120;
    static final int MAX_BATCH = 64;

    @BeforeAll
    static void model() throws Exception {
        buildModel(MobileNetV2.X100);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void noFrameIsLostWhenTheJobFailsWithFramesInTheBatchBuffer(String delivery) throws Exception {
        String id = delivery;
        String frames = "fail-" + id + "-frames";
        String results = "fail-" + id + "-classifications";
        String dead = "fail-" + id + "-dlq";
        kafka.createTopics(2, frames, results, dead);

        JobSettings settings = JobSettings.from(new ConfigSource()
                .set("kafka.bootstrap-servers", kafka.bootstrapServers(), "test")
                .set("kafka.topic.frames", frames, "test")
                .set("kafka.topic.classifications", results, "test")
                .set("kafka.topic.dead-letters", dead, "test")
                .set("kafka.group-id", "fail-" + id, "test")
                .set("model.path", model.toString(), "test")
                .set("batch.max-size", Integer.toString(MAX_BATCH), "test")
                // Long enough, and no flush at a pause in the input, so that only checkpoint barriers (and the
                // end) flush a partial batch.
                .set("batch.max-delay", "1 min", "test")
                .set("batch.max-gap", "1 min", "test")
                .set("checkpoint.interval", "300 ms", "test")
                .set("delivery.guarantee", delivery, "test")
                .set("delivery.transaction-timeout", "2 min", "test")
                .set("pipeline.parallelism", "2", "test"));

        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        FramewiseJob.build(env, settings,
                KafkaConnections.sourceBuilder(settings).setDeserializer(new FailOnce(id, FAIL_AT_RECORD)).build(),
                KafkaConnections.classificationsSink(settings), KafkaConnections.deadLettersSink(settings));
        JobClient job = env.executeAsync("framewise-failure-" + id);

        // Frames arrive over a few seconds, so that checkpoints happen while batches are filling.
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers());
                SyntheticCamera a = new SyntheticCamera("cam-a", 320, 240, 80);
                SyntheticCamera b = new SyntheticCamera("cam-b", 320, 240, 80)) {
            for (int seq = 0; seq < FRAMES / 2; seq++) {
                for (SyntheticCamera cam : List.of(a, b)) {
                    Topics.send(producer, frames, cam.cameraId().getBytes(StandardCharsets.UTF_8),
                            cam.record(seq, Instant.now(), null));
                }
                Thread.sleep(15); // pacing the producer, not waiting on the job
            }
        }

        Topics.await(Duration.ofSeconds(180), "every frame classified after the failure",
                () -> uniqueIds(Topics.readAll(kafka.bootstrapServers(), results)).size() == FRAMES);
        job.stopWithSavepoint(true, dir.resolve("savepoints-" + id).toUri().toString(), SavepointFormatType.CANONICAL)
                .get();

        assertEquals(1, FailOnce.failures(id), "the job failed once, mid-stream");
        List<ConsumerRecord<byte[], byte[]>> classified = Topics.readAll(kafka.bootstrapServers(), results);
        Set<String> ids = uniqueIds(classified);
        assertEquals(FRAMES, ids.size(), "no frame lost");
        if (delivery.equals("exactly-once")) {
            assertEquals(FRAMES, classified.size(), "read_committed sees no duplicate");
        } else {
            assertTrue(classified.size() >= FRAMES);
        }
        assertEquals(0, Topics.readAll(kafka.bootstrapServers(), dead).size());
        boolean flushedAtBarrier = false;
        for (ConsumerRecord<byte[], byte[]> r : classified) {
            FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
            flushedAtBarrier |= c.getLatency().getBatchSize() < MAX_BATCH;
        }
        assertTrue(flushedAtBarrier, "partial batches ran: the buffer held frames when barriers came");
    }

    private static Set<String> uniqueIds(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
                ids.add(c.getCameraId() + "#" + c.getSequence());
            } catch (SingleObjectCodec.UnreadableRecordException e) {
                throw new AssertionError(e);
            }
        }
        return ids;
    }
}
