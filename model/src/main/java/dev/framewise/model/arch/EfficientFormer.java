package dev.framewise.model.arch;

import dev.framewise.model.Preprocessing;
import dev.framewise.model.arch.Folding.Folded;
import dev.framewise.model.arch.ParamSpec.Role;
import dev.framewise.model.onnx.GraphBuilder;
import dev.framewise.model.onnx.Value;
import dev.framewise.model.tensor.Tensor;
import dev.framewise.model.weights.Weights;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EfficientFormer (v1), "Vision Transformers at MobileNet Speed" (Li et al., NeurIPS 2022): four
 * stages of conv-BN MB4D blocks with a pooling mixer, the last few blocks of stage 4 replaced by
 * MB3D attention blocks on the 7x7 tokens. Names and shapes follow timm's port; the reference
 * repository's layout is imported too.
 */
public final class EfficientFormer implements Architecture {
    /** Attention is the same in every variant. */
    static final int KEY_DIM = 32;
    static final int HEADS = 8;
    static final int ATTN_RATIO = 4;
    static final int VALUE_DIM = KEY_DIM * ATTN_RATIO;
    static final int RESOLUTION = 7;
    static final int TOKENS = RESOLUTION * RESOLUTION;
    static final int MLP_RATIO = 4;
    static final int INPUT_SIZE = 224;
    static final float LN_EPS = 1e-5f;

    public static final EfficientFormer L1 =
            new EfficientFormer("l1", new int[] {48, 96, 224, 448}, new int[] {3, 2, 6, 4}, 1, 1000);
    public static final EfficientFormer L3 =
            new EfficientFormer("l3", new int[] {64, 128, 320, 512}, new int[] {4, 4, 12, 6}, 4, 1000);
    public static final EfficientFormer L7 =
            new EfficientFormer("l7", new int[] {96, 192, 384, 768}, new int[] {6, 6, 18, 8}, 8, 1000);

    private final String variant;
    private final int[] dims;
    private final int[] depths;
    private final int numVit;
    private final int numClasses;
    private final List<ParamSpec> parameters;

