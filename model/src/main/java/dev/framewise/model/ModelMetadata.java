package dev.framewise.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the pipeline needs to know about an ONNX image classifier, carried in the model's own
 * {@code metadata_props} under {@code framewise.*} keys: preprocessing, labels, and where the model
 * and its weights came from. Any ONNX classifier with these keys (a fine-tuned model with its own
 * labels, say) runs in Framewise.
 *
 * <p>Required keys: {@value #INPUT_SIZE}, {@value #INTERPOLATION}, {@value #CROP_FRACTION},
 * {@value #MEAN}, {@value #STD}, and either {@value #LABELS} (one class name per line) or a
 * {@value #LABEL_SET} that Framewise ships ({@code imagenet-1k}). The rest is descriptive.
 */
public record ModelMetadata(
        String arch,
        String family,
        String variant,
        OptionalLong parameters,
        OptionalLong macs,
        Preprocessing preprocessing,
        String labelSet,
        List<String> labels,
        String weightsSource,
        String weightsSha256) {

    public static final String FORMAT = "framewise.format";
    public static final String ARCH = "framewise.arch";
    public static final String FAMILY = "framewise.family";
    public static final String VARIANT = "framewise.variant";
    public static final String PARAMETERS = "framewise.parameters";
    public static final String MACS = "framewise.macs";
    public static final String INPUT_SIZE = "framewise.input_size";
    public static final String INPUT_LAYOUT = "framewise.input_layout";
    public static final String INTERPOLATION = "framewise.interpolation";
    public static final String CROP_FRACTION = "framewise.crop_fraction";
    public static final String MEAN = "framewise.mean";
    public static final String STD = "framewise.std";
    public static final String NUM_CLASSES = "framewise.num_classes";
    public static final String LABEL_SET = "framewise.label_set";
    public static final String LABELS = "framewise.labels";
    public static final String WEIGHTS_SOURCE = "framewise.weights_source";
    public static final String WEIGHTS_SHA256 = "framewise.weights_sha256";

    /** The only input layout Framewise writes and reads: float32 NCHW, RGB, normalized. */
    public static final String LAYOUT_NCHW_RGB = "NCHW-RGB-float32";

    public ModelMetadata {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a classifier needs at least one label");
        }
    }

    public int numClasses() {
        return labels.size();
    }

    /** As {@code metadata_props}, in a stable order. */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(FORMAT, "1");
        put(p, ARCH, arch);
        put(p, FAMILY, family);
        put(p, VARIANT, variant);
        parameters.ifPresent(v -> p.put(PARAMETERS, Long.toString(v)));
        macs.ifPresent(v -> p.put(MACS, Long.toString(v)));
        p.put(INPUT_SIZE, Integer.toString(preprocessing.inputSize()));
        p.put(INPUT_LAYOUT, LAYOUT_NCHW_RGB);
        p.put(INTERPOLATION, preprocessing.interpolation());
        p.put(CROP_FRACTION, format(preprocessing.cropFraction()));
        p.put(MEAN, join(preprocessing.mean()));
        p.put(STD, join(preprocessing.std()));
        p.put(NUM_CLASSES, Integer.toString(labels.size()));
        put(p, LABEL_SET, labelSet);
        p.put(LABELS, String.join("\n", labels));
        put(p, WEIGHTS_SOURCE, weightsSource);
        put(p, WEIGHTS_SHA256, weightsSha256);
        return p;
    }

    /**
     * Reads the metadata of a model; a missing or malformed required key fails with an {@link
     * InvalidModelException} that names the key and says how to fix it.
     */
    public static ModelMetadata fromProperties(Map<String, String> p) {
        String layout = p.get(INPUT_LAYOUT);
        if (layout != null && !layout.equals(LAYOUT_NCHW_RGB)) {
            throw invalid(INPUT_LAYOUT, "is '" + layout + "'; Framewise feeds " + LAYOUT_NCHW_RGB);
        }
        int size = (int) parseLong(p, INPUT_SIZE, true).orElseThrow();
        double crop = parseDouble(p, CROP_FRACTION);
        String interpolation = required(p, INTERPOLATION);
        float[] mean = parseTriple(p, MEAN);
        float[] std = parseTriple(p, STD);
        Preprocessing pre;
        try {
            pre = new Preprocessing(size, interpolation, crop, mean, std);
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException("model metadata is invalid: " + e.getMessage());
        }
        String labelSet = p.get(LABEL_SET);
        List<String> labels;
        String text = p.get(LABELS);
        if (text != null && !text.isEmpty()) {
            labels = Arrays.asList(text.split("\n", -1));
        } else if (labelSet != null && Labels.forSet(labelSet) != null) {
            labels = Labels.forSet(labelSet);
        } else {
            throw invalid(LABELS, "is missing: add the class names, one per line, or set " + LABEL_SET
                    + " to imagenet-1k");
        }
        OptionalLong numClasses = parseLong(p, NUM_CLASSES, false);
        if (numClasses.isPresent() && numClasses.getAsLong() != labels.size()) {
            throw invalid(NUM_CLASSES, "says " + numClasses.getAsLong() + " but " + LABELS + " has "
                    + labels.size() + " names");
        }
        return new ModelMetadata(p.get(ARCH), p.get(FAMILY), p.get(VARIANT), parseLong(p, PARAMETERS, false),
                parseLong(p, MACS, false), pre, labelSet, labels, p.get(WEIGHTS_SOURCE), p.get(WEIGHTS_SHA256));
    }

    private static void put(Map<String, String> p, String key, String value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    private static String required(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            throw invalid(key, "is missing; build the model with 'framewise model build' or add the key");
        }
        return v.strip();
    }

    private static OptionalLong parseLong(Map<String, String> p, String key, boolean required) {
        String v = required ? required(p, key) : p.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a whole number, got '" + v + "'");
        }
    }

    private static double parseDouble(Map<String, String> p, String key) {
        String v = required(p, key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw invalid(key, "must be a number, got '" + v + "'");
        }
    }

    private static float[] parseTriple(Map<String, String> p, String key) {
        String v = required(p, key);
        String[] parts = v.split(",");
        if (parts.length != 3) {
            throw invalid(key, "must be 3 comma-separated numbers (R,G,B), got '" + v + "'");
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].strip());
            } catch (NumberFormatException e) {
                throw invalid(key, "must be 3 comma-separated numbers (R,G,B), got '" + v + "'");
            }
        }
        return out;
    }

    private static InvalidModelException invalid(String key, String problem) {
        return new InvalidModelException("model metadata " + key + " " + problem);
    }

    private static String join(float[] values) {
        StringBuilder sb = new StringBuilder();
        for (float v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(format(v));
        }
        return sb.toString();
    }

    private static String format(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v);
        return s.replaceFirst("0+$", "").replaceFirst("\\.$", "");
    }
}
