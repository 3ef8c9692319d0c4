package dev.framewise.model.reference;

/**
 * Straight loops for the layers of the reference forward passes: one image at a time, channel-major
 * [C, H, W] or token-major [N, C], double accumulation. Written from the layer definitions, not from
 * the graph builder, so that the two check each other.
 */
public final class RefOps {
    private RefOps() {
    }

    /** Convolution of x [cin, h, w] with weight [cout, cin/groups, k, k]; returns [cout, ho, wo]. */
    public static float[] conv(float[] x, int cin, int h, int w, float[] weight, float[] bias, int cout, int k,
            int stride, int pad, int groups) {
        int ho = (h + 2 * pad - k) / stride + 1;
        int wo = (w + 2 * pad - k) / stride + 1;
        int cinG = cin / groups;
        int coutG = cout / groups;
        float[] out = new float[cout * ho * wo];
        double[] acc = new double[ho * wo];
        for (int o = 0; o < cout; o++) {
            int g = o / coutG;
            java.util.Arrays.fill(acc, bias == null ? 0 : bias[o]);
            for (int ci = 0; ci < cinG; ci++) {
                int c = g * cinG + ci;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        double wv = weight[((o * cinG + ci) * k + ky) * k + kx];
                        for (int oy = 0; oy < ho; oy++) {
                            int iy = oy * stride - pad + ky;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int rowIn = (c * h + iy) * w;
                            int rowOut = oy * wo;
                            for (int ox = 0; ox < wo; ox++) {
                                int ix = ox * stride - pad + kx;
                                if (ix >= 0 && ix < w) {
                                    acc[rowOut + ox] += wv * x[rowIn + ix];
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < ho * wo; i++) {
                out[o * ho * wo + i] = (float) acc[i];
            }
        }
        return out;
    }

    /** Batch norm in inference mode, in place, on [c, hw]. */
    public static void batchNorm(float[] x, int c, int hw, float[] gamma, float[] beta, float[] mean, float[] var) {
        for (int ch = 0; ch < c; ch++) {
            double inv = 1.0 / Math.sqrt(var[ch] + 1e-5);
            for (int i = 0; i < hw; i++) {
                int j = ch * hw + i;
                x[j] = (float) ((x[j] - mean[ch]) * inv * gamma[ch] + beta[ch]);
            }
        }
    }

    public static void relu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(0f, x[i]);
        }
    }

    public static void relu6(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.min(6f, Math.max(0f, x[i]));
        }
    }

    /** GELU, exact: x * Phi(x). */
    public static void gelu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + erf(v / Math.sqrt(2))));
        }
    }

    /** 3x3 average pool, stride 1, padding 1, dividing by the number of real (unpadded) pixels. */
    public static float[] avgPool3NoPad(float[] x, int c, int h, int w) {
        float[] out = new float[x.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double sum = 0;
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy;
                            int xq = xx + dx;
                            if (yy >= 0 && yy < h && xq >= 0 && xq < w) {
                                sum += x[(ch * h + yy) * w + xq];
                                n++;
                            }
                        }
                    }
                    out[(ch * h + y) * w + xx] = (float) (sum / n);
                }
            }
        }
        return out;
    }

    /** LayerNorm over the last axis of [n, c]. */
    public static float[] layerNorm(float[] x, int n, int c, float[] gamma, float[] beta) {
        float[] out = new float[x.length];
        for (int t = 0; t < n; t++) {
            double mean = 0;
            for (int i = 0; i < c; i++) {
                mean += x[t * c + i];
            }
            mean /= c;
            double var = 0;
            for (int i = 0; i < c; i++) {
                double d = x[t * c + i] - mean;
                var += d * d;
            }
            var /= c;
            double inv = 1 / Math.sqrt(var + 1e-5);
            for (int i = 0; i < c; i++) {
                out[t * c + i] = (float) ((x[t * c + i] - mean) * inv * gamma[i] + beta[i]);
            }
        }
        return out;
    }

    /** x [n, in] times weight [out, in] transposed, plus bias: [n, out]. */
    public static float[] linear(float[] x, int n, int in, float[] weight, float[] bias, int out) {
        float[] y = new float[n * out];
        for (int t = 0; t < n; t++) {
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[t * in + i] * weight[o * in + i];
                }
                y[t * out + o] = (float) acc;
            }
        }
        return y;
    }

    /**
     * The error function to about 1e-15: its Taylor series below 3, a continued fraction for erfc
     * above (Java has no erf).
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else if (ax < 27) {
            // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), from the tail up
            double f = ax;
            for (int k = 60; k >= 1; k--) {
                f = ax + (k / 2.0) / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        } else {
            r = 1;
        }
        return x < 0 ? -r : r;
    }
}