    private EfficientFormer(String variant, int[] dims, int[] depths, int numVit, int numClasses) {
        if (dims.length != 4 || depths.length != 4) {
            throw new IllegalArgumentException("EfficientFormer has 4 stages: dims " + Arrays.toString(dims)
                    + ", depths " + Arrays.toString(depths));
        }
        for (int i = 0; i < 4; i++) {
            if (dims[i] <= 0 || depths[i] <= 0) {
                throw new IllegalArgumentException("stage " + i + " needs a positive width and depth");
            }
        }
        if (dims[0] % 2 != 0) {
            throw new IllegalArgumentException("the stem halves the first width: dims[0] must be even, got " + dims[0]);
        }
        if (numVit < 1 || numVit > depths[3]) {
            throw new IllegalArgumentException("the number of MB3D blocks must be between 1 and the depth of stage 4 ("
                    + depths[3] + "), got " + numVit);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        this.variant = variant;
        this.dims = dims.clone();
        this.depths = depths.clone();
        this.numVit = numVit;
        this.numClasses = numClasses;
        this.parameters = buildParameters();
    }

    /** A configuration of one's own (smaller models for tests, or a fine-tuned head with other classes). */
    public static EfficientFormer custom(String variant, int[] dims, int[] depths, int numVit, int numClasses) {
        return new EfficientFormer(variant, dims, depths, numVit, numClasses);
    }

    /** The same architecture with another number of classes, e.g. for a fine-tuned head. */
    public EfficientFormer withClasses(int classes) {
        return new EfficientFormer(variant, dims, depths, numVit, classes);
    }

    public int[] dims() {
        return dims.clone();
    }

    public int[] depths() {
        return depths.clone();
    }

    public int numVit() {
        return numVit;
    }

    @Override
    public String id() {
        return "efficientformer-" + variant;
    }

    @Override
    public String family() {
        return "efficientformer";
    }

    @Override
    public String variant() {
        return variant;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.imagenet(0.95);
    }

    @Override
    public List<ParamSpec> parameters() {
        return parameters;
    }

    /** Whether block {@code b} (0-based within the stage's depth) of {@code stage} is an MB3D block. */
    public boolean isAttentionBlock(int stage, int b) {
        return stage == 3 && b >= depths[3] - numVit;
    }

    /**
     * The index timm and the reference repository give block {@code b}: in stage 4 the Flat module
     * takes a slot, right after the last MB4D block.
     */
    public int blockIndex(int stage, int b) {
        return isAttentionBlock(stage, b) ? b + 1 : b;
    }

    private List<ParamSpec> buildParameters() {
        ParamList p = new ParamList();
        int c0 = dims[0];
        p.conv("stem.conv1", c0 / 2, 3, 3, true, ParamList.RELU_GAIN).batchNorm("stem.norm1", c0 / 2);
        p.conv("stem.conv2", c0, c0 / 2, 3, true, ParamList.RELU_GAIN).batchNorm("stem.norm2", c0);
        for (int s = 0; s < 4; s++) {
            int c = dims[s];
            if (s > 0) {
                p.conv("stages." + s + ".downsample.conv", c, dims[s - 1], 3, true, 1.0)
                        .batchNorm("stages." + s + ".downsample.norm", c);
            }
            for (int b = 0; b < depths[s]; b++) {
                String pre = "stages." + s + ".blocks." + blockIndex(s, b);
                int hidden = c * MLP_RATIO;
                if (isAttentionBlock(s, b)) {
                    p.layerNorm(pre + ".norm1", c);
                    p.add(pre + ".token_mixer.attention_biases", Role.ATTENTION_BIASES, HEADS, TOKENS);
                    p.add(pre + ".token_mixer.attention_bias_idxs", Role.ATTENTION_BIAS_IDXS, TOKENS, TOKENS);
                    p.linear(pre + ".token_mixer.qkv", HEADS * (2 * KEY_DIM + VALUE_DIM), c, 1.0);
                    p.linear(pre + ".token_mixer.proj", c, HEADS * VALUE_DIM, 1.0);
                    p.layerNorm(pre + ".norm2", c);
                    p.linear(pre + ".mlp.fc1", hidden, c, ParamList.RELU_GAIN);
                    p.linear(pre + ".mlp.fc2", c, hidden, 1.0);
                    p.add(pre + ".ls1.gamma", Role.LAYER_SCALE, c);
                    p.add(pre + ".ls2.gamma", Role.LAYER_SCALE, c);
                } else {
                    p.add(pre + ".ls1.gamma", Role.LAYER_SCALE, c);
                    p.conv(pre + ".mlp.fc1", hidden, c, 1, true, ParamList.RELU_GAIN).batchNorm(pre + ".mlp.norm1", hidden);
                    p.conv(pre + ".mlp.fc2", c, hidden, 1, true, 1.0).batchNorm(pre + ".mlp.norm2", c);
                    p.add(pre + ".ls2.gamma", Role.LAYER_SCALE, c);
                }
            }
        }
        int last = dims[3];
        p.layerNorm("norm", last);
        p.linear("head", numClasses, last, 1.0);
        p.linear("head_dist", numClasses, last, 1.0);
        return p.build();
    }

    @Override
    public long macs() {
        long macs = 0;
        int c0 = dims[0];
        int h = INPUT_SIZE / 2;
        macs += (long) 3 * (c0 / 2) * 9 * h * h;
        h /= 2;
        macs += (long) (c0 / 2) * c0 * 9 * h * h;
        for (int s = 0; s < 4; s++) {
            long c = dims[s];
            if (s > 0) {
                h /= 2;
                macs += dims[s - 1] * c * 9 * h * h;
            }
            for (int b = 0; b < depths[s]; b++) {
                if (isAttentionBlock(s, b)) {
                    long qkv = HEADS * (2L * KEY_DIM + VALUE_DIM);
                    macs += c * qkv * TOKENS;
                    macs += (long) HEADS * TOKENS * TOKENS * KEY_DIM;
                    macs += (long) HEADS * TOKENS * TOKENS * VALUE_DIM;
                    macs += (long) HEADS * VALUE_DIM * c * TOKENS;
                    macs += 2 * c * c * MLP_RATIO * TOKENS;
                } else {
                    macs += 2 * c * c * MLP_RATIO * h * h;
                }
            }
        }
        macs += 2L * dims[3] * numClasses;
        return macs;
    }

    @Override
    public List<KeyLayout> keyLayouts() {
        return List.of(KeyLayout.timm(), new ReferenceLayout());
    }

    // ------------------------------------------------------------------------------------- graph

    @Override
    public Value buildGraph(GraphBuilder g, Value x, Weights w) {
        g.scope("stem");
        x = g.relu(convBn(g, x, w, "stem.conv1", "stem.norm1", 2, 1, null));
        x = g.relu(convBn(g, x, w, "stem.conv2", "stem.norm2", 2, 1, null));
        for (int s = 0; s < 4; s++) {
            if (s > 0) {
                String pre = "stages." + s + ".downsample";
                g.scope(pre);
                x = convBn(g, x, w, pre + ".conv", pre + ".norm", 2, 1, null);
            }
            for (int b = 0; b < depths[s]; b++) {
                String pre = "stages." + s + ".blocks." + blockIndex(s, b);
                g.scope(pre);
                if (isAttentionBlock(s, b)) {
                    if (b == depths[3] - numVit) {
                        // Flat: (N, C, 7, 7) -> (N, 49, C), token n = row * 7 + col.
                        x = g.transpose(g.reshape(x, 0, dims[3], TOKENS), 0, 2, 1);
                    }
                    x = metaBlock3d(g, x, w, pre);
                } else {
                    x = metaBlock4d(g, x, w, pre);
                }
            }
        }
        g.scope("head");
        Value y = g.layerNorm(x, g.initializer("norm.weight", w.get("norm.weight")),
                g.initializer("norm.bias", w.get("norm.bias")), LN_EPS);
        y = g.reduceMean(y, 1);
        Folded head = averagedHeads(w);
        return g.gemmTransB(y, g.initializer("head.weight", head.weight()), g.initializer("head.bias", head.bias()));
    }

    private static Value convBn(GraphBuilder g, Value x, Weights w, String conv, String norm, int stride, int pad,
            Tensor scale) {
        Folded f = Folding.convBatchNorm(w.get(conv + ".weight"), w.get(conv + ".bias"), w.get(norm + ".weight"),
                w.get(norm + ".bias"), w.get(norm + ".running_mean"), w.get(norm + ".running_var"), scale);
        return g.conv(x, g.initializer(conv + ".weight", f.weight()), g.initializer(conv + ".bias", f.bias()),
                stride, pad, 1);
    }

    /** {@code x + ls1 * (pool(x) - x)}, then {@code x + ls2 * BN(fc2(GELU(BN(fc1(x)))))}. */
    private Value metaBlock4d(GraphBuilder g, Value x, Weights w, String pre) {
        Tensor ls1 = w.get(pre + ".ls1.gamma");
        Value gamma = g.initializer(pre + ".ls1.gamma", ls1.reshape(1, ls1.size(), 1, 1));
        Value mixed = g.sub(g.averagePool(x, 3, 1, 1, false), x);
        x = g.add(x, g.mul(mixed, gamma));
        Value h = convBn(g, x, w, pre + ".mlp.fc1", pre + ".mlp.norm1", 1, 0, null);
        h = g.gelu(h);
        h = convBn(g, h, w, pre + ".mlp.fc2", pre + ".mlp.norm2", 1, 0, w.get(pre + ".ls2.gamma"));
        return g.add(x, h);
    }

    /** {@code x + ls1 * Attention(LN1(x))}, then {@code x + ls2 * MLP(LN2(x))}, on tokens (N, 49, C). */
    private Value metaBlock3d(GraphBuilder g, Value x, Weights w, String pre) {
        String tm = pre + ".token_mixer";
        Value h = g.layerNorm(x, g.initializer(pre + ".norm1.weight", w.get(pre + ".norm1.weight")),
                g.initializer(pre + ".norm1.bias", w.get(pre + ".norm1.bias")), LN_EPS);
        Folded qkv = regroupQkv(w.get(tm + ".qkv.weight"), w.get(tm + ".qkv.bias"));
        h = linear(g, h, tm + ".qkv", qkv);
        Value[] parts = g.split(h, 2, HEADS * KEY_DIM, HEADS * KEY_DIM, HEADS * VALUE_DIM);
        Value q = g.transpose(g.reshape(parts[0], 0, TOKENS, HEADS, KEY_DIM), 0, 2, 1, 3);
        Value kT = g.transpose(g.reshape(parts[1], 0, TOKENS, HEADS, KEY_DIM), 0, 2, 3, 1);
        Value v = g.transpose(g.reshape(parts[2], 0, TOKENS, HEADS, VALUE_DIM), 0, 2, 1, 3);
        Value scores = g.matMul(q, kT);
        scores = g.add(scores, g.initializer(tm + ".attention_bias", attentionBias(w.get(tm + ".attention_biases"))));
        Value attn = g.matMul(g.softmax(scores, -1), v);
        attn = g.reshape(g.transpose(attn, 0, 2, 1, 3), 0, TOKENS, HEADS * VALUE_DIM);
        Folded proj = Folding.scaleRows(w.get(tm + ".proj.weight"), w.get(tm + ".proj.bias"), w.get(pre + ".ls1.gamma"));
        x = g.add(x, linear(g, attn, tm + ".proj", proj));

        h = g.layerNorm(x, g.initializer(pre + ".norm2.weight", w.get(pre + ".norm2.weight")),
                g.initializer(pre + ".norm2.bias", w.get(pre + ".norm2.bias")), LN_EPS);
        h = linear(g, h, pre + ".mlp.fc1", new Folded(w.get(pre + ".mlp.fc1.weight"), w.get(pre + ".mlp.fc1.bias")));
        h = g.gelu(h);
        Folded fc2 = Folding.scaleRows(w.get(pre + ".mlp.fc2.weight"), w.get(pre + ".mlp.fc2.bias"),
                w.get(pre + ".ls2.gamma"));
        return g.add(x, linear(g, h, pre + ".mlp.fc2", fc2));
    }

    private static Value linear(GraphBuilder g, Value x, String name, Folded f) {
        Value y = g.matMul(x, g.initializer(name + ".weight", Folding.transpose(f.weight())));
        return g.add(y, g.initializer(name + ".bias", f.bias()));
    }

    /**
     * qkv's output is interleaved by head, [h0: q k v | h1: q k v | ...]; regroup the rows as
     * [q of all heads | k of all heads | v of all heads] so that one Split separates them, and fold
     * the attention scale {@code key_dim^-0.5} into q.
     */
    static Folded regroupQkv(Tensor weight, Tensor bias) {
        int in = weight.dim(1);
        int perHead = 2 * KEY_DIM + VALUE_DIM;
        float[] w = weight.data();
        float[] fw = new float[w.length];
        float[] fb = new float[bias.size()];
        double scale = 1.0 / Math.sqrt(KEY_DIM);
        for (int h = 0; h < HEADS; h++) {
            for (int d = 0; d < perHead; d++) {
                int src = h * perHead + d;
                int dst;
                double s = 1;
                if (d < KEY_DIM) {
                    dst = h * KEY_DIM + d;
                    s = scale;
                } else if (d < 2 * KEY_DIM) {
                    dst = HEADS * KEY_DIM + h * KEY_DIM + (d - KEY_DIM);
                } else {
                    dst = 2 * HEADS * KEY_DIM + h * VALUE_DIM + (d - 2 * KEY_DIM);
                }
                for (int i = 0; i < in; i++) {
                    fw[dst * in + i] = (float) (w[src * in + i] * s);
                }
                fb[dst] = (float) (bias.data()[src] * s);
            }
        }
        return new Folded(Tensor.of(fw, weight.shape()), Tensor.of(fb, bias.size()));
    }

    /** The relative-position index: {@code |r1 - r2| * 7 + |c1 - c2|} for tokens {@code n = r * 7 + c}. */
    public static int[][] attentionBiasIndex() {
        int[][] idx = new int[TOKENS][TOKENS];
        for (int n1 = 0; n1 < TOKENS; n1++) {
            for (int n2 = 0; n2 < TOKENS; n2++) {
                int dr = Math.abs(n1 / RESOLUTION - n2 / RESOLUTION);
                int dc = Math.abs(n1 % RESOLUTION - n2 % RESOLUTION);
                idx[n1][n2] = dr * RESOLUTION + dc;
            }
        }
        return idx;
    }

    /** The full bias [8, 49, 49], gathered once from the learned table [8, 49]. */
    static Tensor attentionBias(Tensor table) {
        int[][] idx = attentionBiasIndex();
        float[] out = new float[HEADS * TOKENS * TOKENS];
        for (int h = 0; h < HEADS; h++) {
            for (int n1 = 0; n1 < TOKENS; n1++) {
                for (int n2 = 0; n2 < TOKENS; n2++) {
                    out[(h * TOKENS + n1) * TOKENS + n2] = table.data()[h * TOKENS + idx[n1][n2]];
                }
            }
        }
        return Tensor.of(out, HEADS, TOKENS, TOKENS);
    }

    /** logits = (head(x) + head_dist(x)) / 2 is one linear layer with averaged weights and biases. */
    private Folded averagedHeads(Weights w) {
        Tensor hw = w.get("head.weight");
        Tensor dw = w.get("head_dist.weight");
        Tensor hb = w.get("head.bias");
        Tensor db = w.get("head_dist.bias");
        float[] fw = new float[hw.size()];
        for (int i = 0; i < fw.length; i++) {
            fw[i] = (float) ((hw.data()[i] + (double) dw.data()[i]) / 2);
        }
        float[] fb = new float[hb.size()];
        for (int i = 0; i < fb.length; i++) {
            fb[i] = (float) ((hb.data()[i] + (double) db.data()[i]) / 2);
        }
        return new Folded(Tensor.of(fw, hw.shape()), Tensor.of(fb, hb.size()));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (dims %s, depths %s, %d MB3D, %d classes)", id(),
                Arrays.toString(dims), Arrays.toString(depths), numVit, numClasses);
    }

