package dev.framewise.operators.codec;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Cuts a square out of packed RGB24 and writes it as normalized planar floats (C, H, W with channels R, G,
 * B), as torchvision's {@code ToTensor} and {@code Normalize} would. Not thread-safe: it reuses its row
 * buffers.
 */
final class CropNormalizer {
    private final int size;
    /** Per channel, the normalized value of each byte, computed in float as torchvision does. */
    private final float[] red = new float[256];
    private final float[] green = new float[256];
    private final float[] blue = new float[256];
    private final byte[] row;
    private final float[] redRow;
    private final float[] greenRow;
    private final float[] blueRow;

    CropNormalizer(int size, float[] mean, float[] std) {
        this.size = size;
        float[][] tables = {red, green, blue};
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                tables[c][v] = (v / 255f - mean[c]) / std[c];
            }
        }
        this.row = new byte[3 * size];
        this.redRow = new float[size];
        this.greenRow = new float[size];
        this.blueRow = new float[size];
    }

    /** Floats written per picture: {@code 3 * size * size}. */
    int floats() {
        return 3 * size * size;
    }

    /**
     * Writes the {@code size x size} square whose top left pixel is at ({@code left}, {@code top}) in
     * {@code rgb} (rows {@code stride} bytes apart) to {@code out} at absolute index {@code offset} onwards.
     */
    void write(ByteBuffer rgb, int stride, int left, int top, FloatBuffer out, int offset) {
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            rgb.get((top + y) * stride + left * 3, row, 0, row.length);
            for (int x = 0, i = 0; x < size; x++, i += 3) {
                redRow[x] = red[row[i] & 0xFF];
                greenRow[x] = green[row[i + 1] & 0xFF];
                blueRow[x] = blue[row[i + 2] & 0xFF];
            }
            int at = offset + y * size;
            out.put(at, redRow, 0, size);
            out.put(at + plane, greenRow, 0, size);
            out.put(at + 2 * plane, blueRow, 0, size);
        }
    }
}
