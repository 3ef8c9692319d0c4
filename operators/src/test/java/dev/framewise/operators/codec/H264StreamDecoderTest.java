package dev.framewise.operators.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decodes {@link H264Encoder} streams of {@link TestPictures#moving} and compares every picture with what
 * {@link FrameDecoder} makes of a lossless PNG of the same picture.
 */
class H264StreamDecoderTest {
    private static final Preprocessing IMAGENET = Preprocessing.imagenet(0.875);
    private static final float[] STD = IMAGENET.std();
    private static final long MAX_PIXELS = 4_000_000;
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int FRAMES = 60;
    private static final int KEY_INTERVAL = 20;
    /**
     * Mean difference from the PNG's model input, in 0-255 levels, that H.264's loss may cause: measured at
     * about 1 for the same picture, and over 5 for a neighbouring one, so a picture handed out late shows.
     */
    private static final double H264_LEVELS = 2.5;

    private static EncodedFrame[] stream;
    private static float[][] expected;
    private static FrameDecoder pngDecoder;

    @BeforeAll
    static void encode() throws FrameRejectedException {
        pngDecoder = new FrameDecoder(IMAGENET, MAX_PIXELS);
        stream = encodeStream(WIDTH, HEIGHT, FRAMES);
        expected = new float[FRAMES][];
        try (ImageEncoder images = new ImageEncoder()) {
            for (int i = 0; i < FRAMES; i++) {
                expected[i] = modelInputOfPng(images, TestPictures.moving(WIDTH, HEIGHT, i), WIDTH, HEIGHT);
            }
        }
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(i % KEY_INTERVAL == 0, stream[i].keyFrame(), "the test stream's key frames, frame " + i);
        }
    }

    @AfterAll
    static void close() {
        pngDecoder.close();
    }

    @Test
    void decodesEveryFrameAsFrameDecoderDoesThePng() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            assertTrue(decoder.awaitingKeyFrame());
            for (int i = 0; i < FRAMES; i++) {
                assertClose(expected[i], decode(decoder, i), "frame " + i);
                assertFalse(decoder.awaitingKeyFrame());
            }
        }
    }

    @Test
    void startingMidStreamWaitsForTheNextKeyFrame() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 5; i < KEY_INTERVAL; i++) {
                assertRejected(DeadLetterReason.MISSING_KEY_FRAME, "waits for the next key frame", decoder, i);
                assertTrue(decoder.awaitingKeyFrame());
            }
            for (int i = KEY_INTERVAL; i < FRAMES; i++) {
                assertClose(expected[i], decode(decoder, i), "frame " + i);
            }
        }
    }

    @Test
    void resetWaitsForTheNextKeyFrame() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 0; i < 10; i++) {
                decode(decoder, i);
            }
            decoder.reset();
            assertTrue(decoder.awaitingKeyFrame());
            for (int i = 10; i < KEY_INTERVAL; i++) {
                assertRejected(DeadLetterReason.MISSING_KEY_FRAME, "waits for the next key frame", decoder, i);
            }
            for (int i = KEY_INTERVAL; i < 30; i++) {
                assertClose(expected[i], decode(decoder, i), "frame " + i);
            }
        }
    }

    @Test
    void damagedFrameIsRejectedAndTheStreamWaitsForTheNextIdr() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 0; i < 25; i++) {
                decode(decoder, i);
            }
            byte[] damaged = damage(stream[25].accessUnit(), 25);
            assertRejected(DeadLetterReason.CORRUPT_IMAGE, "waits for the next key frame", decoder, WIDTH, HEIGHT,
                    false, null, damaged);
            assertTrue(decoder.awaitingKeyFrame());
            for (int i = 26; i < 2 * KEY_INTERVAL; i++) {
                assertRejected(DeadLetterReason.MISSING_KEY_FRAME, "waits for the next key frame", decoder, i);
            }
            for (int i = 2 * KEY_INTERVAL; i < FRAMES; i++) {
                assertClose(expected[i], decode(decoder, i), "frame " + i);
            }
        }
    }

    @Test
    void cutAndEmptyAccessUnitsAreTruncated() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            decode(decoder, 0);
            assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "empty", decoder, WIDTH, HEIGHT, false, null,
                    new byte[0]);
            assertTrue(decoder.awaitingKeyFrame());
            // A key frame cut right after its parameter sets.
            byte[] key = stream[KEY_INTERVAL].accessUnit();
            byte[] config = stream[KEY_INTERVAL].codecConfig();
            assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "holds no slice", decoder, WIDTH, HEIGHT, true, config,
                    Arrays.copyOf(key, config.length));
            decode(decoder, KEY_INTERVAL);
            assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "holds no slice", decoder, WIDTH, HEIGHT, false, null,
                    new byte[] {0, 0, 0, 1});
            assertTrue(decoder.awaitingKeyFrame());
            decode(decoder, 2 * KEY_INTERVAL);
            // Cut inside the slice: the decoder sees the picture end early.
            byte[] delta = stream[2 * KEY_INTERVAL + 1].accessUnit();
            FrameRejectedException e = assertThrows(FrameRejectedException.class, () -> decode(decoder, WIDTH,
                    HEIGHT, false, null, Arrays.copyOf(delta, delta.length / 2)));
            assertEquals(DeadLetterReason.CORRUPT_IMAGE, e.reason(), e.getMessage());
            assertTrue(decoder.awaitingKeyFrame());
        }
    }

    @Test
    void keyFrameNeedsAnIdrAndItsParameterSets() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            assertRejected(DeadLetterReason.CORRUPT_IMAGE, "holds no IDR slice", decoder, WIDTH, HEIGHT, true, null,
                    stream[1].accessUnit());
            byte[] bare = withoutParameterSets(stream[0].accessUnit());
            assertRejected(DeadLetterReason.CORRUPT_IMAGE, "h264 decoder", decoder, WIDTH, HEIGHT, true, null, bare);
            // The same access unit with its parameter sets out of band only, as codec_config.
            assertClose(expected[0], decode(decoder, WIDTH, HEIGHT, true, stream[0].codecConfig(), bare), "frame 0");
            assertClose(expected[1], decode(decoder, 1), "frame 1");
        }
    }

    @Test
    void wrongDeclaredSizeIsRejectedWithoutLosingTheStream() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            decode(decoder, 0);
            assertRejected(DeadLetterReason.SIZE_MISMATCH, "picture is 320x240 but the frame declares 320x200",
                    decoder, WIDTH, 200, false, null, stream[1].accessUnit());
            // Frame 1 was decoded all the same, so frame 2 still has its reference.
            assertFalse(decoder.awaitingKeyFrame());
            assertClose(expected[2], decode(decoder, 2), "frame 2");
            // A size that cannot be right: the frame is not decoded, so the stream is lost.
            assertRejected(DeadLetterReason.SIZE_MISMATCH, "0x240 is not positive", decoder, 0, HEIGHT, false, null,
                    stream[3].accessUnit());
            assertTrue(decoder.awaitingKeyFrame());
        }
    }

    @Test
    void picturesLargerThanTheLimitAreRejected() throws FrameRejectedException {
        // 256 x 256 is the smallest limit with this preprocessing; 320 x 240 is over it.
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, 256 * 256)) {
            assertRejected(DeadLetterReason.IMAGE_TOO_LARGE, "320x240 = 76800 pixels, more than the limit of 65536",
                    decoder, 0);
            assertTrue(decoder.awaitingKeyFrame());
            // Declared small, but the SPS says 320 x 240: the decoder itself refuses to allocate the picture.
            FrameRejectedException e = assertThrows(FrameRejectedException.class,
                    () -> decode(decoder, 160, 120, true, stream[0].codecConfig(), stream[0].accessUnit()));
            assertEquals(DeadLetterReason.CORRUPT_IMAGE, e.reason(), e.getMessage());
            assertTrue(decoder.awaitingKeyFrame());
        }
    }

    @Test
    void framesDecodedOnlyStillCarryTheStreamToTheNextFrames() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 0; i < 5; i++) {
                EncodedFrame frame = stream[i];
                decoder.decodeOnly(WIDTH, HEIGHT, frame.keyFrame(), frame.codecConfig() == null ? null
                        : ByteBuffer.wrap(frame.codecConfig()), ByteBuffer.wrap(frame.accessUnit()));
                assertFalse(decoder.awaitingKeyFrame(), "frame " + i);
            }
            // Frame 5 is a P-frame built on the frames only decoded: it comes out as the encoded picture.
            assertClose(expected[5], decode(decoder, 5), "frame 5 after 5 frames decoded only");
            EncodedFrame next = stream[6];
            assertThrows(FrameRejectedException.class, () -> decoder.decodeOnly(WIDTH + 16, HEIGHT, false, null,
                    ByteBuffer.wrap(next.accessUnit())), "a frame that lies about its size is still caught");
        }
    }

    @Test
    void decodeScaledGivesThePictureAtTheShortSideAsked() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            assertThrows(FrameRejectedException.class, () -> decodeScaled(decoder, 1, 120));
            RgbPicture full = decodeScaled(decoder, 0, HEIGHT);
            assertEquals(WIDTH, full.width());
            assertEquals(HEIGHT, full.height());
            assertTrue(meanLevels(TestPictures.moving(WIDTH, HEIGHT, 0), full.rgb()) < H264_LEVELS,
                    "the picture at its own size is the encoded one");
            RgbPicture half = decodeScaled(decoder, 1, 120);
            assertEquals(160, half.width());
            assertEquals(120, half.height());
            assertEquals(160 * 120 * 3, half.rgb().length);
            // What the job's other mode does downstream: preprocess the scaled picture as RAW_RGB24.
            RgbPicture resized = decodeScaled(decoder, 2, IMAGENET.resizeSize());
            assertEquals(341, resized.width());
            assertEquals(256, resized.height());
            float[] planes = new float[pngDecoder.floatsPerFrame()];
            pngDecoder.decode(Codec.RAW_RGB24, 341, 256, ByteBuffer.wrap(resized.rgb()), FloatBuffer.wrap(planes), 0);
            assertClose(expected[2], planes, "frame 2 through decodeScaled and RAW_RGB24");
            assertThrows(IllegalArgumentException.class, () -> decodeScaled(decoder, 3, 0));
        }
    }

    @Test
    void newParameterSetsAtAKeyFrameChangeThePictureSize() throws FrameRejectedException, IOException {
        EncodedFrame[] small = encodeStream(160, 128, 10);
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS);
                ImageEncoder images = new ImageEncoder()) {
            for (int i = 0; i < 10; i++) {
                assertClose(expected[i], decode(decoder, i), "large frame " + i);
            }
            for (int i = 0; i < 10; i++) {
                EncodedFrame frame = small[i];
                float[] planes = decode(decoder, 160, 128, frame.keyFrame(), frame.codecConfig(), frame.accessUnit());
                assertClose(modelInputOfPng(images, TestPictures.moving(160, 128, i), 160, 128), planes,
                        "small frame " + i);
            }
            for (int i = 0; i < 10; i++) {
                assertClose(expected[i], decode(decoder, i), "large frame " + i + " again");
            }
        }
    }

    @Test
    void manyDecodersOpenAndCloseWithoutGrowingTheProcess() throws Exception {
        // One output buffer for all, and a collection before each reading: the process then grows only by what
        // native code keeps. A decoder left open keeps about 1.5 MB here, so 200 of them would add about 300 MB.
        FloatBuffer out = ByteBuffer.allocateDirect(3 * IMAGENET.inputSize() * IMAGENET.inputSize() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < 20; i++) {
            openDecodeClose(out);
        }
        System.gc();
        long before = residentBytes();
        for (int i = 0; i < 200; i++) {
            openDecodeClose(out);
        }
        System.gc();
        long grown = residentBytes() - before;
        assertTrue(grown < 64L << 20, "200 decoders opened and closed grew the process by " + (grown >> 20) + " MB");
    }

    @Test
    void randomDamageEndsInARejectionOrAPictureNeverACrash() throws FrameRejectedException {
        Random random = new Random(7);
        FloatBuffer out = FloatBuffer.allocate(3 * IMAGENET.inputSize() * IMAGENET.inputSize());
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 0; i < 300; i++) {
                int index = i % FRAMES;
                EncodedFrame frame = stream[index];
                byte[] unit = frame.accessUnit().clone();
                byte[] config = frame.codecConfig() == null ? null : frame.codecConfig().clone();
                int bytes = random.nextInt(6);
                for (int j = 0; j < bytes; j++) {
                    byte[] target = config != null && random.nextInt(4) == 0 ? config : unit;
                    target[random.nextInt(target.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(10) == 0) {
                    unit = Arrays.copyOf(unit, random.nextInt(unit.length));
                }
                try {
                    decoder.decode(WIDTH, HEIGHT, frame.keyFrame(), config == null ? null : ByteBuffer.wrap(config),
                            ByteBuffer.wrap(unit), out, 0);
                } catch (FrameRejectedException e) {
                    assertNotEquals(DeadLetterReason.UNKNOWN, e.reason());
                    assertFalse(e.getMessage().isEmpty());
                }
            }
            byte[] noise = new byte[5000];
            random.nextBytes(noise);
            assertThrows(FrameRejectedException.class,
                    () -> decode(decoder, WIDTH, HEIGHT, true, null, noise));
            decoder.reset();
            for (int i = 0; i < 5; i++) {
                assertClose(expected[i], decode(decoder, i), "frame " + i + " after the damage");
            }
        }
    }

    @Test
    void writesItsSlotWithoutMovingPositions() throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            int floats = decoder.floatsPerFrame();
            FloatBuffer batch = ByteBuffer.allocateDirect(2 * floats * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            byte[] unit = stream[0].accessUnit();
            ByteBuffer payload = ByteBuffer.allocate(unit.length + 3);
            payload.position(3);
            payload.put(unit);
            payload.position(3);
            ByteBuffer config = ByteBuffer.wrap(stream[0].codecConfig());
            decoder.decode(WIDTH, HEIGHT, true, config, payload, batch, floats);
            assertEquals(0, batch.position());
            assertEquals(3, payload.position());
            assertEquals(0, config.position());
            assertEquals(0f, batch.get(floats - 1));
            float[] slot = new float[floats];
            batch.get(floats, slot);
            assertClose(expected[0], slot, "frame 0 in the second slot");
            assertThrows(IndexOutOfBoundsException.class, () -> decoder.decode(WIDTH, HEIGHT, false, null,
                    ByteBuffer.wrap(stream[1].accessUnit()), batch, floats + 1));
            assertFalse(decoder.awaitingKeyFrame(), "a caller's bug does not touch the stream");
            assertThrows(IllegalArgumentException.class, () -> decoder.decode(WIDTH, HEIGHT, false, null,
                    ByteBuffer.wrap(stream[1].accessUnit()), batch.asReadOnlyBuffer(), 0));
        }
    }

    @Test
    void closeIsIdempotentAndEndsUse() {
        H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS);
        decoder.close();
        decoder.close();
        assertThrows(IllegalStateException.class, () -> decode(decoder, 0));
        assertThrows(IllegalStateException.class, decoder::reset);
        assertThrows(IllegalArgumentException.class, () -> new H264StreamDecoder(IMAGENET, 256 * 256 - 1));
    }

    private static EncodedFrame[] encodeStream(int width, int height, int frames) {
        EncodedFrame[] encoded = new EncodedFrame[frames];
        try (H264Encoder encoder = new H264Encoder(width, height, 25, KEY_INTERVAL, 2000)) {
            for (int i = 0; i < frames; i++) {
                encoded[i] = encoder.encode(TestPictures.moving(width, height, i));
            }
        }
        return encoded;
    }

    private static float[] modelInputOfPng(ImageEncoder images, byte[] rgb, int width, int height)
            throws FrameRejectedException {
        float[] planes = new float[pngDecoder.floatsPerFrame()];
        pngDecoder.decode(Codec.PNG, width, height, ByteBuffer.wrap(images.png(rgb, width, height)),
                FloatBuffer.wrap(planes), 0);
        return planes;
    }

    private static void openDecodeClose(FloatBuffer out) throws FrameRejectedException {
        try (H264StreamDecoder decoder = new H264StreamDecoder(IMAGENET, MAX_PIXELS)) {
            for (int i = 0; i < 2; i++) {
                decoder.decode(WIDTH, HEIGHT, stream[i].keyFrame(), null, ByteBuffer.wrap(stream[i].accessUnit()),
                        out, 0);
            }
        }
    }

    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** The access unit with random bytes over the middle third of its last NAL unit (the slice data). */
    private static byte[] damage(byte[] unit, long seed) {
        byte[] damaged = unit.clone();
        List<byte[]> nals = AnnexBTest.nals(unit);
        int sliceLength = nals.get(nals.size() - 1).length;
        int sliceStart = unit.length - sliceLength;
        Random random = new Random(seed);
        for (int i = sliceStart + sliceLength / 3; i < sliceStart + 2 * sliceLength / 3; i++) {
            damaged[i] = (byte) random.nextInt(256);
        }
        return damaged;
    }

    private static byte[] withoutParameterSets(byte[] unit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : AnnexBTest.nals(unit)) {
            int type = nal[0] & 0x1F;
            if (type != AnnexB.NAL_SPS && type != AnnexB.NAL_PPS) {
                out.writeBytes(new byte[] {0, 0, 0, 1});
                out.writeBytes(nal);
            }
        }
        return out.toByteArray();
    }

    private static float[] decode(H264StreamDecoder decoder, int index) throws FrameRejectedException {
        EncodedFrame frame = stream[index];
        return decode(decoder, WIDTH, HEIGHT, frame.keyFrame(), frame.codecConfig(), frame.accessUnit());
    }

    private static float[] decode(H264StreamDecoder decoder, int width, int height, boolean keyFrame, byte[] config,
            byte[] unit) throws FrameRejectedException {
        FloatBuffer out = ByteBuffer.allocateDirect(decoder.floatsPerFrame() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        decoder.decode(width, height, keyFrame, config == null ? null : ByteBuffer.wrap(config),
                ByteBuffer.wrap(unit), out, 0);
        float[] planes = new float[decoder.floatsPerFrame()];
        out.get(0, planes);
        return planes;
    }

    private static RgbPicture decodeScaled(H264StreamDecoder decoder, int index, int shortSide)
            throws FrameRejectedException {
        EncodedFrame frame = stream[index];
        return decoder.decodeScaled(WIDTH, HEIGHT, frame.keyFrame(),
                frame.codecConfig() == null ? null : ByteBuffer.wrap(frame.codecConfig()),
                ByteBuffer.wrap(frame.accessUnit()), shortSide);
    }

    private static void assertRejected(DeadLetterReason reason, String message, H264StreamDecoder decoder,
            int index) {
        EncodedFrame frame = stream[index];
        assertRejected(reason, message, decoder, WIDTH, HEIGHT, frame.keyFrame(), frame.codecConfig(),
                frame.accessUnit());
    }

    private static void assertRejected(DeadLetterReason reason, String message, H264StreamDecoder decoder,
            int width, int height, boolean keyFrame, byte[] config, byte[] unit) {
        FrameRejectedException e = assertThrows(FrameRejectedException.class,
                () -> decode(decoder, width, height, keyFrame, config, unit));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(message), () -> "'" + e.getMessage() + "' should contain '" + message + "'");
    }

    /** Model inputs agree on average within {@link #H264_LEVELS}, in 0-255 levels of the picture. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        int plane = expected.length / 3;
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            sum += Math.abs(expected[i] - actual[i]) * STD[i / plane] * 255;
        }
        double mean = sum / expected.length;
        assertTrue(mean < H264_LEVELS, what + ": mean difference of " + mean + " levels");
    }

    private static double meanLevels(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length);
        long sum = 0;
        for (int i = 0; i < expected.length; i++) {
            sum += Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF));
        }
        return (double) sum / expected.length;
    }
}