    /**
     * The reference repository's names (snap-research/EfficientFormer): stem {@code patch_embed.{0,1,3,4}},
     * stages {@code network.{0,2,4,6}}, downsamples {@code network.{1,3,5}.{proj,norm}}, layer scales
     * {@code layer_scale_{1,2}}, and {@code dist_head}.
     */
    static final class ReferenceLayout implements KeyLayout {
        private static final String[][] STEM = {
            {"patch_embed.0.", "stem.conv1."}, {"patch_embed.1.", "stem.norm1."},
            {"patch_embed.3.", "stem.conv2."}, {"patch_embed.4.", "stem.norm2."},
        };
        private static final Pattern NETWORK = Pattern.compile("network\\.(\\d+)\\.(.+)");
        private static final Pattern STAGE = Pattern.compile("stages\\.(\\d+)\\.(.+)");

        @Override
        public String name() {
            return "reference repository";
        }

        @Override
        public boolean recognizes(Collection<String> keys) {
            return keys.stream().anyMatch(k -> k.startsWith("patch_embed.") || k.startsWith("network."));
        }

        @Override
        public String toCanonical(String key) {
            for (String[] m : STEM) {
                if (key.startsWith(m[0])) {
                    return m[1] + key.substring(m[0].length());
                }
            }
            if (key.startsWith("dist_head.")) {
                return "head_dist." + key.substring("dist_head.".length());
            }
            if (key.startsWith("norm.") || key.startsWith("head.")) {
                return key;
            }
            Matcher m = NETWORK.matcher(key);
            if (!m.matches()) {
                return null;
            }
            int n = Integer.parseInt(m.group(1));
            String rest = m.group(2);
            if (n % 2 == 0) {
                rest = rest.replaceFirst("^(\\d+)\\.layer_scale_1$", "$1.ls1.gamma")
                        .replaceFirst("^(\\d+)\\.layer_scale_2$", "$1.ls2.gamma");
                return "stages." + n / 2 + ".blocks." + rest;
            }
            if (rest.startsWith("proj.")) {
                return "stages." + (n + 1) / 2 + ".downsample.conv." + rest.substring("proj.".length());
            }
            if (rest.startsWith("norm.")) {
                return "stages." + (n + 1) / 2 + ".downsample.norm." + rest.substring("norm.".length());
            }
            return null;
        }

        @Override
        public String fromCanonical(String key) {
            for (String[] m : STEM) {
                if (key.startsWith(m[1])) {
                    return m[0] + key.substring(m[1].length());
                }
            }
            if (key.startsWith("head_dist.")) {
                return "dist_head." + key.substring("head_dist.".length());
            }
            Matcher m = STAGE.matcher(key);
            if (!m.matches()) {
                return key;
            }
            int s = Integer.parseInt(m.group(1));
            String rest = m.group(2);
            if (rest.startsWith("downsample.conv.")) {
                return "network." + (2 * s - 1) + ".proj." + rest.substring("downsample.conv.".length());
            }
            if (rest.startsWith("downsample.norm.")) {
                return "network." + (2 * s - 1) + ".norm." + rest.substring("downsample.norm.".length());
            }
            rest = rest.substring("blocks.".length())
                    .replaceFirst("^(\\d+)\\.ls1\\.gamma$", "$1.layer_scale_1")
                    .replaceFirst("^(\\d+)\\.ls2\\.gamma$", "$1.layer_scale_2");
            return "network." + 2 * s + "." + rest;
        }
    }
}
