package dev.framewise.model.arch;

import dev.framewise.model.tensor.Tensor;

/** Inference-time folding of affine layers into the linear layer before them, in double precision. */
final class Folding {
    static final double BN_EPS = 1e-5;

    private Folding() {
    }

    /** A convolution or linear weight and bias, after folding. */
    record Folded(Tensor weight, Tensor bias) {
    }

    /**
     * {@code scale * BN(conv(x))} as one convolution: per output channel {@code o}, {@code
     * w'[o] = w[o] * s[o]} and {@code b'[o] = (b[o] - mean[o]) * s[o] + beta[o]} with {@code
     * s = gamma / sqrt(var + eps)}, all times {@code scale[o]} when given.
     *
     * @param bias the convolution's bias, or null
     * @param scale a per-channel layer scale applied after the norm, or null
     */
    static Folded convBatchNorm(Tensor weight, Tensor bias, Tensor gamma, Tensor beta, Tensor mean, Tensor var,
            Tensor scale) {
        int out = weight.dim(0);
        int per = weight.size() / out;
        float[] w = weight.data();
        float[] fw = new float[w.length];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            double s = gamma.data()[o] / Math.sqrt(var.data()[o] + BN_EPS);
            double b = bias == null ? 0 : bias.data()[o];
            double shift = (b - mean.data()[o]) * s + beta.data()[o];
            double ls = scale == null ? 1 : scale.data()[o];
            for (int i = 0; i < per; i++) {
                fw[o * per + i] = (float) (w[o * per + i] * s * ls);
            }
            fb[o] = (float) (shift * ls);
        }
        return new Folded(Tensor.of(fw, weight.shape()), Tensor.of(fb, out));
    }

    /** {@code scale * (x @ w^T + b)} as one linear layer; {@code scale} per output feature. */
    static Folded scaleRows(Tensor weight, Tensor bias, Tensor scale) {
        int out = weight.dim(0);
        int in = weight.size() / out;
        float[] fw = new float[weight.size()];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            double s = scale.data()[o];
            for (int i = 0; i < in; i++) {
                fw[o * in + i] = (float) (weight.data()[o * in + i] * s);
            }
            fb[o] = (float) (bias.data()[o] * s);
        }
        return new Folded(Tensor.of(fw, weight.shape()), Tensor.of(fb, out));
    }

    /** The transpose of a 2-D tensor: ONNX MatMul wants [in, out] where PyTorch stores [out, in]. */
    static Tensor transpose(Tensor t) {
        int rows = t.dim(0);
        int cols = t.dim(1);
        float[] out = new float[t.size()];
        float[] in = t.data();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return Tensor.of(out, cols, rows);
    }
}
