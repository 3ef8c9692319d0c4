package dev.framewise.model.checkpoint;

import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.Architectures;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.KeyLayout;
import dev.framewise.model.arch.ParamSpec;
import dev.framewise.model.tensor.Tensor;
import dev.framewise.model.weights.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports a checkpoint's weights for an architecture, strictly: every key the architecture needs
 * must be there with its exact shape, and nothing else may be. A checkpoint of another variant or a
 * damaged one fails with the offending keys and both shapes, never with a model that silently
 * computes something else.
 */
public final class CheckpointImporter {
    private static final int SHOWN = 3;

    private CheckpointImporter() {
    }

    /** The problems found matching a state dict to an architecture. */
    record Match(KeyLayout layout, List<String> missing, List<String> unexpected, List<String> misshaped,
            Map<String, RawTensor> byCanonical) {
        boolean ok() {
            return missing.isEmpty() && unexpected.isEmpty() && misshaped.isEmpty();
        }

        int problems() {
            return missing.size() + unexpected.size() + misshaped.size();
        }
    }

    public static Weights importWeights(Path file, Architecture arch) {
        StateDict sd = CheckpointReader.read(file);
        String name = file.getFileName().toString();
        Map<String, RawTensor> tensors = stripModulePrefix(sd.tensors());
        Match match = match(tensors, arch);
        if (!match.ok()) {
            throw new CheckpointException(describe(name, arch, match) + suggestion(tensors, arch));
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (ParamSpec p : arch.parameters()) {
            RawTensor raw = match.byCanonical().get(p.name());
            String key = match.layout().fromCanonical(p.name());
            if (p.role().optional()) {
                if (raw != null) {
                    checkBuffer(name, key, p, raw);
                }
                continue;
            }
            Tensor t;
            try {
                t = raw.toFloat();
            } catch (CheckpointException e) {
                throw new CheckpointException(name + ": '" + key + "' " + e.getMessage());
            }
            for (float v : t.data()) {
                if (!Float.isFinite(v)) {
                    throw new CheckpointException(name + ": '" + key + "' holds NaN or infinite values");
                }
            }
            weights.put(p.name(), t);
        }
        String source = name + " (" + match.layout().name() + " layout, " + sd.format() + ")";
        return new Weights(weights, source, sha256(file));
    }

    static Match match(Map<String, RawTensor> tensors, Architecture arch) {
        KeyLayout layout = arch.keyLayouts().get(0);
        for (KeyLayout l : arch.keyLayouts().subList(1, arch.keyLayouts().size())) {
            if (l.recognizes(tensors.keySet())) {
                layout = l;
            }
        }
        Map<String, ParamSpec> specs = new LinkedHashMap<>();
        for (ParamSpec p : arch.parameters()) {
            specs.put(p.name(), p);
        }
        List<String> unexpected = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        Map<String, RawTensor> byCanonical = new LinkedHashMap<>();
        for (Map.Entry<String, RawTensor> e : tensors.entrySet()) {
            String canonical = layout.toCanonical(e.getKey());
            ParamSpec spec = canonical == null ? null : specs.get(canonical);
            if (spec == null) {
                unexpected.add(e.getKey() + " " + e.getValue().shapeString());
                continue;
            }
            if (!Arrays.equals(spec.shape(), e.getValue().shape())) {
                misshaped.add(e.getKey() + ": " + e.getValue().shapeString() + " in the checkpoint, "
                        + spec.shapeString() + " in " + arch.id());
                continue;
            }
            byCanonical.put(canonical, e.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (ParamSpec p : specs.values()) {
            String key = layout.fromCanonical(p.name());
            if (!p.role().optional() && !byCanonical.containsKey(p.name()) && !tensors.containsKey(key)) {
                missing.add(key + " " + p.shapeString());
            }
        }
        return new Match(layout, missing, unexpected, misshaped, byCanonical);
    }

    private static String describe(String name, Architecture arch, Match m) {
        StringBuilder sb = new StringBuilder(name).append(" does not match ").append(arch.id())
                .append(" (read as ").append(m.layout().name()).append(" layout): ");
        List<String> parts = new ArrayList<>();
        if (!m.misshaped().isEmpty()) {
            parts.add(m.misshaped().size() + " mis-shaped key(s): " + first(m.misshaped()));
        }
        if (!m.missing().isEmpty()) {
            parts.add(m.missing().size() + " missing key(s): " + first(m.missing()));
        }
        if (!m.unexpected().isEmpty()) {
            parts.add(m.unexpected().size() + " unexpected key(s): " + first(m.unexpected()));
        }
        return sb.append(String.join("; ", parts)).toString();
    }

    private static String first(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(SHOWN, items.size())));
        return items.size() > SHOWN ? shown + ", ..." : shown;
    }

    /** Names the built-in architecture the checkpoint does fit, if one does. */
    private static String suggestion(Map<String, RawTensor> tensors, Architecture asked) {
        for (Architecture a : Architectures.all()) {
            if (a != asked && match(tensors, a).ok()) {
                return ". It matches " + a.id() + ": use --arch " + a.id();
            }
        }
        return "";
    }

    private static Map<String, RawTensor> stripModulePrefix(Map<String, RawTensor> tensors) {
        if (tensors.isEmpty() || !tensors.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            return tensors;
        }
        Map<String, RawTensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k.substring("module.".length()), v));
        return out;
    }

    private static void checkBuffer(String name, String key, ParamSpec p, RawTensor raw) {
        if (raw.dtype().floating()) {
            throw new CheckpointException(name + ": '" + key + "' holds " + raw.dtype() + " values, expected integers");
        }
        if (p.role() == ParamSpec.Role.ATTENTION_BIAS_IDXS) {
            long[] idx = raw.toLongs();
            int[][] expected = EfficientFormer.attentionBiasIndex();
            int n = expected.length;
            for (int i = 0; i < idx.length; i++) {
                if (idx[i] != expected[i / n][i % n]) {
                    throw new CheckpointException(name + ": '" + key + "' is not the 7x7 relative-position index"
                            + " (entry " + i + " is " + idx[i] + ", expected " + expected[i / n][i % n]
                            + "); the checkpoint is for another input resolution or corrupt");
                }
            }
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
