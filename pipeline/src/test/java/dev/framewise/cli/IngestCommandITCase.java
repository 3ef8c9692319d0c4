package dev.framewise.cli;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.operators.codec.AnnexB;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.VideoFrame;
import dev.framewise.testing.TestVideos;
import dev.framewise.testing.Topics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code framewise ingest} of video files made here by FFmpeg, onto a real broker: every frame
 * arrives once, in order, numbered from 0, in the codec asked for.
 */
class IngestCommandITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int FRAMES = 30;
    private static final double FPS = 30;
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path videos;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafka.start();
        TestVideos.write(videos.resolve("h264.mp4"), new TestVideos.Spec("mp4", "libopenh264", WIDTH, HEIGHT, FPS, 10), FRAMES);
        TestVideos.write(videos.resolve("h264.mkv"), new TestVideos.Spec("matroska", "libopenh264", WIDTH, HEIGHT, FPS, 10), FRAMES);
        TestVideos.write(videos.resolve("mpeg4.avi"), new TestVideos.Spec("avi", "mpeg4", WIDTH, HEIGHT, FPS, 10), FRAMES);
        TestVideos.write(videos.resolve("mpeg4.mkv"), new TestVideos.Spec("matroska", "mpeg4", WIDTH, HEIGHT, FPS, 10), FRAMES);
    }

    @AfterAll
    static void tearDown() {
        kafka.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h264.mp4", "h264.mkv", "mpeg4.avi", "mpeg4.mkv"})
    void everyFrameAsJpegInOrder(String file) throws Exception {
        String topic = topic();
        String source = videos.resolve(file).toString();
        CliRun run = CliRun.run("ingest", "--source", source, "--camera-id", "cam-" + file,
                "--bootstrap", kafka.bootstrapServers(), "--topic", topic, "--quality", "90");
        assertEquals(0, run.status(TIMEOUT), run.err());

        List<ConsumerRecord<byte[], byte[]>> records = Topics.readAll(kafka.bootstrapServers(), topic);
        List<VideoFrame> frames = checkSequence(records, "cam-" + file, source);
        for (VideoFrame f : frames) {
            assertEquals(Codec.JPEG, f.getCodec());
            assertEquals(WIDTH, f.getWidth());
            assertEquals(HEIGHT, f.getHeight());
            assertTrue(f.getKeyFrame(), "a JPEG stands alone");
            assertNull(f.getCodecConfig());
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(f.getPayload())));
            assertNotNull(image, "frame " + f.getSequence() + " is a readable JPEG");
            assertEquals(WIDTH, image.getWidth());
            assertEquals(HEIGHT, image.getHeight());
        }
        checkPaced(frames, FPS);
        assertTrue(run.out().contains("End of " + source + " after "), run.out());
        assertTrue(run.out().contains(FRAMES + " frames sent"), run.out());
        assertTrue(run.out().contains("sequences 0 to " + (FRAMES - 1) + "; 0 skipped, 0 reconnects."), run.out());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h264.mp4", "h264.mkv"})
    void h264IsPassedThroughUntouched(String file) throws Exception {
        String topic = topic();
        Path source = videos.resolve(file);
        CliRun run = CliRun.run("ingest", "--source", source.toString(), "--camera-id", "cam-" + file, "--codec", "h264",
                "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        assertEquals(0, run.status(TIMEOUT), run.err());
        assertTrue(run.out().contains("H.264 passed through"), run.out());

        List<VideoFrame> frames = checkSequence(Topics.readAll(kafka.bootstrapServers(), topic), "cam-" + file,
                source.toString());
        SourceStream original = SourceStream.read(source);
        assertEquals(original.accessUnits().size(), frames.size(), "one record per packet of the file");
        int keyFrames = 0;
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame f = frames.get(i);
            byte[] expected = original.accessUnits().get(i);
            assertEquals(Codec.H264, f.getCodec());
            assertEquals(WIDTH, f.getWidth());
            assertEquals(HEIGHT, f.getHeight());
            assertArrayEquals(expected, bytes(f.getPayload()), "frame " + i + " is the file's packet, start codes for lengths");
            assertEquals(AnnexB.containsIdr(expected), f.getKeyFrame(), "frame " + i + " is a key frame where the file has an IDR");
            if (f.getKeyFrame()) {
                keyFrames++;
                assertArrayEquals(original.parameterSets(), bytes(f.getCodecConfig()), "SPS and PPS of the file's avcC");
            } else {
                assertNull(f.getCodecConfig());
            }
        }
        assertTrue(frames.get(0).getKeyFrame(), "the first record is a key frame");
        assertEquals(FRAMES / 10, keyFrames, "the file's IDRs, one every 10 frames");
        assertEquals(FRAMES, decodeH264(frames), "the records decode as one H.264 stream");
        checkPaced(frames, FPS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mpeg4.avi", "mpeg4.mkv", "h264.mp4 --transcode"})
    void otherCodecsAndTranscodeAreEncodedAsH264(String fileAndOption) throws Exception {
        String topic = topic();
        String file = fileAndOption.split(" ")[0];
        Path source = videos.resolve(file);
        List<String> args = new java.util.ArrayList<>(List.of("ingest", "--source", source.toString(), "--camera-id", "cam",
                "--codec", "h264", "--bootstrap", kafka.bootstrapServers(), "--topic", topic));
        if (fileAndOption.endsWith("--transcode")) {
            args.add("--transcode");
        }
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, run.status(TIMEOUT), run.err());
        assertTrue(run.out().contains("H.264 re-encoded (" + (file.startsWith("mpeg4") ? "the source is mpeg4" : "--transcode")
                + "), a key frame every 60 frames"), run.out());

        List<VideoFrame> frames = checkSequence(Topics.readAll(kafka.bootstrapServers(), topic), "cam", source.toString());
        assertEquals(FRAMES, frames.size());
        VideoFrame first = frames.get(0);
        assertTrue(first.getKeyFrame(), "the first record is a key frame");
        byte[] config = bytes(first.getCodecConfig());
        assertArrayEquals(config, AnnexB.parameterSets(config), "codec_config is SPS and PPS");
        for (VideoFrame f : frames) {
            assertEquals(Codec.H264, f.getCodec());
            assertEquals(WIDTH, f.getWidth());
            assertEquals(HEIGHT, f.getHeight());
            assertEquals(AnnexB.containsIdr(bytes(f.getPayload())), f.getKeyFrame());
        }
        if (file.startsWith("h264")) {
            assertFalse(java.util.Arrays.equals(SourceStream.read(source).accessUnits().get(1), bytes(frames.get(1).getPayload())),
                    "re-encoded, not passed through");
        }
        assertEquals(FRAMES, decodeH264(frames), "the records decode as one H.264 stream");
        checkPaced(frames, FPS);
    }

    @Test
    void fpsDropsFramesAndLoopStartsTheFileOver() throws Exception {
        String topic = topic();
        String source = videos.resolve("mpeg4.mkv").toString();
        // 30 frames a second capped at 10: every third frame, by the file's own clock.
        CliRun run = CliRun.start("ingest", "--source", source, "--camera-id", "looped", "--fps", "10", "--loop",
                "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        Topics.await(Duration.ofSeconds(30), "a second loop",
                () -> Topics.count(kafka.bootstrapServers(), topic) > FRAMES / 3 + 2);
        CliRun.signalThisJvm("INT");
        assertEquals(0, run.status(TIMEOUT), run.err());
        assertTrue(run.out().contains("Stopped by SIGINT after "), run.out());
        assertFalse(run.out().contains("; 0 skipped"), "two frames in three are dropped: " + run.out());

        List<VideoFrame> frames = checkSequence(Topics.readAll(kafka.bootstrapServers(), topic), "looped", source);
        assertTrue(frames.size() > FRAMES / 3 + 2, "more than one loop: " + frames.size());
        checkPaced(frames, 10);
    }

    @Test
    void aMissingTopicIsOneLineThatSaysHowToCreateIt() throws Exception {
        CliRun run = CliRun.run("ingest", "--source", videos.resolve("h264.mp4").toString(), "--camera-id", "c",
                "--bootstrap", kafka.bootstrapServers(), "--topic", "no-such-topic");
        assertEquals(1, run.status(TIMEOUT));
        assertEquals("framewise: error: topic no-such-topic does not exist at " + kafka.bootstrapServers()
                + ": create it, e.g. kafka-topics.sh --bootstrap-server " + kafka.bootstrapServers()
                + " --create --topic no-such-topic --partitions 4 (framewise run creates its topics itself)\n", run.err());
    }

    @Test
    void aFrameKafkaRefusesEndsIngestWithTheReason() throws Exception {
        String topic = "frames-too-small";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "1000"))))
                    .all().get();
        }
        Topics.await(TIMEOUT, "the topic", () -> Topics.count(kafka.bootstrapServers(), topic) == 0);
        CliRun run = CliRun.run("ingest", "--source", videos.resolve("h264.mkv").toString(), "--camera-id", "big",
                "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        assertEquals(1, run.status(TIMEOUT));
        List<String> errors = run.err().lines().filter(l -> l.startsWith("framewise: error:")).toList();
        assertEquals(1, errors.size(), run.err());
        assertTrue(errors.get(0).startsWith("framewise: error: Kafka at " + kafka.bootstrapServers()
                + " did not take a frame for " + topic + ": "), errors.get(0));
        assertTrue(run.out().contains("Failed after "), run.out());
    }

    @Test
    void aStreamThatRefusesAtTheStartIsOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "rtsp://viewer:secret@127.0.0.1:" + port + "/stream1";
        CliRun run = CliRun.run("ingest", "--source", url, "--camera-id", "c", "--bootstrap", kafka.bootstrapServers(),
                "--topic", topic());
        assertEquals(1, run.status(TIMEOUT));
        assertEquals("framewise: error: cannot open rtsp://viewer:***@127.0.0.1:" + port + "/stream1: Connection refused\n",
                run.err());
    }

    private static String topic() {
        String topic = "frames-" + TOPICS.incrementAndGet();
        kafka.createTopics(1, topic);
        return topic;
    }

    /** Decodes the records and checks what every frame of ingest has: key, camera, sequence 0..n-1, headers. */
    static List<VideoFrame> checkSequence(List<ConsumerRecord<byte[], byte[]>> records, String camera, String source) {
        List<VideoFrame> frames = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertEquals(camera, new String(r.key(), StandardCharsets.UTF_8));
            frames.add(decode(r.value()));
        }
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame f = frames.get(i);
            assertEquals(camera, f.getCameraId());
            assertEquals(i, f.getSequence(), "sequence numbers count the frames sent, from 0");
            assertEquals(Map.of("source", source), f.getHeaders());
            if (i > 0) {
                assertTrue(!f.getCaptureTime().isBefore(frames.get(i - 1).getCaptureTime()), "capture times go forward");
            }
        }
        return frames;
    }

    /** A file goes out at its frame rate, like a camera: n frames span (n - 1) / fps seconds, give or take. */
    static void checkPaced(List<VideoFrame> frames, double fps) {
        Duration span = Duration.between(frames.get(0).getCaptureTime(), frames.get(frames.size() - 1).getCaptureTime());
        double expected = (frames.size() - 1) / fps;
        assertTrue(span.toNanos() / 1e9 > expected * 0.8, "paced: " + frames.size() + " frames took " + span
                + ", expected about " + expected + " s");
    }

    private static VideoFrame decode(byte[] value) {
        try {
            return SingleObjectCodec.VIDEO_FRAME.decode(value);
        } catch (SingleObjectCodec.UnreadableRecordException e) {
            throw new AssertionError("not a VideoFrame", e);
        }
    }

    /** An H.264 file's packets as Annex-B access units, and the SPS and PPS of its avcC: what passthrough must give. */
    private record SourceStream(List<byte[]> accessUnits, byte[] parameterSets) {
        static SourceStream read(Path file) throws Exception {
            try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toString())) {
                grabber.start();
                AVCodecParameters parameters = grabber.getFormatContext().streams(grabber.getVideoStream()).codecpar();
                byte[] avcC = new byte[parameters.extradata_size()];
                parameters.extradata().get(avcC);
                List<byte[]> units = new java.util.ArrayList<>();
                for (AVPacket p = grabber.grabPacket(); p != null; p = grabber.grabPacket()) {
                    if (p.stream_index() == grabber.getVideoStream()) {
                        byte[] data = new byte[p.size()];
                        p.data().get(data);
                        units.add(AnnexB.fromLengthPrefixed(data, AnnexB.lengthSize(avcC)));
                    }
                    av_packet_unref(p);
                }
                return new SourceStream(units, AnnexB.parameterSetsFromAvcC(avcC));
            }
        }
    }

    /**
     * Decodes the records as a consumer does, as one raw H.264 stream: each key frame's codec_config,
     * then its access unit. Returns the number of pictures, each WIDTH x HEIGHT.
     */
    private static int decodeH264(List<VideoFrame> frames) throws Exception {
        Path stream = Files.createTempFile(videos, "records", ".h264");
        try (java.io.OutputStream out = Files.newOutputStream(stream)) {
            for (VideoFrame f : frames) {
                if (f.getKeyFrame()) {
                    out.write(bytes(f.getCodecConfig()));
                }
                out.write(bytes(f.getPayload()));
            }
        }
        int pictures = 0;
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(stream.toString())) {
            grabber.setFormat("h264");
            grabber.start();
            for (Frame picture = grabber.grabImage(); picture != null; picture = grabber.grabImage()) {
                assertEquals(WIDTH, picture.imageWidth);
                assertEquals(HEIGHT, picture.imageHeight);
                pictures++;
            }
        }
        return pictures;
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
