package dev.framewise.model.reference;

import static dev.framewise.model.reference.RefOps.avgPool3NoPad;
import static dev.framewise.model.reference.RefOps.batchNorm;
import static dev.framewise.model.reference.RefOps.conv;
import static dev.framewise.model.reference.RefOps.gelu;
import static dev.framewise.model.reference.RefOps.layerNorm;
import static dev.framewise.model.reference.RefOps.linear;
import static dev.framewise.model.reference.RefOps.relu;

import dev.framewise.model.weights.Weights;

/**
 * EfficientFormer's forward pass from efficientformer.md, in plain loops, with nothing folded: batch
 * norms applied as such, layer scales multiplied, the attention bias gathered from its table, and
 * both heads computed and averaged. The test oracle for the ONNX graph.
 */
public final class ReferenceEfficientFormer {
    private final int[] dims;
    private final int[] depths;
    private final int numVit;
    private final int numClasses;
    private final Weights w;

    public ReferenceEfficientFormer(int[] dims, int[] depths, int numVit, int numClasses, Weights weights) {
        this.dims = dims.clone();
        this.depths = depths.clone();
        this.numVit = numVit;
        this.numClasses = numClasses;
        this.w = weights;
    }

    private float[] p(String name) {
        return w.get(name).data();
    }

