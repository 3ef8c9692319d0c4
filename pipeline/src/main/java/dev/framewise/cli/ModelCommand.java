package dev.framewise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.framewise.cli.Framewise.UserException;
import dev.framewise.model.InvalidModelException;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.ModelInfo;
import dev.framewise.model.ModelMetadata;
import dev.framewise.model.Preprocessing;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.Architectures;
import dev.framewise.model.checkpoint.CheckpointImporter;
import dev.framewise.model.onnx.proto.ModelProto;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.model.weights.Weights;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code framewise model build|info}: EfficientFormer and MobileNetV2 as ONNX models. */
@Command(name = "model", description = "Build image classifiers as ONNX models, and describe ONNX models.",
        mixinStandardHelpOptions = true, subcommands = {ModelCommand.Build.class, ModelCommand.Info.class})
final class ModelCommand {

    /** Parses an architecture name; unknown names fail listing the known ones. */
    static final class ArchConverter implements CommandLine.ITypeConverter<Architecture> {
        @Override
        public Architecture convert(String value) {
            try {
                return Architectures.byId(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Build an architecture as an ONNX model (opset 17, dynamic batch, input [N,3,224,224],"
                    + " output [N,classes] logits), with batch norm, layer scales and twin heads folded, and"
                    + " Framewise metadata (preprocessing, labels, weights source).",
                "Without --weights the weights are generated from --seed: the real graph and cost, not"
                    + " trained accuracy."})
    static final class Build implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--arch", required = true, converter = ArchConverter.class, paramLabel = "ARCH",
                description = "efficientformer-l1, efficientformer-l3, efficientformer-l7 or mobilenetv2.")
        Architecture arch;

        @Option(names = "--weights", paramLabel = "FILE",
                description = "Import a checkpoint: PyTorch .pth/.pt/.bin (torch.save zip) or .safetensors; timm or"
                        + " reference-repository keys (EfficientFormer), timm mobilenetv2_100 keys; fp32, fp16 or bf16.")
        Path weights;

        @Option(names = "--seed", paramLabel = "N",
                description = "Seed of generated weights (default: ${DEFAULT-VALUE}).", defaultValue = "42")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "Where to write the model.")
        Path out;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            if (weights != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--seed and --weights exclude each other: imported weights need no seed");
            }
            if (Files.isDirectory(out)) {
                throw new UserException("cannot write " + out + ": it is a directory; give a file name such as "
                        + out.resolve(arch.id() + ".onnx"));
            }
            long start = System.nanoTime();
            Weights w = weights == null ? GeneratedWeights.generate(arch, seed) : CheckpointImporter.importWeights(weights, arch);
            ModelProto model = ModelBuilder.build(arch, w);
            try {
                ModelBuilder.write(model, out);
            } catch (IOException e) {
                throw new UserException("cannot write " + out + ": " + IoErrors.describe(e), e);
            }
            long bytes;
            try {
                bytes = Files.size(out);
            } catch (IOException e) {
                bytes = -1;
            }
            o.printf(Locale.ROOT, "built %s: %,d parameters, %.3f GMACs per image, weights %s%n", arch.id(),
                    arch.parameterCount(), arch.macs() / 1e9, w.source());
            o.printf(Locale.ROOT, "wrote %s (%.1f MB) in %.1f s%n", out, bytes / 1e6, (System.nanoTime() - start) / 1e9);
            if (weights == null) {
                o.println("note: generated weights give the real graph and speed, not trained predictions;"
                        + " import a checkpoint with --weights for those");
            }
            o.flush();
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Describe an ONNX model: Framewise metadata, inputs and outputs, and the graph's own"
                    + " parameter count and MACs.")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Parameters(paramLabel = "FILE.onnx", description = "The model.")
        Path file;

