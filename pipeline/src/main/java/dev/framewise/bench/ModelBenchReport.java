package dev.framewise.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.framewise.bench.ModelBenchmark.Measurement;
import dev.framewise.bench.ModelBenchmark.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** Writes a model benchmark as a Markdown table and a JSON file of every figure. */
public final class ModelBenchReport {
    private ModelBenchReport() {
    }

    public static String markdown(Result result, Instant when) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Model benchmark: raw ONNX Runtime, ").append(result.settings().threads())
                .append(" intra-op thread(s)\n\n");
        sb.append(String.format(Locale.ROOT, "%s; %s cores; %s; ONNX Runtime %s; %s. Generated weights; one run,"
                + " pairs measured side by side in %d rounds of %.1f s slices.%n%n",
                when, result.machine().get("cores"), result.machine().get("cpu"), result.machine().get("onnxruntime"),
                result.machine().get("java"), result.settings().rounds(), result.settings().sliceSeconds()));
        sb.append("| model | batch | latency p50 (ms) | latency p90 (ms) | frames/s | GFLOP/s |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (Measurement m : result.measurements()) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", m.arch(), m.batch(),
                    m.p50Ms(), m.p90Ms(), m.framesPerSecond(), m.gflopsPerSecond()));
        }
        Double ratio = latencyRatio(result);
        if (ratio != null) {
            sb.append(String.format(Locale.ROOT, "%nBatch-1 latency, EfficientFormer-L1 / MobileNetV2: **%.2f** "
                    + "(the paper reports about 1.0 on an iPhone 12's neural engine).%n", ratio));
        }
        return sb.toString();
    }

    /** EfficientFormer-L1's batch-1 p50 over MobileNetV2's, when both were measured. */
    static Double latencyRatio(Result result) {
        Measurement l1 = null;
        Measurement mb = null;
        for (Measurement m : result.measurements()) {
            if (m.batch() == 1 && m.arch().equals("efficientformer-l1")) {
                l1 = m;
            }
            if (m.batch() == 1 && m.arch().equals("mobilenetv2")) {
                mb = m;
            }
        }
        return l1 == null || mb == null ? null : l1.p50Ms() / mb.p50Ms();
    }

    public static String json(Result result, Instant when) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("kind", "model");
        root.put("time", when.toString());
        ObjectNode machine = root.putObject("machine");
        for (Map.Entry<String, String> e : result.machine().entrySet()) {
            machine.put(e.getKey(), e.getValue());
        }
        root.put("threads", result.settings().threads());
        root.put("rounds", result.settings().rounds());
        root.put("slice_seconds", result.settings().sliceSeconds());
        ArrayNode rows = root.putArray("measurements");
        for (Measurement m : result.measurements()) {
            ObjectNode r = rows.addObject();
            r.put("arch", m.arch());
            r.put("batch", m.batch());
            r.put("iterations", m.iterations());
            r.put("latency_p50_ms", m.p50Ms());
            r.put("latency_p90_ms", m.p90Ms());
            r.put("frames_per_second", m.framesPerSecond());
            r.put("gflops_per_second", m.gflopsPerSecond());
        }
        Double ratio = latencyRatio(result);
        if (ratio != null) {
            root.put("l1_over_mobilenetv2_batch1_latency", ratio);
        }
        return mapper.writeValueAsString(root);
    }

    /** Writes {@code model-<time>.md} and {@code .json} into {@code dir}; returns the Markdown path. */
    public static Path write(Result result, Instant when, Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = when.toString().replace(":", "").replaceAll("\\.\\d+", "");
        Path md = dir.resolve("model-" + stamp + ".md");
        Files.writeString(md, markdown(result, when));
        Files.writeString(dir.resolve("model-" + stamp + ".json"), json(result, when));
        return md;
    }
}
