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
