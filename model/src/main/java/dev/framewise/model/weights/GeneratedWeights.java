package dev.framewise.model.weights;

import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.ParamSpec;
import dev.framewise.model.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weights made from a seed, for running the real graph where published weights cannot be fetched.
 *
 * <p>Deterministic: each tensor is drawn from its own SplitMix64 stream, seeded by the seed and the
 * tensor's name, so a tensor does not change when another is added, and the same seed gives the same
 * bytes on every JVM (integer arithmetic only). Scaled so that activations stay finite and keep
 * varying through every block: weights uniform with standard deviation {@code gain/sqrt(fan_in)},
 * batch-norm statistics near the identity, layer scales between 0.1 and 0.3 so that every residual
 * block changes its input without the sum growing out of range.
 */
public final class GeneratedWeights {
    private GeneratedWeights() {
    }

    public static Weights generate(Architecture arch, long seed) {
        MessageDigest sha = sha256();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ParamSpec p : arch.parameters()) {
            if (p.role().optional()) {
                continue;
            }
            Stream rng = new Stream(seed, p.name());
            float[] data = new float[Math.toIntExact(p.elementCount())];
            fill(p, data, rng);
            tensors.put(p.name(), Tensor.of(data, p.shape()));
            ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(data);
            sha.update(p.name().getBytes(StandardCharsets.UTF_8));
            sha.update(buf.array());
        }
        return new Weights(tensors, "generated (seed " + seed + ")", HexFormat.of().formatHex(sha.digest()));
    }

    private static void fill(ParamSpec p, float[] data, Stream rng) {
        int[] shape = p.shape();
        switch (p.role()) {
            case CONV_WEIGHT, LINEAR_WEIGHT -> {
                long fanIn = p.elementCount() / shape[0];
                double std = p.gain() / Math.sqrt(fanIn);
                uniform(data, rng, -std * Math.sqrt(3), std * Math.sqrt(3));
            }
            case BIAS, BN_BIAS, LN_BIAS, BN_MEAN -> uniform(data, rng, -0.05, 0.05);
            case BN_WEIGHT, LN_WEIGHT -> uniform(data, rng, 0.8, 1.2);
            case BN_VAR -> uniform(data, rng, 0.8, 1.2);
            case LAYER_SCALE -> uniform(data, rng, 0.1, 0.3);
            case ATTENTION_BIASES -> uniform(data, rng, -1.0, 1.0);
            default -> throw new IllegalStateException("no generator for " + p.role() + " (" + p.name() + ")");
        }
    }

    private static void uniform(float[] data, Stream rng, double lo, double hi) {
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** SplitMix64 (Steele, Lea, Flood 2014), seeded per tensor by an FNV-1a hash of its name. */
    private static final class Stream {
        private long state;

        Stream(long seed, String name) {
            long h = 0xcbf29ce484222325L;
            for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
            state = seed * 0x9E3779B97F4A7C15L ^ h;
        }

        long nextLong() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }
    }
}
