package dev.framewise.model.reference;

import static dev.framewise.model.reference.RefOps.batchNorm;
import static dev.framewise.model.reference.RefOps.conv;
import static dev.framewise.model.reference.RefOps.linear;
import static dev.framewise.model.reference.RefOps.relu6;

import dev.framewise.model.weights.Weights;

/** MobileNetV2's forward pass in plain loops, batch norm unfolded; the oracle for its ONNX graph. */
public final class ReferenceMobileNetV2 {
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };

    private final double multiplier;
    private final int numClasses;
    private final Weights w;

    public ReferenceMobileNetV2(double multiplier, int numClasses, Weights weights) {
        this.multiplier = multiplier;
        this.numClasses = numClasses;
        this.w = weights;
    }

    static int divisible(double v) {
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        return r < 0.9 * v ? r + 8 : r;
    }

    private float[] p(String name) {
        return w.get(name).data();
    }

    public float[] forward(float[] image, BlockObserver observer) {
        int c = divisible(32 * multiplier);
        int h = 112;
        float[] x = convBn(image, 3, 224, "conv_stem", "bn1", c, 3, 2, 1, 1);
        relu6(x);
        for (int s = 0; s < STAGES.length; s++) {
            int out = divisible(STAGES[s][1] * multiplier);
            for (int j = 0; j < STAGES[s][2]; j++) {
                String pre = "blocks." + s + "." + j;
                int stride = j == 0 ? STAGES[s][3] : 1;
                int ho = (h + 2 - 3) / stride + 1;
                float[] y;
                if (s == 0) {
                    y = convBn(x, c, h, pre + ".conv_dw", pre + ".bn1", c, 3, stride, 1, c);
                    relu6(y);
                    y = convBn(y, c, ho, pre + ".conv_pw", pre + ".bn2", out, 1, 1, 0, 1);
                } else {
                    int mid = divisible(c * STAGES[s][0]);
                    y = convBn(x, c, h, pre + ".conv_pw", pre + ".bn1", mid, 1, 1, 0, 1);
                    relu6(y);
                    y = convBn(y, mid, h, pre + ".conv_dw", pre + ".bn2", mid, 3, stride, 1, mid);
                    relu6(y);
                    y = convBn(y, mid, ho, pre + ".conv_pwl", pre + ".bn3", out, 1, 1, 0, 1);
                }
                if (stride == 1 && c == out) {
                    for (int i = 0; i < y.length; i++) {
                        y[i] += x[i];
                    }
                }
                observer.block(pre, x, y);
                x = y;
                c = out;
                h = ho;
            }
        }
        int features = Math.max(1280, divisible(1280 * multiplier));
        x = convBn(x, c, h, "conv_head", "bn2", features, 1, 1, 0, 1);
        relu6(x);
        float[] pooled = new float[features];
        for (int f = 0; f < features; f++) {
            double sum = 0;
            for (int i = 0; i < h * h; i++) {
                sum += x[f * h * h + i];
            }
            pooled[f] = (float) (sum / (h * h));
        }
        return linear(pooled, 1, features, p("classifier.weight"), p("classifier.bias"), numClasses);
    }

    private float[] convBn(float[] x, int cin, int h, String conv, String norm, int cout, int k, int stride, int pad,
            int groups) {
        float[] y = conv(x, cin, h, h, p(conv + ".weight"), null, cout, k, stride, pad, groups);
        int ho = (h + 2 * pad - k) / stride + 1;
        batchNorm(y, cout, ho * ho, p(norm + ".weight"), p(norm + ".bias"), p(norm + ".running_mean"),
                p(norm + ".running_var"));
        return y;
    }
}
