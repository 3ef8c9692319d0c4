package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.VideoFrame;
import dev.framewise.testing.TestVideos;
import dev.framewise.testing.Topics;
import dev.framewise.testing.UdpVideoStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code framewise ingest} of a live camera: an MPEG-TS stream over UDP that goes dark and comes back.
 * Ingest notices the drop within its source timeout, reconnects by itself, starts again at a key
 * frame, and its sequence numbers go on across the gap.
 */
class IngestLiveStreamITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final TestVideos.Spec CAMERA = new TestVideos.Spec("mpegts", "libopenh264", 320, 240, 25, 12);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @ParameterizedTest(name = "--codec {0}")
    @ValueSource(strings = {"h264", "jpeg"})
    void aDroppedStreamIsReconnectedAndSequencesGoOn(String codec) throws Exception {
        String topic = "live-" + codec;
        kafka.createTopics(1, topic);
        String url = "udp://127.0.0.1:" + freeUdpPort();
        CliRun run;
        Instant lostReported;
        try (UdpVideoStream camera = new UdpVideoStream(url, CAMERA)) {
            camera.start();
            run = CliRun.start("ingest", "--source", url, "--camera-id", "gate", "--codec", codec,
                    "--source-timeout", "1.5", "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
            Topics.await(TIMEOUT, "frames before the drop", () -> Topics.count(kafka.bootstrapServers(), topic) >= 20);

            camera.stop();
            run.await("the drop reported", () -> run.err().contains(": stream lost ("), TIMEOUT);
            // Every frame of the first connection was taken before the drop was reported; the second's after.
            lostReported = Instant.now();
            // The camera stays dark through one attempt, which fails after the timeout and backs off.
            run.await("a failed attempt", () -> run.err().contains("framewise: reconnect attempt 1 failed: "), TIMEOUT);
            camera.start();
            run.await("a reconnect", () -> run.err().contains(": reconnected at attempt 2, "), TIMEOUT);
            long reconnectedAt = Topics.count(kafka.bootstrapServers(), topic);
            Topics.await(TIMEOUT, "frames after the reconnect",
                    () -> Topics.count(kafka.bootstrapServers(), topic) >= reconnectedAt + 20);
            CliRun.signalThisJvm("INT");
            assertEquals(0, run.status(TIMEOUT), run.err());
        }
        assertTrue(run.err().contains("framewise: " + url + ": stream lost (it ended, or sent nothing for 1.5 s);"
                + " reconnecting in 0.5 s"), run.err());
        assertTrue(run.out().contains("Stopped by SIGINT after "), run.out());
        assertTrue(run.out().contains(", 1 reconnect."), run.out());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("framewise: reconnect attempt ")).count(),
                "one line per failed attempt: " + run.err());

        List<VideoFrame> frames = IngestCommandITCase.checkSequence(Topics.readAll(kafka.bootstrapServers(), topic),
                "gate", url);
        int reconnect = 0;
        while (frames.get(reconnect).getCaptureTime().isBefore(lostReported)) {
            reconnect++;
        }
        assertTrue(reconnect >= 20 && reconnect < frames.size() - 20, "frames on both sides of the outage: " + reconnect);
        Duration outage = Duration.between(frames.get(reconnect - 1).getCaptureTime(), frames.get(reconnect).getCaptureTime());
        assertTrue(outage.compareTo(Duration.ofMillis(500)) > 0, "an outage between the connections: " + outage);
        for (int start : List.of(0, reconnect)) {
            VideoFrame first = frames.get(start);
            assertEquals(codec.equals("h264") ? Codec.H264 : Codec.JPEG, first.getCodec());
            assertTrue(first.getKeyFrame(), "frame " + start + " starts a connection with a key frame");
            if (codec.equals("h264")) {
                assertNotNull(first.getCodecConfig(), "and its SPS and PPS");
            }
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
