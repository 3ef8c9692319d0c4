package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;

/** Checks the encoder's output structure directly and its pictures through JavaCV's grabber, not H264StreamDecoder. */
class H264EncoderTest {
    private static final int SPS_AND_PPS = 1 << AnnexB.NAL_SPS | 1 << AnnexB.NAL_PPS;

    @Test
    void keyFramesComeAtTheIntervalWithTheirParameterSetsInBand() {
        try (H264Encoder encoder = new H264Encoder(320, 240, 25, 20, 1000)) {
            for (int i = 0; i < 60; i++) {
                EncodedFrame frame = encoder.encode(TestPictures.moving(320, 240, i));
                byte[] unit = frame.accessUnit();
                assertTrue(AnnexB.isAnnexB(unit), "frame " + i + " starts with a start code");
                assertEquals(1, pictures(unit), "frame " + i + " is one access unit");
                assertEquals(AnnexB.containsIdr(unit), frame.keyFrame(), "frame " + i);
                int types = AnnexB.nalTypes(ByteBuffer.wrap(unit));
                if (i % 20 == 0) {
                    assertTrue(frame.keyFrame(), "frame " + i + " is a key frame");
                }
                if (frame.keyFrame()) {
                    assertEquals(SPS_AND_PPS, types & SPS_AND_PPS, "frame " + i + " has SPS and PPS in band");
                    assertNotNull(frame.codecConfig());
                    assertEquals(SPS_AND_PPS, AnnexB.nalTypes(ByteBuffer.wrap(frame.codecConfig())));
                } else {
                    assertEquals(0, types & SPS_AND_PPS, "frame " + i + " repeats no parameter sets");
                    assertNull(frame.codecConfig());
                }
            }
        }
    }

    @Test
    void everyPictureGivesOneAccessUnitEvenFarAboveTheBitRate() {
        // Noise at 20 kbit/s: a rate control allowed to skip frames would skip most of these.
        try (H264Encoder encoder = new H264Encoder(160, 120, 30, 50, 20)) {
            for (int i = 0; i < 40; i++) {
                EncodedFrame frame = encoder.encode(TestPictures.noise(160, 120, i));
                assertEquals(1, pictures(frame.accessUnit()), "frame " + i);
            }
        }
    }

    @Test
    void forcedKeyFrameIsAnIdrWithParameterSets() {
        try (H264Encoder encoder = new H264Encoder(160, 120, 25, 100, 500)) {
            for (int i = 0; i < 12; i++) {
                if (i == 7) {
                    encoder.forceKeyFrame();
                }
                EncodedFrame frame = encoder.encode(TestPictures.moving(160, 120, i));
                assertEquals(i == 0 || i == 7, frame.keyFrame(), "frame " + i);
                assertEquals(frame.keyFrame(), AnnexB.containsIdr(frame.accessUnit()), "frame " + i);
                assertEquals(frame.keyFrame(), frame.codecConfig() != null, "frame " + i);
            }
        }
    }

    @Test
    void anotherDecoderReadsBackEveryPicture() throws Exception {
        int frames = 30;
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (H264Encoder encoder = new H264Encoder(192, 128, 25, 10, 1500)) {
            for (int i = 0; i < frames; i++) {
                stream.writeBytes(encoder.encode(TestPictures.moving(192, 128, i)).accessUnit());
            }
        }
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(stream.toByteArray()))) {
            grabber.setFormat("h264");
            grabber.setPixelFormat(AV_PIX_FMT_RGB24);
            grabber.start();
            for (int i = 0; i < frames; i++) {
                Frame picture = grabber.grabImage();
                assertNotNull(picture, "picture " + i);
                assertEquals(192, picture.imageWidth);
                assertEquals(128, picture.imageHeight);
                assertTrue(meanAbsoluteError(TestPictures.moving(192, 128, i), picture) < 3,
                        "picture " + i + " is close to what was encoded");
            }
            assertNull(grabber.grabImage());
        }
    }

    @Test
    void refusesOddSizesAndImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(321, 240, 25, 10, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(320, 241, 25, 10, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(0, 240, 25, 10, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(320, 240, 0, 10, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(320, 240, Double.NaN, 10, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(320, 240, 25, 0, 500));
        assertThrows(IllegalArgumentException.class, () -> new H264Encoder(320, 240, 25, 10, 0));
        try (H264Encoder encoder = new H264Encoder(64, 48, 25, 10, 200)) {
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(new byte[64 * 48 * 3 - 1]));
        }
    }

    @Test
    void closeIsIdempotentAndEndsUse() {
        H264Encoder encoder = new H264Encoder(64, 48, 25, 10, 200);
        assertFalse(encoder.encode(new byte[64 * 48 * 3]).accessUnit().length == 0);
        encoder.close();
        encoder.close();
        assertThrows(IllegalStateException.class, () -> encoder.encode(new byte[64 * 48 * 3]));
        assertThrows(IllegalStateException.class, encoder::forceKeyFrame);
    }

    /**
     * Pictures in an access unit: slices whose first_mb_in_slice is 0, which opens a picture. It is the first
     * Exp-Golomb code after the one-byte NAL header, and 0 is coded as a single 1 bit.
     */
    static int pictures(byte[] annexB) {
        ByteBuffer data = ByteBuffer.wrap(annexB);
        int pictures = 0;
        for (int start = AnnexB.nalStart(data, 0); start >= 0;) {
            int end = AnnexB.nalEnd(data, start);
            int type = data.get(start) & 0x1F;
            if ((type == AnnexB.NAL_SLICE || type == AnnexB.NAL_IDR) && end > start + 1
                    && (data.get(start + 1) & 0x80) != 0) {
                pictures++;
            }
            start = AnnexB.nalStart(data, end);
        }
        return pictures;
    }

    private static double meanAbsoluteError(byte[] rgb, Frame picture) {
        ByteBuffer pixels = (ByteBuffer) picture.image[0];
        int stride = picture.imageStride;
        long sum = 0;
        for (int y = 0; y < picture.imageHeight; y++) {
            for (int x = 0; x < picture.imageWidth * 3; x++) {
                sum += Math.abs((rgb[y * picture.imageWidth * 3 + x] & 0xFF) - (pixels.get(y * stride + x) & 0xFF));
            }
        }
        return (double) sum / rgb.length;
    }
}
