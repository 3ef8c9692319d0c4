package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.framewise.cli.Framewise;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.testing.TestVideos;
import dev.framewise.testing.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Video files, H.264 (openh264) and MPEG-4, put on Kafka by {@code framewise ingest} as JPEG pictures
 * and as H.264 (passed through, and re-encoded), then classified by the job: every frame exactly
 * once, in order per camera.
 */
class IngestJobITCase extends KafkaJobTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int FRAMES = 40;

    @BeforeAll
    static void model() throws Exception {
        buildModel(MobileNetV2.X100);
    }

    @Test
    void videoFilesIngestedAsJpegAndH264AreClassifiedOnceInOrder() throws Exception {
        String id = "ingest-job";
        JobSettings s = JobSettings.from(jobConfig(id)
                .set("checkpoint.interval", "1 s", "test"));
        kafka.createTopics(2, s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());

        Path h264 = TestVideos.write(dir.resolve("camera.mp4"), new TestVideos.Spec("mp4", "libopenh264", 320, 240, 25, 10), FRAMES);
        Path mpeg4 = TestVideos.write(dir.resolve("camera.avi"), new TestVideos.Spec("avi", "mpeg4", 320, 240, 25, 10), FRAMES);
        Map<String, String[]> runs = new LinkedHashMap<>();
        runs.put("h264-as-jpeg", new String[] {h264.toString(), "jpeg"});
        runs.put("h264-passed-through", new String[] {h264.toString(), "h264"});
        runs.put("mpeg4-as-jpeg", new String[] {mpeg4.toString(), "jpeg"});
        runs.put("mpeg4-re-encoded", new String[] {mpeg4.toString(), "h264"});
        for (Map.Entry<String, String[]> run : runs.entrySet()) {
            int status = Framewise.execute("ingest", "--source", run.getValue()[0], "--camera-id", run.getKey(),
                    "--codec", run.getValue()[1], "--bootstrap", kafka.bootstrapServers(), "--topic", s.framesTopic());
            assertEquals(0, status, "ingest " + run.getKey());
        }

        JobClient job = startJob(s, id);
        Topics.await(Duration.ofSeconds(180), "every frame classified",
                () -> Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic()).size()
                        + Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size() >= runs.size() * FRAMES);
        job.stopWithSavepoint(true, dir.resolve("sp-" + id).toUri().toString(), SavepointFormatType.CANONICAL).get();

        assertEquals(0, Topics.readAll(kafka.bootstrapServers(), s.deadLettersTopic()).size(), "no dead letters");
        Map<String, List<Long>> byCamera = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Topics.readAll(kafka.bootstrapServers(), s.classificationsTopic())) {
            FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
            byCamera.computeIfAbsent(c.getCameraId(), k -> new ArrayList<>()).add(c.getSequence());
        }
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < FRAMES; i++) {
            all.add(i);
        }
        for (String camera : runs.keySet()) {
            assertEquals(all, byCamera.get(camera), camera + ": every frame once, in order");
        }
    }
}
