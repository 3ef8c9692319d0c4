package dev.framewise.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an image becomes the model's input: resize the short side to {@code inputSize / cropFraction}
 * with {@code interpolation}, center-crop {@code inputSize} square, scale to [0, 1], subtract
 * {@code mean} and divide by {@code std} per RGB channel, lay out as NCHW.
 */
public record Preprocessing(int inputSize, String interpolation, double cropFraction, float[] mean, float[] std)
        implements java.io.Serializable {

    /** timm's evaluation settings for ImageNet-1k models. */
    public static Preprocessing imagenet(double cropFraction) {
        return new Preprocessing(224, "bicubic", cropFraction,
                new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    }

    public Preprocessing {
        if (inputSize <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + inputSize);
        }
        if (!(cropFraction > 0 && cropFraction <= 1)) {
            throw new IllegalArgumentException("crop fraction must be in (0, 1], got " + cropFraction);
        }
        if (!interpolation.equals("bicubic") && !interpolation.equals("bilinear") && !interpolation.equals("nearest")) {
            throw new IllegalArgumentException(
                    "interpolation must be bicubic, bilinear or nearest, got '" + interpolation + "'");
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be positive, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The short side before the center crop: {@code floor(inputSize / cropFraction)}, as timm computes it. */
    public int resizeSize() {
        return (int) Math.floor(inputSize / cropFraction);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.inputSize == inputSize && p.interpolation.equals(interpolation)
                && p.cropFraction == cropFraction && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + inputSize;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%dx%d %s, crop %.3f, mean %s, std %s", inputSize, inputSize,
                interpolation, cropFraction, Arrays.toString(mean), Arrays.toString(std));
    }
}
