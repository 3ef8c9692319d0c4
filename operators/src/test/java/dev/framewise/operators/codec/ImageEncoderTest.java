package dev.framewise.operators.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Reads what the encoder writes with the JDK's own decoders, so a fault cannot cancel out in FrameDecoder. */
class ImageEncoderTest {

    @Test
    void pngIsLosslessAtAnySizeAndAfterSizeChanges() throws IOException {
        try (ImageEncoder encoder = new ImageEncoder()) {
            for (int[] size : new int[][] {{64, 48}, {33, 17}, {1, 1}, {64, 48}, {17, 33}}) {
                byte[] rgb = TestPictures.noise(size[0], size[1], size[0] * 31L + size[1]);
                BufferedImage image = read(encoder.png(rgb, size[0], size[1]));
                assertEquals(size[0], image.getWidth());
                assertEquals(size[1], image.getHeight());
                for (int y = 0; y < size[1]; y++) {
                    for (int x = 0; x < size[0]; x++) {
                        int at = (y * size[0] + x) * 3;
                        int expected = (rgb[at] & 0xFF) << 16 | (rgb[at + 1] & 0xFF) << 8 | rgb[at + 2] & 0xFF;
                        assertEquals(expected, image.getRGB(x, y) & 0xFFFFFF, "pixel (" + x + ", " + y + ")");
                    }
                }
            }
        }
    }

    @Test
    void jpegKeepsColoursAtEvenAndOddSizes() throws IOException {
        try (ImageEncoder encoder = new ImageEncoder()) {
            for (int[] size : new int[][] {{64, 48}, {63, 47}, {1, 1}, {64, 48}}) {
                byte[] rgb = TestPictures.solid(size[0], size[1], 30, 140, 220);
                BufferedImage image = read(encoder.jpeg(rgb, size[0], size[1], 95));
                assertEquals(size[0], image.getWidth());
                assertEquals(size[1], image.getHeight());
                int pixel = image.getRGB(size[0] / 2, size[1] / 2);
                assertEquals(30, pixel >> 16 & 0xFF, 3);
                assertEquals(140, pixel >> 8 & 0xFF, 3);
                assertEquals(220, pixel & 0xFF, 3);
            }
        }
    }

    @Test
    void higherQualityMeansLargerJpegs() {
        byte[] rgb = TestPictures.noise(96, 96, 1);
        try (ImageEncoder encoder = new ImageEncoder()) {
            int low = encoder.jpeg(rgb, 96, 96, 20).length;
            int medium = encoder.jpeg(rgb, 96, 96, 75).length;
            int high = encoder.jpeg(rgb, 96, 96, 100).length;
            assertTrue(low < medium && medium < high, low + " < " + medium + " < " + high);
        }
    }

    @Test
    void qualityFollowsLibjpegScaling() {
        assertEquals(1, ImageEncoder.qscale(100));
        assertEquals(3, ImageEncoder.qscale(90));
        assertEquals(7, ImageEncoder.qscale(75));
        assertEquals(14, ImageEncoder.qscale(50));
        assertEquals(31, ImageEncoder.qscale(1));
    }

    @Test
    void rejectsBadArgumentsAndUseAfterClose() {
        ImageEncoder encoder = new ImageEncoder();
        byte[] rgb = TestPictures.solid(4, 4, 0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> encoder.jpeg(rgb, 4, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> encoder.jpeg(rgb, 4, 4, 101));
        assertThrows(IllegalArgumentException.class, () -> encoder.png(rgb, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> encoder.png(rgb, 0, 4));
        encoder.close();
        encoder.close();
        assertThrows(IllegalStateException.class, () -> encoder.png(rgb, 4, 4));
    }

    private static BufferedImage read(byte[] encoded) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
        assertTrue(image != null, "the JDK could not read the picture");
        return image;
    }
}
