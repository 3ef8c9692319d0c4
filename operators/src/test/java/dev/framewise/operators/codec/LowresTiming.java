package dev.framewise.operators.codec;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Throwaway: full vs reduced JPEG decode, interleaved. */
public final class LowresTiming {
    public static void main(String[] args) throws Exception {
        int w = Integer.parseInt(args[0]);
        int h = Integer.parseInt(args[1]);
        byte[] rgb = new byte[w * h * 3];
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (x + y);
                rgb[i + 1] = (byte) (x * 3 + (r.nextInt(16)));
                rgb[i + 2] = (byte) (y * 2 + Math.sin(x / 9.0) * 40);
            }
        }
        byte[] jpeg;
        try (ImageEncoder e = new ImageEncoder()) {
            jpeg = e.jpeg(rgb, w, h, 85);
        }
        Preprocessing pre = Preprocessing.imagenet(0.95);
        FloatBuffer a = ByteBuffer.allocateDirect(3 * 224 * 224 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer b = ByteBuffer.allocateDirect(3 * 224 * 224 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        try (FrameDecoder full = new FrameDecoder(pre, 100_000_000, false);
                FrameDecoder low = new FrameDecoder(pre, 100_000_000, true)) {
            ByteBuffer p = ByteBuffer.wrap(jpeg);
            for (int i = 0; i < 200; i++) {
                full.decode(Codec.JPEG, w, h, p, a, 0);
                low.decode(Codec.JPEG, w, h, p, b, 0);
            }
            long tFull = 0;
            long tLow = 0;
            for (int round = 0; round < 10; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    full.decode(Codec.JPEG, w, h, p, a, 0);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    low.decode(Codec.JPEG, w, h, p, b, 0);
                }
                long t2 = System.nanoTime();
                tFull += t1 - t0;
                tLow += t2 - t1;
            }
            double maxDiff = 0;
            double sumDiff = 0;
            for (int i = 0; i < 3 * 224 * 224; i++) {
                double d = Math.abs(a.get(i) - b.get(i));
                maxDiff = Math.max(maxDiff, d);
                sumDiff += d;
            }
            System.out.printf("%dx%d: full %.3f ms, reduced %.3f ms (%.2fx); diff mean %.4f max %.4f (normalized units; 1 level ~ 0.017)%n",
                    w, h, tFull / 1e6 / 1000, tLow / 1e6 / 1000, (double) tFull / tLow, sumDiff / (3 * 224 * 224), maxDiff);
        }
    }
}
