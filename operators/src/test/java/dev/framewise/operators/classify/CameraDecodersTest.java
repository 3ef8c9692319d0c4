package dev.framewise.operators.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framewise.model.Preprocessing;
import dev.framewise.operators.codec.EncodedFrame;
import dev.framewise.operators.codec.FrameRejectedException;
import dev.framewise.operators.codec.H264Encoder;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One H.264 decoder per camera, bounded (least recently used closed first), restarted on a gap. */
class CameraDecodersTest {
    static final int W = 64;
    static final int H = 48;
    static final int KEY_EVERY = 10;

    private final Preprocessing pre = Preprocessing.imagenet(0.875);
    private final FloatBuffer out = ByteBuffer.allocateDirect(3 * 224 * 224 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    private final CameraDecoders decoders = new CameraDecoders(pre, 10_000_000, 2);

    @AfterEach
    void close() {
        decoders.close();
    }

    /** A camera's stream: frames 0..n-1, key frames every KEY_EVERY. */
    static List<VideoFrame> stream(String camera, int n) {
        List<VideoFrame> frames = new ArrayList<>();
        byte[] rgb = new byte[W * H * 3];
        try (H264Encoder enc = new H264Encoder(W, H, 10, KEY_EVERY, 200)) {
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(rgb, (byte) (i * 7 + camera.hashCode()));
                EncodedFrame e = enc.encode(rgb);
                frames.add(VideoFrame.newBuilder().setCameraId(camera).setSequence(i).setCaptureTime(Instant.EPOCH)
                        .setCodec(Codec.H264).setWidth(W).setHeight(H).setPayload(ByteBuffer.wrap(e.accessUnit()))
                        .setKeyFrame(e.keyFrame())
                        .setCodecConfig(e.codecConfig() == null ? null : ByteBuffer.wrap(e.codecConfig())).build());
            }
        }
        return frames;
    }

    private void decode(VideoFrame f) throws FrameRejectedException {
        decoders.decoderFor(f).decode(f.getWidth(), f.getHeight(), f.getKeyFrame(), f.getCodecConfig(), f.getPayload(),
                out, 0);
    }

    private DeadLetterReason rejection(VideoFrame f) {
        return assertThrows(FrameRejectedException.class, () -> decode(f)).reason();
    }

    @Test
    void theLeastRecentlyUsedCameraIsClosedAndWaitsForAKeyFrame() throws Exception {
        List<VideoFrame> a = stream("a", 12);
        List<VideoFrame> b = stream("b", 12);
        List<VideoFrame> c = stream("c", 12);
        decode(a.get(0));
        decode(b.get(0));
        decode(a.get(1));
        assertEquals(2, decoders.open());
        decode(c.get(0)); // evicts b, the least recently used
        assertEquals(2, decoders.open());
        assertEquals(1, decoders.evictions());
        decode(a.get(2)); // a kept its stream
        assertEquals(DeadLetterReason.MISSING_KEY_FRAME, rejection(b.get(1)), "b starts over at a key frame");
        for (int i = 2; i < KEY_EVERY; i++) {
            assertEquals(DeadLetterReason.MISSING_KEY_FRAME, rejection(b.get(i)));
        }
        decode(b.get(KEY_EVERY));
        decode(b.get(KEY_EVERY + 1));
    }

    @Test
    void aGapInTheSequenceRestartsTheStreamAtTheNextKeyFrame() throws Exception {
        List<VideoFrame> a = stream("a", 12);
        decode(a.get(0));
        decode(a.get(1));
        assertEquals(DeadLetterReason.MISSING_KEY_FRAME, rejection(a.get(3)), "frame 2 never came");
        assertEquals(1, decoders.gaps());
        assertEquals(DeadLetterReason.MISSING_KEY_FRAME, rejection(a.get(4)));
        decode(a.get(KEY_EVERY));
    }

    @Test
    void aSenderThatRestartsItsNumberingStartsANewStream() throws Exception {
        List<VideoFrame> first = stream("a", 5);
        for (VideoFrame f : first) {
            decode(f);
        }
        List<VideoFrame> again = stream("a", 3);
        decode(again.get(0)); // sequence 0 again, a key frame: decodes
        decode(again.get(1));
        assertEquals(1, decoders.gaps());
    }
}
