package dev.framewise.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceTest {
    @TempDir
    Path dir;

    @Test
    void kinds() throws Exception {
        Path clip = Files.createFile(dir.resolve("clip.mp4"));
        assertEquals(Source.Kind.FILE, Source.of(clip.toString()).kind());
        assertEquals(Source.Kind.FILE, Source.of(dir.resolve("missing.mp4").toString()).kind());
        assertEquals(Source.Kind.FILE, Source.of("file:///videos/clip.mp4").kind());
        assertEquals(Source.Kind.DEVICE, Source.of("/dev/video0").kind());
        assertEquals("v4l2", Source.of("/dev/video0").format());
        assertEquals(Source.Kind.STREAM, Source.of("rtsp://cam.local/stream1").kind());
        assertEquals(Source.Kind.STREAM, Source.of(dir.toString()).kind(), "an existing path that is not a regular file");
        assertFalse(Source.of(clip.toString()).live());
        assertTrue(Source.of("udp://127.0.0.1:5000").live());
        assertTrue(Source.of("/dev/video2").live());
        assertNull(Source.of(clip.toString()).scheme());
        assertEquals("rtsp", Source.of("RTSP://cam/1").scheme());
    }

    @Test
    void passwordsStayOffTheTopicAndTheTerminal() {
        assertEquals("rtsp://admin:***@10.0.0.7:554/stream1", Source.of("rtsp://admin:s3cret@10.0.0.7:554/stream1").redacted());
        assertEquals("rtsp://admin@10.0.0.7/stream1", Source.of("rtsp://admin@10.0.0.7/stream1").redacted());
        assertEquals("rtsp://***@cam/a b", Source.of("rtsp://u:p%@cam/a b").redacted(), "not a URI Java reads");
        assertEquals("udp://127.0.0.1:5000", Source.of("udp://127.0.0.1:5000").redacted());
    }

    @Test
    void networkReadsAreBoundedByTheTimeout() {
        Duration timeout = Duration.ofMillis(2500);
        assertEquals(Map.of("rw_timeout", "2500000", "rtsp_transport", "tcp", "timeout", "2500000"),
                Source.of("rtsp://cam/1").options(timeout));
        assertEquals(Map.of("rw_timeout", "2500000", "timeout", "2500000", "overrun_nonfatal", "1"),
                Source.of("udp://0.0.0.0:5000").options(timeout));
        assertEquals(Map.of("rw_timeout", "2500000", "timeout", "2500000"), Source.of("http://cam/mjpeg").options(timeout));
        assertEquals(Map.of("rw_timeout", "2500000"), Source.of("rtmp://server/live/cam").options(timeout),
                "rtmp's own timeout would make it listen");
        assertEquals(Map.of(), Source.of("/dev/video0").options(timeout));
    }
}