        @Override
        public Integer call() throws IOException {
            ModelInfo info = ModelInfo.read(file);
            ModelMetadata metadata = null;
            String problem = null;
            try {
                metadata = info.frameworkMetadata();
            } catch (InvalidModelException e) {
                problem = e.getMessage();
            }
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                o.println(mapper.writeValueAsString(toJson(mapper, info, metadata, problem)));
            } else {
                printText(o, info, metadata, problem);
            }
            o.flush();
            return 0;
        }

        private ObjectNode toJson(ObjectMapper mapper, ModelInfo info, ModelMetadata m, String problem) throws IOException {
            ObjectNode n = mapper.createObjectNode();
            n.put("file", info.file().toString());
            n.put("size_bytes", Files.size(info.file()));
            n.put("arch", info.arch());
            n.put("family", info.metadata().get(ModelMetadata.FAMILY));
            n.put("variant", info.metadata().get(ModelMetadata.VARIANT));
            putLong(n, "parameters", info.parameters());
            putLong(n, "macs", info.macs());
            n.put("graph_parameters", info.graphParameters());
            putLong(n, "graph_macs", info.graphMacs());
            n.put("opset", info.opset());
            n.put("ir_version", info.irVersion());
            n.put("producer", info.producer());
            n.put("input_name", info.inputName());
            n.put("input_type", info.inputType());
            n.set("input_shape", shape(mapper, info.inputShape()));
            n.put("output_name", info.outputName());
            n.set("output_shape", shape(mapper, info.outputShape()));
            putLong(n, "num_classes", info.numClasses());
            n.put("framewise_ready", m != null);
            if (m != null) {
                Preprocessing p = m.preprocessing();
                ObjectNode pre = n.putObject("preprocessing");
                pre.put("input_size", p.inputSize());
                pre.put("resize_size", p.resizeSize());
                pre.put("interpolation", p.interpolation());
                pre.put("crop_fraction", p.cropFraction());
                ArrayNode mean = pre.putArray("mean");
                ArrayNode std = pre.putArray("std");
                for (int i = 0; i < 3; i++) {
                    mean.add(p.mean()[i]);
                    std.add(p.std()[i]);
                }
                n.put("label_set", m.labelSet());
                ArrayNode labels = n.putArray("labels");
                m.labels().forEach(labels::add);
                n.put("weights_source", m.weightsSource());
                n.put("weights_sha256", m.weightsSha256());
            } else {
                n.put("problem", problem);
            }
            return n;
        }

        private static void putLong(ObjectNode n, String key, OptionalLong v) {
            if (v.isPresent()) {
                n.put(key, v.getAsLong());
            } else {
                n.putNull(key);
            }
        }

        private static ArrayNode shape(ObjectMapper mapper, List<String> dims) {
            ArrayNode a = mapper.createArrayNode();
            for (String d : dims) {
                try {
                    a.add(Long.parseLong(d));
                } catch (NumberFormatException e) {
                    a.add(d);
                }
            }
            return a;
        }

        private void printText(PrintWriter o, ModelInfo info, ModelMetadata m, String problem) throws IOException {
            row(o, "model", String.format(Locale.ROOT, "%s (%.1f MB)", info.file(), Files.size(info.file()) / 1e6));
            row(o, "architecture", info.arch() == null ? "(not recorded)" : info.arch());
            row(o, "parameters", info.parameters().isPresent()
                    ? String.format(Locale.ROOT, "%,d in the architecture, %,d in the folded graph",
                            info.parameters().getAsLong(), info.graphParameters())
                    : String.format(Locale.ROOT, "%,d in the graph", info.graphParameters()));
            String graphMacs = info.graphMacs().isPresent()
                    ? String.format(Locale.ROOT, "%.3f G in the graph", info.graphMacs().getAsLong() / 1e9)
                    : "not countable from the graph (no shapes recorded)";
            row(o, "MACs/image", info.macs().isPresent()
                    ? String.format(Locale.ROOT, "%.3f G in the architecture, %s", info.macs().getAsLong() / 1e9, graphMacs)
                    : graphMacs);
            row(o, "opset", info.opset() + " (IR version " + info.irVersion() + ")"
                    + (info.producer().isEmpty() ? "" : ", produced by " + info.producer()));
            row(o, "input", info.inputName() + " " + info.inputType() + " " + info.inputShape());
            row(o, "output", info.outputName() + " " + info.outputShape());
            if (m == null) {
                row(o, "framewise", "cannot run this model: " + problem);
                return;
            }
            Preprocessing p = m.preprocessing();
            row(o, "preprocess", String.format(Locale.ROOT, "resize short side to %d (%s), center-crop %d, mean %s, std %s",
                    p.resizeSize(), p.interpolation(), p.inputSize(), Arrays.toString(p.mean()), Arrays.toString(p.std())));
            List<String> labels = m.labels();
            row(o, "labels", String.format(Locale.ROOT, "%s%d classes: %s, ...",
                    m.labelSet() == null ? "" : m.labelSet() + ", ", labels.size(),
                    String.join(", ", labels.subList(0, Math.min(3, labels.size())))));
            row(o, "weights", m.weightsSource() + (m.weightsSha256() == null ? "" : ", sha256 " + m.weightsSha256()));
        }

        private static void row(PrintWriter o, String key, String value) {
            o.printf(Locale.ROOT, "%-13s %s%n", key, value);
        }
    }
}