    /** Logits of one image [3, 224, 224]. */
    public float[] forward(float[] image, BlockObserver observer) {
        int h = 224;
        int c0 = dims[0];
        float[] x = convBn(image, 3, h, "stem.conv1", "stem.norm1", c0 / 2, 3, 2, 1);
        h = 112;
        relu(x);
        x = convBn(x, c0 / 2, h, "stem.conv2", "stem.norm2", c0, 3, 2, 1);
        h = 56;
        relu(x);
        float[] tokens = null;
        for (int s = 0; s < 4; s++) {
            int c = dims[s];
            if (s > 0) {
                x = convBn(x, dims[s - 1], h, "stages." + s + ".downsample.conv", "stages." + s + ".downsample.norm",
                        c, 3, 2, 1);
                h /= 2;
            }
            int mb4d = s == 3 ? depths[3] - numVit : depths[s];
            int index = 0;
            for (int b = 0; b < depths[s]; b++) {
                if (b < mb4d) {
                    String pre = "stages." + s + ".blocks." + index++;
                    float[] out = mb4d(x, c, h, pre);
                    observer.block(pre, x, out);
                    x = out;
                } else {
                    if (tokens == null) {
                        index++; // the Flat module's slot
                        tokens = new float[49 * c];
                        for (int ch = 0; ch < c; ch++) {
                            for (int n = 0; n < 49; n++) {
                                tokens[n * c + ch] = x[ch * 49 + n];
                            }
                        }
                    }
                    String pre = "stages." + s + ".blocks." + index++;
                    float[] out = mb3d(tokens, c, pre);
                    observer.block(pre, tokens, out);
                    tokens = out;
                }
            }
        }
        int c = dims[3];
        float[] normed = layerNorm(tokens, 49, c, p("norm.weight"), p("norm.bias"));
        float[] pooled = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int n = 0; n < 49; n++) {
                sum += normed[n * c + ch];
            }
            pooled[ch] = (float) (sum / 49);
        }
        float[] head = linear(pooled, 1, c, p("head.weight"), p("head.bias"), numClasses);
        float[] dist = linear(pooled, 1, c, p("head_dist.weight"), p("head_dist.bias"), numClasses);
        float[] logits = new float[numClasses];
        for (int i = 0; i < numClasses; i++) {
            logits[i] = (head[i] + dist[i]) / 2;
        }
        return logits;
    }

    private float[] convBn(float[] x, int cin, int h, String conv, String norm, int cout, int k, int stride, int pad) {
        float[] y = conv(x, cin, h, h, p(conv + ".weight"), p(conv + ".bias"), cout, k, stride, pad, 1);
        int ho = (h + 2 * pad - k) / stride + 1;
        batchNorm(y, cout, ho * ho, p(norm + ".weight"), p(norm + ".bias"), p(norm + ".running_mean"),
                p(norm + ".running_var"));
        return y;
    }

    private float[] mb4d(float[] x, int c, int h, String pre) {
        int hw = h * h;
        float[] pooled = avgPool3NoPad(x, c, h, h);
        float[] ls1 = p(pre + ".ls1.gamma");
        float[] y = new float[x.length];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < hw; i++) {
                int j = ch * hw + i;
                y[j] = x[j] + ls1[ch] * (pooled[j] - x[j]);
            }
        }
        float[] m = convBn(y, c, h, pre + ".mlp.fc1", pre + ".mlp.norm1", 4 * c, 1, 1, 0);
        gelu(m);
        m = convBn(m, 4 * c, h, pre + ".mlp.fc2", pre + ".mlp.norm2", c, 1, 1, 0);
        float[] ls2 = p(pre + ".ls2.gamma");
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < hw; i++) {
                int j = ch * hw + i;
                y[j] += ls2[ch] * m[j];
            }
        }
        return y;
    }

    private float[] mb3d(float[] x, int c, String pre) {
        int n = 49;
        String tm = pre + ".token_mixer";
        float[] h = layerNorm(x, n, c, p(pre + ".norm1.weight"), p(pre + ".norm1.bias"));
        float[] qkv = linear(h, n, c, p(tm + ".qkv.weight"), p(tm + ".qkv.bias"), 1536);
        float[] table = p(tm + ".attention_biases");
        float[] attnOut = new float[n * 1024];
        double scale = Math.pow(32, -0.5);
        for (int head = 0; head < 8; head++) {
            int base = head * 192;
            for (int n1 = 0; n1 < n; n1++) {
                double[] scores = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int n2 = 0; n2 < n; n2++) {
                    double dot = 0;
                    for (int d = 0; d < 32; d++) {
                        dot += (double) qkv[n1 * 1536 + base + d] * qkv[n2 * 1536 + base + 32 + d];
                    }
                    int idx = Math.abs(n1 / 7 - n2 / 7) * 7 + Math.abs(n1 % 7 - n2 % 7);
                    scores[n2] = dot * scale + table[head * 49 + idx];
                    max = Math.max(max, scores[n2]);
                }
                double sum = 0;
                for (int n2 = 0; n2 < n; n2++) {
                    scores[n2] = Math.exp(scores[n2] - max);
                    sum += scores[n2];
                }
                for (int d = 0; d < 128; d++) {
                    double acc = 0;
                    for (int n2 = 0; n2 < n; n2++) {
                        acc += scores[n2] / sum * qkv[n2 * 1536 + base + 64 + d];
                    }
                    attnOut[n1 * 1024 + head * 128 + d] = (float) acc;
                }
            }
        }
        float[] proj = linear(attnOut, n, 1024, p(tm + ".proj.weight"), p(tm + ".proj.bias"), c);
        float[] ls1 = p(pre + ".ls1.gamma");
        float[] y = new float[x.length];
        for (int t = 0; t < n; t++) {
            for (int ch = 0; ch < c; ch++) {
                y[t * c + ch] = x[t * c + ch] + ls1[ch] * proj[t * c + ch];
            }
        }
        float[] m = layerNorm(y, n, c, p(pre + ".norm2.weight"), p(pre + ".norm2.bias"));
        m = linear(m, n, c, p(pre + ".mlp.fc1.weight"), p(pre + ".mlp.fc1.bias"), 4 * c);
        gelu(m);
        m = linear(m, n, 4 * c, p(pre + ".mlp.fc2.weight"), p(pre + ".mlp.fc2.bias"), c);
        float[] ls2 = p(pre + ".ls2.gamma");
        for (int t = 0; t < n; t++) {
            for (int ch = 0; ch < c; ch++) {
                y[t * c + ch] += ls2[ch] * m[t * c + ch];
            }
        }
        return y;
    }
}
