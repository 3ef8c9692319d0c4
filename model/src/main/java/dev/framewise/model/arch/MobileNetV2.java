package dev.framewise.model.arch;

import dev.framewise.model.Preprocessing;
import dev.framewise.model.arch.Folding.Folded;
import dev.framewise.model.onnx.GraphBuilder;
import dev.framewise.model.onnx.Value;
import dev.framewise.model.weights.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MobileNetV2 (Sandler et al., 2018), the baseline the EfficientFormer paper measures against, with
 * timm's {@code mobilenetv2_100} names: {@code conv_stem}, {@code bn1}, {@code blocks.i.j}, {@code
 * conv_head}, {@code bn2}, {@code classifier}. ReLU6 activations, batch norm folded into the convs.
 */
public final class MobileNetV2 implements Architecture {
    /** (expansion, channels, repeats, stride) of each stage. */
    private static final int[][] STAGES = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
    };
    private static final int INPUT_SIZE = 224;

    public static final MobileNetV2 X100 = new MobileNetV2("100", 1.0, 1000);

    /** One block: its canonical prefix, channels, stride and expansion. */
    record Block(String prefix, int in, int mid, int out, int stride, boolean depthwiseSeparable) {
        boolean residual() {
            return stride == 1 && in == out;
        }
    }

    private final String variant;
    private final double multiplier;
    private final int numClasses;
    private final int stem;
    private final int headFeatures;
    private final List<Block> blocks;
    private final List<ParamSpec> parameters;

    private MobileNetV2(String variant, double multiplier, int numClasses) {
        if (!(multiplier > 0)) {
            throw new IllegalArgumentException("the width multiplier must be positive, got " + multiplier);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        this.variant = variant;
        this.multiplier = multiplier;
        this.numClasses = numClasses;
        this.stem = makeDivisible(32 * multiplier);
        this.headFeatures = Math.max(1280, makeDivisible(1280 * multiplier));
        List<Block> list = new ArrayList<>();
        int in = stem;
        for (int s = 0; s < STAGES.length; s++) {
            int t = STAGES[s][0];
            int out = makeDivisible(STAGES[s][1] * multiplier);
            for (int j = 0; j < STAGES[s][2]; j++) {
                int stride = j == 0 ? STAGES[s][3] : 1;
                boolean ds = s == 0;
                int mid = ds ? in : makeDivisible(in * t);
                list.add(new Block("blocks." + s + "." + j, in, mid, out, stride, ds));
                in = out;
            }
        }
        this.blocks = List.copyOf(list);
        this.parameters = buildParameters();
    }

    /** A width multiplier and class count of one's own (channels rounded to multiples of 8, as timm does). */
    public static MobileNetV2 custom(String variant, double multiplier, int numClasses) {
        return new MobileNetV2(variant, multiplier, numClasses);
    }

    /** timm's {@code make_divisible(v, 8)}: round to the nearest multiple of 8, never down by more than 10 %. */
    static int makeDivisible(double v) {
        int divisor = 8;
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * v) {
            rounded += divisor;
        }
        return rounded;
    }

    public double multiplier() {
        return multiplier;
    }

    List<Block> blocks() {
        return blocks;
    }

    @Override
    public String id() {
        return variant.equals("100") ? "mobilenetv2" : "mobilenetv2-" + variant;
    }

    @Override
    public String family() {
        return "mobilenetv2";
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
        return Preprocessing.imagenet(0.875);
    }

    @Override
    public List<ParamSpec> parameters() {
        return parameters;
    }

    private List<ParamSpec> buildParameters() {
        ParamList p = new ParamList();
        p.conv("conv_stem", stem, 3, 3, false, ParamList.RELU_GAIN).batchNorm("bn1", stem);
        for (Block b : blocks) {
            if (b.depthwiseSeparable()) {
                p.conv(b.prefix() + ".conv_dw", b.in(), 1, 3, false, ParamList.RELU_GAIN).batchNorm(b.prefix() + ".bn1", b.in());
                p.conv(b.prefix() + ".conv_pw", b.out(), b.in(), 1, false, 1.0).batchNorm(b.prefix() + ".bn2", b.out());
            } else {
                p.conv(b.prefix() + ".conv_pw", b.mid(), b.in(), 1, false, ParamList.RELU_GAIN).batchNorm(b.prefix() + ".bn1", b.mid());
                p.conv(b.prefix() + ".conv_dw", b.mid(), 1, 3, false, ParamList.RELU_GAIN).batchNorm(b.prefix() + ".bn2", b.mid());
                p.conv(b.prefix() + ".conv_pwl", b.out(), b.mid(), 1, false, 1.0).batchNorm(b.prefix() + ".bn3", b.out());
            }
        }
        int last = blocks.get(blocks.size() - 1).out();
        p.conv("conv_head", headFeatures, last, 1, false, ParamList.RELU_GAIN).batchNorm("bn2", headFeatures);
        p.linear("classifier", numClasses, headFeatures, 1.0);
        return p.build();
    }

    @Override
    public long macs() {
        int h = INPUT_SIZE / 2;
        long macs = (long) 3 * stem * 9 * h * h;
        for (Block b : blocks) {
            int hin = h;
            h = (h + 2 - 3) / b.stride() + 1;
            if (b.depthwiseSeparable()) {
                macs += (long) b.in() * 9 * h * h + (long) b.in() * b.out() * h * h;
            } else {
                macs += (long) b.in() * b.mid() * hin * hin + (long) b.mid() * 9 * h * h + (long) b.mid() * b.out() * h * h;
            }
        }
        macs += (long) blocks.get(blocks.size() - 1).out() * headFeatures * h * h;
        macs += (long) headFeatures * numClasses;
        return macs;
    }

    @Override
    public List<KeyLayout> keyLayouts() {
        return List.of(KeyLayout.timm());
    }

    @Override
    public Value buildGraph(GraphBuilder g, Value x, Weights w) {
        g.scope("stem");
        x = relu6(g, convBn(g, x, w, "conv_stem", "bn1", 2, 1, 1));
        for (Block b : blocks) {
            g.scope(b.prefix());
            String p = b.prefix();
            Value y;
            if (b.depthwiseSeparable()) {
                y = relu6(g, convBn(g, x, w, p + ".conv_dw", p + ".bn1", b.stride(), 1, b.in()));
                y = convBn(g, y, w, p + ".conv_pw", p + ".bn2", 1, 0, 1);
            } else {
                y = relu6(g, convBn(g, x, w, p + ".conv_pw", p + ".bn1", 1, 0, 1));
                y = relu6(g, convBn(g, y, w, p + ".conv_dw", p + ".bn2", b.stride(), 1, b.mid()));
                y = convBn(g, y, w, p + ".conv_pwl", p + ".bn3", 1, 0, 1);
            }
            x = b.residual() ? g.add(x, y) : y;
        }
        g.scope("head");
        x = relu6(g, convBn(g, x, w, "conv_head", "bn2", 1, 0, 1));
        x = g.flatten(g.globalAveragePool(x), 1);
        return g.gemmTransB(x, g.initializer("classifier.weight", w.get("classifier.weight")),
                g.initializer("classifier.bias", w.get("classifier.bias")));
    }

    private static Value relu6(GraphBuilder g, Value x) {
        return g.clip(x, 0f, 6f);
    }

    private static Value convBn(GraphBuilder g, Value x, Weights w, String conv, String norm, int stride, int pad,
            int group) {
        Folded f = Folding.convBatchNorm(w.get(conv + ".weight"), null, w.get(norm + ".weight"), w.get(norm + ".bias"),
                w.get(norm + ".running_mean"), w.get(norm + ".running_var"), null);
        return g.conv(x, g.initializer(conv + ".weight", f.weight()), g.initializer(conv + ".bias", f.bias()),
                stride, pad, group);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (width %.2f, %d classes)", id(), multiplier, numClasses);
    }
}
