package dev.framewise.operators.codec;

import java.util.Random;

/** Synthetic RGB24 pictures (row-major R, G, B) for the codec tests. */
final class TestPictures {
    private TestPictures() {
    }

    static byte[] solid(int width, int height, int red, int green, int blue) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) red;
            rgb[i + 1] = (byte) green;
            rgb[i + 2] = (byte) blue;
        }
        return rgb;
    }

    /** Columns left of {@code width / 2} in {@code left}, the rest in {@code right} (both R, G, B). */
    static byte[] leftRight(int width, int height, int[] left, int[] right) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] colour = x < width / 2 ? left : right;
                put(rgb, (y * width + x) * 3, colour);
            }
        }
        return rgb;
    }

    /**
     * Black with a white band across the middle half of the long side: the center crop of a picture resized
     * by its short side sees only white, while a wrong resize or an off-center crop would take in black.
     */
    static byte[] middleBand(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        boolean portrait = height > width;
        int length = portrait ? height : width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int along = portrait ? y : x;
                boolean white = along >= length / 4 && along < length * 3 / 4;
                int v = white ? 255 : 0;
                put(rgb, (y * width + x) * 3, new int[] {v, v, v});
            }
        }
        return rgb;
    }

    /**
     * Frame {@code index} of a smooth moving scene: colour gradients whose red and blue step by 6 levels a frame,
     * with a soft bright disc crossing them. Smooth, so that lossy video codecs keep it close; moving, so that
     * P-frames predict; and each frame well apart from its neighbours (about 4 levels on average), so that a
     * decoder handing out a neighbouring picture shows.
     */
    static byte[] moving(int width, int height, int index) {
        byte[] rgb = new byte[width * height * 3];
        double cx = width * (0.1 + 0.04 * (index % 20));
        double cy = height / 2.0;
        double radius = Math.min(width, height) / 5.0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = Math.hypot(x - cx, y - cy) / radius;
                double disc = d < 1 ? 1 : d < 1.5 ? (1.5 - d) * 2 : 0;
                int at = (y * width + x) * 3;
                int red = 20 + x * 140 / width + 6 * (index % 16);
                int green = 60 + y * 120 / height;
                int blue = 200 - (x + y) * 100 / (width + height) - 6 * (index % 16);
                rgb[at] = (byte) (red + (230 - red) * disc);
                rgb[at + 1] = (byte) (green + (220 - green) * disc);
                rgb[at + 2] = (byte) (blue + (90 - blue) * disc);
            }
        }
        return rgb;
    }

    static byte[] noise(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return rgb;
    }

    private static void put(byte[] rgb, int at, int[] colour) {
        rgb[at] = (byte) colour[0];
        rgb[at + 1] = (byte) colour[1];
        rgb[at + 2] = (byte) colour[2];
    }
}
