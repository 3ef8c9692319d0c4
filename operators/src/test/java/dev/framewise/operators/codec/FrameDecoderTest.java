package dev.framewise.operators.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final Preprocessing IMAGENET = Preprocessing.imagenet(0.875);
    private static final int S = IMAGENET.inputSize();
    private static final float[] MEAN = IMAGENET.mean();
    private static final float[] STD = IMAGENET.std();
    /** JPEG error budget for flat colours and well inside bands, in 0-255 levels. */
    private static final double JPEG_LEVELS = 3;
    private static final long MAX_PIXELS = 4_000_000;

    private static ImageEncoder encoder;
    private static FrameDecoder decoder;

    @BeforeAll
    static void open() {
        encoder = new ImageEncoder();
        decoder = new FrameDecoder(IMAGENET, MAX_PIXELS);
    }

    @AfterAll
    static void close() {
        decoder.close();
        encoder.close();
    }

    @Test
    void solidJpegGivesConstantNormalizedPlanes() throws Exception {
        byte[] jpeg = encoder.jpeg(TestPictures.solid(320, 240, 200, 100, 50), 320, 240, 95);
        float[] planes = decode(decoder, Codec.JPEG, 320, 240, jpeg);
        assertPlanes(planes, new int[] {200, 100, 50}, JPEG_LEVELS);
    }

    @Test
    void solidPngGivesExactlyNormalizedValues() throws Exception {
        byte[] png = encoder.png(TestPictures.solid(300, 200, 10, 128, 250), 300, 200);
        float[] planes = decode(decoder, Codec.PNG, 300, 200, png);
        for (int c = 0; c < 3; c++) {
            float expected = (new int[] {10, 128, 250}[c] / 255f - MEAN[c]) / STD[c];
            for (int i = 0; i < S * S; i++) {
                assertEquals(expected, planes[c * S * S + i], 1e-6f, "channel " + c + " at " + i);
            }
        }
    }

    @Test
    void picturesOfTheSameSizeDecodeIndependently() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int[] colour : new int[][] {{40, 160, 90}, {200, 10, 0}}) {
                byte[] rgb = TestPictures.solid(80, 60, colour[0], colour[1], colour[2]);
                assertPlanes(decode(decoder, Codec.PNG, 80, 60, encoder.png(rgb, 80, 60)), colour, 0.5);
                assertPlanes(decode(decoder, Codec.JPEG, 80, 60, encoder.jpeg(rgb, 80, 60, 95)), colour, JPEG_LEVELS);
            }
        }
    }

    @Test
    void decodesTheFormatsOfAnotherEncoder() throws Exception {
        // The JDK's writers make pictures FFmpeg's encoders here do not: grey, 16-bit, alpha, palette, 1-bit
        // PNGs, and grey and progressive JPEGs. Each decodes to its colour.
        int[] grey = {77, 77, 77};
        assertDecodes(Codec.PNG, greyImage(BufferedImage.TYPE_BYTE_GRAY, 77), "png", false, grey, 0.5);
        assertDecodes(Codec.PNG, greyImage(BufferedImage.TYPE_USHORT_GRAY, 77 * 257), "png", false, grey, 1);
        assertDecodes(Codec.PNG, colourImage(BufferedImage.TYPE_4BYTE_ABGR, 0x80C86432), "png", false,
                new int[] {200, 100, 50}, 0.5);
        // swscale takes palette and 1-bit pictures through 8-bit YUV: 255 may come out as 254.
        BufferedImage indexed = colourImage(BufferedImage.TYPE_BYTE_INDEXED, 0xFFFF3300);
        assertDecodes(Codec.PNG, indexed, "png", false, rgbOf(indexed), 1);
        BufferedImage binary = colourImage(BufferedImage.TYPE_BYTE_BINARY, 0xFFFFFFFF);
        assertDecodes(Codec.PNG, binary, "png", false, new int[] {255, 255, 255}, 1);
        assertDecodes(Codec.JPEG, greyImage(BufferedImage.TYPE_BYTE_GRAY, 77), "jpeg", false, grey, JPEG_LEVELS);
        assertDecodes(Codec.JPEG, colourImage(BufferedImage.TYPE_3BYTE_BGR, 0xFFC86432), "jpeg", true,
                new int[] {200, 100, 50}, JPEG_LEVELS);
    }

    @Test
    void leftRightSplitStaysOnItsSideAfterResizeAndCrop() throws Exception {
        int[] red = {230, 20, 20};
        int[] blue = {20, 20, 230};
        byte[] jpeg = encoder.jpeg(TestPictures.leftRight(400, 300, red, blue), 400, 300, 95);
        float[] planes = decode(decoder, Codec.JPEG, 400, 300, jpeg);
        // 400x300 resizes to 341x256; the crop starts at column 58, so the edge lands at about column 112.
        for (int y = 0; y < S; y += 7) {
            for (int x = 0; x < S; x++) {
                if (x < 104) {
                    assertPixel(planes, x, y, red, 12);
                } else if (x >= 121) {
                    assertPixel(planes, x, y, blue, 12);
                }
            }
        }
    }

    @Test
    void portraitAndLandscapeResizeTheShortSideAndCropTheCentre() throws Exception {
        for (int[] size : new int[][] {{240, 480}, {480, 240}, {300, 1000}, {1000, 300}}) {
            int width = size[0];
            int height = size[1];
            byte[] band = TestPictures.middleBand(width, height);
            assertPlanes(decode(decoder, Codec.PNG, width, height, encoder.png(band, width, height)),
                    new int[] {255, 255, 255}, 0.5);
            assertPlanes(decode(decoder, Codec.JPEG, width, height, encoder.jpeg(band, width, height, 95)),
                    new int[] {255, 255, 255}, JPEG_LEVELS);
        }
    }

    @Test
    void reducedSizeJpegDecodingHalvesOnlyWhileTheResizeStillFits() {
        // ImageNet at 224 with crop 0.875 resizes the short side to 256.
        assertEquals(0, FrameDecoder.lowresFor(640, 480, 256), "480 / 2 = 240 < 256: full size");
        assertEquals(1, FrameDecoder.lowresFor(1280, 720, 256), "720 / 2 = 360; / 4 = 180 < 256");
        assertEquals(2, FrameDecoder.lowresFor(2560, 1440, 256), "1440 / 4 = 360; / 8 = 180 < 256");
        assertEquals(3, FrameDecoder.lowresFor(7680, 4320, 256), "4320 / 8 = 540, but FFmpeg stops at an eighth");
        assertEquals(1, FrameDecoder.lowresFor(480, 640, 235), "portrait: the short side counts");
    }

    @Test
    void reducedSizeJpegDecodingGivesNearlyTheFullDecodesInput() throws Exception {
        int width = 1280;
        int height = 720;
        int[] red = {230, 20, 20};
        int[] blue = {20, 20, 230};
        byte[] jpeg = encoder.jpeg(TestPictures.leftRight(width, height, red, blue), width, height, 95);
        float[] full = decode(decoder, Codec.JPEG, width, height, jpeg);
        try (FrameDecoder reduced = new FrameDecoder(IMAGENET, MAX_PIXELS, true)) {
            float[] half = decode(reduced, Codec.JPEG, width, height, jpeg);
            double sum = 0;
            for (int i = 0; i < full.length; i++) {
                sum += Math.abs(full[i] - half[i]) * STD[i / (S * S)] * 255;
            }
            double meanLevels = sum / full.length;
            assertTrue(meanLevels < 2, "reduced-size decoding differs by " + meanLevels + " levels on average");
            // The colours stay on their sides: only the edge column moves by a pixel or so.
            assertPixel(half, 20, S / 2, red, 12);
            assertPixel(half, S - 20, S / 2, blue, 12);
            // A frame that lies about its size is still caught at the reduced size.
            assertRejected(reduced, DeadLetterReason.SIZE_MISMATCH, "704", Codec.JPEG, width, 704, jpeg);
        }
    }

    @Test
    void pngWithNearestAtAnIntegerScaleIsExact() throws Exception {
        // Short side 32 -> 16 (exactly half), long side 48 -> 24; crop 8: columns 4..11, rows 8..15.
        Preprocessing nearest = new Preprocessing(8, "nearest", 0.5, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        byte[] rgb = TestPictures.noise(32, 48, 7);
        try (FrameDecoder exact = new FrameDecoder(nearest, 10_000)) {
            float[] planes = decode(exact, Codec.PNG, 32, 48, encoder.png(rgb, 32, 48));
            assertArrayEquals(nearestCrop(rgb, 32, 4, 8, 8), planes);
        }
    }

    @Test
    void rawRgb24FromHeapAndDirectBuffersIsExact() throws Exception {
        Preprocessing nearest = new Preprocessing(8, "nearest", 0.5, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        // A landscape picture this time: 48x32 -> 24x16, crop 8: columns 8..15, rows 4..11.
        byte[] rgb = TestPictures.noise(48, 32, 11);
        float[] expected = nearestCrop(rgb, 48, 8, 4, 8);
        try (FrameDecoder exact = new FrameDecoder(nearest, 10_000)) {
            assertArrayEquals(expected, decode(exact, Codec.RAW_RGB24, 48, 32, rgb));
            ByteBuffer direct = ByteBuffer.allocateDirect(rgb.length + 5);
            direct.position(5);
            direct.put(rgb);
            direct.position(5);
            FloatBuffer out = FloatBuffer.allocate(exact.floatsPerFrame());
            exact.decode(Codec.RAW_RGB24, 48, 32, direct, out, 0);
            assertEquals(5, direct.position());
            assertArrayEquals(expected, out.array());
        }
    }

    @Test
    void writesItsSlotOfABatchWithoutMovingPositions() throws Exception {
        int floats = decoder.floatsPerFrame();
        assertEquals(3 * S * S, floats);
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * floats * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        batch.position(17);
        byte[] jpeg = encoder.jpeg(TestPictures.solid(64, 48, 255, 255, 255), 64, 48, 90);
        ByteBuffer payload = ByteBuffer.allocate(jpeg.length + 3);
        payload.position(3);
        payload.put(jpeg);
        payload.position(3);
        decoder.decode(Codec.JPEG, 64, 48, payload, batch, floats);
        assertEquals(17, batch.position());
        assertEquals(3, payload.position());
        assertEquals(0f, batch.get(floats - 1));
        assertEquals(0f, batch.get(2 * floats));
        float[] slot = new float[floats];
        batch.get(floats, slot);
        assertPlanes(slot, new int[] {255, 255, 255}, JPEG_LEVELS);
        assertThrows(IndexOutOfBoundsException.class,
                () -> decoder.decode(Codec.JPEG, 64, 48, payload, batch, 2 * floats + 1));
    }

    @Test
    void rejectsUnknownCodecs() throws Exception {
        byte[] jpeg = encoder.jpeg(TestPictures.solid(32, 32, 1, 2, 3), 32, 32, 90);
        assertRejected(DeadLetterReason.UNSUPPORTED_CODEC, "UNKNOWN", Codec.UNKNOWN, 32, 32, jpeg);
        assertRejected(DeadLetterReason.UNSUPPORTED_CODEC, "null", null, 32, 32, jpeg);
        assertStillDecodes();
    }

    @Test
    void rejectsDeclaredSizesThatDoNotMatch() throws Exception {
        byte[] rgb = TestPictures.solid(320, 240, 9, 9, 9);
        byte[] jpeg = encoder.jpeg(rgb, 320, 240, 90);
        byte[] png = encoder.png(rgb, 320, 240);
        assertRejected(DeadLetterReason.SIZE_MISMATCH, "320x240 but the frame declares 321x240", Codec.JPEG, 321,
                240, jpeg);
        assertRejected(DeadLetterReason.SIZE_MISMATCH, "320x240 but the frame declares 320x480", Codec.PNG, 320,
                480, png);
        assertRejected(DeadLetterReason.SIZE_MISMATCH, "0x240 is not positive", Codec.JPEG, 0, 240, jpeg);
        assertRejected(DeadLetterReason.SIZE_MISMATCH, "230400 bytes but 320x241x3 = 231360", Codec.RAW_RGB24,
                320, 241, rgb);
        assertStillDecodes();
    }

    @Test
    void rejectsTruncatedPictures() throws Exception {
        byte[] rgb = TestPictures.noise(160, 120, 3);
        byte[] jpeg = encoder.jpeg(rgb, 160, 120, 90);
        byte[] png = encoder.png(rgb, 160, 120);
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "does not end with the EOI marker FF D9", Codec.JPEG, 160,
                120, Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "of " + (jpeg.length - 1) + " bytes", Codec.JPEG, 160,
                120, Arrays.copyOf(jpeg, jpeg.length - 1));
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "ends before the start of its first scan", Codec.JPEG, 160,
                120, Arrays.copyOf(jpeg, 40));
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "does not end with a complete IEND chunk", Codec.PNG, 160,
                120, Arrays.copyOf(png, png.length / 2));
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "does not end with a complete IEND chunk", Codec.PNG, 160,
                120, Arrays.copyOf(png, png.length - 1));
        assertRejected(DeadLetterReason.TRUNCATED_IMAGE, "ends before its header gives the picture size", Codec.PNG,
                160, 120, Arrays.copyOf(png, 20));
        assertStillDecodes();
    }

    @Test
    void rejectsCorruptPictures() throws Exception {
        byte[] rgb = TestPictures.noise(160, 120, 5);
        byte[] jpeg = encoder.jpeg(rgb, 160, 120, 90);
        byte[] png = encoder.png(rgb, 160, 120);
        byte[] badScan = jpeg.clone();
        int scan = scanStart(jpeg);
        for (int i = scan + (jpeg.length - scan) / 3; i < scan + (jpeg.length - scan) / 2; i++) {
            badScan[i] = (byte) (badScan[i] == (byte) 0xFF ? 0xFF : badScan[i] ^ 0x5A);
        }
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "JPEG decoder rejected", Codec.JPEG, 160, 120, badScan);
        byte[] badPng = png.clone();
        badPng[png.length / 2] ^= 0x01;
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "PNG decoder rejected", Codec.PNG, 160, 120, badPng);
        // Every chunk whole, but the last IDAT left out: rows are missing, which FFmpeg would otherwise allow.
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "PNG decoder rejected", Codec.PNG, 160, 120,
                withoutLastIdat(png));
        // Headers and EOI but no scan: FFmpeg would hand out a picture it never filled in.
        byte[] noScan = Arrays.copyOf(jpeg, indexOf(jpeg, (byte) 0xFF, (byte) 0xDA) + 2);
        noScan[noScan.length - 1] = (byte) 0xD9;
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "before any scan (SOS)", Codec.JPEG, 160, 120, noScan);
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "not a JPEG: byte 0 is 89", Codec.JPEG, 160, 120, png);
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "not a PNG: byte 0 is FF", Codec.PNG, 160, 120, jpeg);
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "payload is empty", Codec.JPEG, 160, 120, new byte[0]);
        assertRejected(DeadLetterReason.CORRUPT_IMAGE, "payload is empty", Codec.PNG, 160, 120, null);
        assertStillDecodes();
    }

    @Test
    void rejectsPicturesLargerThanTheLimitBeforeDecoding() throws Exception {
        // Headers patched to 60000x60000: a few hundred bytes that would otherwise ask for gigabytes.
        byte[] jpeg = encoder.jpeg(TestPictures.solid(64, 48, 1, 1, 1), 64, 48, 90);
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        jpeg[sof + 5] = (byte) 0xEA;
        jpeg[sof + 6] = 0x60;
        jpeg[sof + 7] = (byte) 0xEA;
        jpeg[sof + 8] = 0x60;
        assertRejected(DeadLetterReason.IMAGE_TOO_LARGE, "60000x60000 = 3600000000 pixels, more than the limit of "
                + MAX_PIXELS, Codec.JPEG, 60000, 60000, jpeg);
        byte[] png = encoder.png(TestPictures.solid(64, 48, 1, 1, 1), 64, 48);
        ByteBuffer.wrap(png).putInt(16, 60000).putInt(20, 60000);
        assertRejected(DeadLetterReason.IMAGE_TOO_LARGE, "PNG header declares 60000x60000", Codec.PNG, 60000, 60000,
                png);
        assertRejected(DeadLetterReason.IMAGE_TOO_LARGE, "RAW_RGB24 frame declares 3000x3000", Codec.RAW_RGB24, 3000,
                3000, new byte[3]);
        // Small, but a short side of 256 would make it 256x131072.
        byte[] thin = encoder.png(TestPictures.solid(2, 1024, 1, 1, 1), 2, 1024);
        assertRejected(DeadLetterReason.IMAGE_TOO_LARGE, "gives 256x131072", Codec.PNG, 2, 1024, thin);
        assertStillDecodes();
    }

    @Test
    void randomDamageEndsInARejectionOrAPictureNeverACrash() throws Exception {
        byte[] rgb = TestPictures.noise(64, 48, 21);
        byte[][] pictures = {encoder.jpeg(rgb, 64, 48, 80), encoder.png(rgb, 64, 48)};
        Codec[] codecs = {Codec.JPEG, Codec.PNG};
        Random random = new Random(42);
        FloatBuffer out = FloatBuffer.allocate(decoder.floatsPerFrame());
        for (int i = 0; i < 400; i++) {
            int which = i % 2;
            byte[] damaged = pictures[which].clone();
            int bytes = 1 + random.nextInt(8);
            for (int j = 0; j < bytes; j++) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                decoder.decode(codecs[which], 64, 48, ByteBuffer.wrap(damaged), out, 0);
            } catch (FrameRejectedException e) {
                assertTrue(e.reason() != DeadLetterReason.UNKNOWN && !e.getMessage().isEmpty());
            }
        }
        assertStillDecodes();
    }

    @Test
    void decodesManyFramesOfChangingSizesAndCodecs() throws Exception {
        int[][] sizes = {{320, 240}, {64, 48}, {641, 479}, {200, 300}, {48, 64}, {1280, 720}, {257, 256}, {64, 48}};
        Codec[] codecs = {Codec.JPEG, Codec.PNG, Codec.RAW_RGB24};
        int n = 0;
        for (int round = 0; round < 2; round++) {
            for (int[] size : sizes) {
                for (Codec codec : codecs) {
                    int[] colour = {(n * 37) % 256, (n * 91) % 256, (n * 13) % 256};
                    byte[] rgb = TestPictures.solid(size[0], size[1], colour[0], colour[1], colour[2]);
                    byte[] payload = switch (codec) {
                        case JPEG -> encoder.jpeg(rgb, size[0], size[1], 95);
                        case PNG -> encoder.png(rgb, size[0], size[1]);
                        default -> rgb;
                    };
                    float[] planes = decode(decoder, codec, size[0], size[1], payload);
                    assertPlanes(planes, colour, codec == Codec.JPEG ? JPEG_LEVELS : 0.5);
                    n++;
                }
            }
        }
    }

    @Test
    void closeIsIdempotentAndEndsUse() {
        FrameDecoder local = new FrameDecoder(IMAGENET, MAX_PIXELS);
        local.close();
        local.close();
        assertThrows(IllegalStateException.class, () -> decode(local, Codec.RAW_RGB24, 1, 1, new byte[3]));
    }

    @Test
    void refusesLimitsThatWouldRejectEveryFrame() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(IMAGENET, 256 * 256 - 1));
        assertThrows(IllegalArgumentException.class,
                () -> new FrameDecoder(IMAGENET, FrameDecoder.MAX_PIXELS_LIMIT + 1));
    }

    private static void assertDecodes(Codec codec, BufferedImage image, String format, boolean progressive,
            int[] colour, double levels) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        assertPlanes(decode(decoder, codec, image.getWidth(), image.getHeight(), bytes.toByteArray()), colour, levels);
    }

    private static BufferedImage greyImage(int type, int sample) {
        BufferedImage image = new BufferedImage(90, 70, type);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.getRaster().setSample(x, y, 0, sample);
            }
        }
        return image;
    }

    private static BufferedImage colourImage(int type, int argb) {
        BufferedImage image = new BufferedImage(90, 70, type);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, argb);
            }
        }
        return image;
    }

    /** The colour a picture really holds (a palette may only have a near one). */
    private static int[] rgbOf(BufferedImage image) {
        int rgb = image.getRGB(0, 0);
        return new int[] {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
    }

    private static float[] decode(FrameDecoder decoder, Codec codec, int width, int height, byte[] payload)
            throws FrameRejectedException {
        FloatBuffer out = ByteBuffer.allocateDirect(decoder.floatsPerFrame() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        decoder.decode(codec, width, height, payload == null ? null : ByteBuffer.wrap(payload), out, 0);
        float[] planes = new float[decoder.floatsPerFrame()];
        out.get(0, planes);
        return planes;
    }

    private static void assertRejected(DeadLetterReason reason, String message, Codec codec, int width, int height,
            byte[] payload) {
        assertRejected(decoder, reason, message, codec, width, height, payload);
    }

    private static void assertRejected(FrameDecoder decoder, DeadLetterReason reason, String message, Codec codec,
            int width, int height, byte[] payload) {
        FrameRejectedException e = assertThrows(FrameRejectedException.class,
                () -> decode(decoder, codec, width, height, payload));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(message), () -> "'" + e.getMessage() + "' should contain '" + message + "'");
    }

    /** The shared decoder still turns a good frame into the right values. */
    private static void assertStillDecodes() throws FrameRejectedException {
        byte[] rgb = TestPictures.solid(96, 64, 40, 160, 90);
        assertPlanes(decode(decoder, Codec.JPEG, 96, 64, encoder.jpeg(rgb, 96, 64, 95)), new int[] {40, 160, 90},
                JPEG_LEVELS);
        assertPlanes(decode(decoder, Codec.PNG, 96, 64, encoder.png(rgb, 96, 64)), new int[] {40, 160, 90}, 0.5);
    }

    private static void assertPlanes(float[] planes, int[] colour, double levels) {
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                assertPixel(planes, x, y, colour, levels);
            }
        }
    }

    private static void assertPixel(float[] planes, int x, int y, int[] colour, double levels) {
        for (int c = 0; c < 3; c++) {
            double level = (planes[c * S * S + y * S + x] * STD[c] + MEAN[c]) * 255;
            assertEquals(colour[c], level, levels, "channel " + c + " at (" + x + ", " + y + ")");
        }
    }

    /** The crop at (left, top) of a half-size nearest resize, which picks source pixel 2i + 1 as PIL does. */
    private static float[] nearestCrop(byte[] rgb, int width, int left, int top, int size) {
        float[] planes = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int sx = 2 * (left + x) + 1;
                    int sy = 2 * (top + y) + 1;
                    planes[c * size * size + y * size + x] = (rgb[(sy * width + sx) * 3 + c] & 0xFF) / 255f;
                }
            }
        }
        return planes;
    }

    /** The PNG with its last IDAT chunk removed; the encoder writes several for a noisy picture. */
    private static byte[] withoutLastIdat(byte[] png) {
        ByteBuffer chunks = ByteBuffer.wrap(png);
        int last = -1;
        int count = 0;
        for (int at = 8; at < png.length; at += chunks.getInt(at) + 12) {
            if (chunks.getInt(at + 4) == 0x49444154) { // "IDAT"
                last = at;
                count++;
            }
        }
        assertTrue(count >= 2, "the PNG should have several IDAT chunks, has " + count);
        int length = chunks.getInt(last) + 12;
        byte[] cut = new byte[png.length - length];
        System.arraycopy(png, 0, cut, 0, last);
        System.arraycopy(png, last + length, cut, last, png.length - last - length);
        return cut;
    }

    /** The first byte after the SOS segment: where the entropy-coded data begins. */
    private static int scanStart(byte[] jpeg) {
        int sos = indexOf(jpeg, (byte) 0xFF, (byte) 0xDA);
        return sos + 2 + ((jpeg[sos + 2] & 0xFF) << 8 | jpeg[sos + 3] & 0xFF);
    }

    private static int indexOf(byte[] data, byte first, byte second) {
        for (int i = 0; i + 1 < data.length; i++) {
            if (data[i] == first && data[i + 1] == second) {
                return i;
            }
        }
        throw new AssertionError(String.format("no %02X %02X in the data", first, second));
    }
}
