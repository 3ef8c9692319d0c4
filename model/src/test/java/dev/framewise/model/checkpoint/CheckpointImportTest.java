package dev.framewise.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.TestSupport;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.tensor.Tensor;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.model.weights.Weights;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints written by real PyTorch (see src/test/resources/checkpoints/README.md) import into
 * graphs that reproduce PyTorch's logits; damaged, hostile and mismatched files fail clearly.
 */
class CheckpointImportTest {
    static final EfficientFormer TINY_A =
            EfficientFormer.custom("tiny-a", new int[] {8, 16, 24, 32}, new int[] {2, 1, 2, 3}, 1, 10);
    static final EfficientFormer TINY_B =
            EfficientFormer.custom("tiny-b", new int[] {8, 16, 24, 32}, new int[] {1, 1, 1, 2}, 2, 10);
    static final MobileNetV2 MOBILENET_TINY = MobileNetV2.custom("tiny", 0.25, 10);

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(CheckpointImportTest.class.getResource("/checkpoints/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Architecture arch(String name) {
        return switch (name) {
            case "tiny-a" -> TINY_A;
            case "tiny-b" -> TINY_B;
            case "mobilenet-tiny" -> MOBILENET_TINY;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "efficientformer-tiny-a.timm.pth, tiny-a, timm layout",
        "efficientformer-tiny-a.reference.pth, tiny-a, reference repository layout",
        "efficientformer-tiny-a.timm.safetensors, tiny-a, timm layout",
        "efficientformer-tiny-a.fp16.pth, tiny-a, timm layout",
        "efficientformer-tiny-b.timm.safetensors, tiny-b, timm layout",
        "mobilenetv2-tiny.timm.pth, mobilenet-tiny, timm layout",
    })
    void importedCheckpointsReproducePyTorchLogits(String file, String archName, String layout) throws Exception {
        Architecture arch = arch(archName);
        Weights w = CheckpointImporter.importWeights(fixture(file), arch);
        assertTrue(w.source().startsWith(file + " (" + layout), w.source());
        assertEquals(64, w.sha256().length());

        Path model = dir.resolve("model.onnx");
        ModelBuilder.write(ModelBuilder.build(arch, w), model);
        float[][] actual = TestSupport.run(model, TestSupport.fixtureImage(0), TestSupport.fixtureImage(1));

        JsonNode logits = new ObjectMapper().readTree(fixture(file + ".logits.json").toFile()).get("logits");
        for (int n = 0; n < 2; n++) {
            float[] expected = new float[arch.numClasses()];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = (float) logits.get(n).get(k).asDouble();
            }
            double err = TestSupport.relativeError(actual[n], expected);
            assertTrue(err < 1e-4, file + " image " + n + ": differs from PyTorch by " + err + "\n  onnx    "
                    + Arrays.toString(actual[n]) + "\n  pytorch " + Arrays.toString(expected));
        }
    }

    @Test
    void stridedViewsAndBfloat16AreReadAsPyTorchReadsThem() throws IOException {
        StateDict sd = CheckpointReader.read(fixture("views.pth"));
        JsonNode expected = new ObjectMapper().readTree(fixture("views.pth.json").toFile());
        assertEquals(3, sd.tensors().size());
        for (String key : new String[] {"transposed", "sliced", "bf16"}) {
            Tensor t = sd.tensors().get(key).toFloat();
            JsonNode e = expected.get(key);
            assertArrayEquals(new ObjectMapper().convertValue(e.get("shape"), int[].class), t.shape(), key);
            float[] values = new float[t.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) e.get("values").get(i).asDouble();
            }
            assertArrayEquals(values, t.data(), key);
        }
    }

    @Test
    void hostilePickleIsRefusedWithoutRunningIt() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.importWeights(fixture("hostile.pth"), TINY_A));
        assertTrue(e.getMessage().contains("refers to the Python global 'posix.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("never runs code from a checkpoint"), e.getMessage());
        assertFalse(Files.exists(Path.of("/tmp/framewise-pwned")));
    }

    @Test
    void truncatedPyTorchCheckpointFails() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("efficientformer-tiny-a.timm.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(cut, TINY_A));
        assertTrue(e.getMessage().startsWith("cut.pth is not a readable PyTorch checkpoint: the zip archive is truncated or corrupt"),
                e.getMessage());
    }

    @Test
    void corruptedTensorBytesFailTheirChecksum() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("efficientformer-tiny-a.timm.pth"));
        bytes[bytes.length / 2] ^= 0x5a;
        Path bad = dir.resolve("bad.pth");
        Files.write(bad, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(bad, TINY_A));
        assertTrue(e.getMessage().matches("bad\\.pth is corrupt: .*/data/\\d+ fails its CRC check"), e.getMessage());
    }

    @Test
    void truncatedSafetensorsFails() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("efficientformer-tiny-a.timm.safetensors"));
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1000));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(cut, TINY_A));
        assertTrue(e.getMessage().startsWith("cut.safetensors is truncated: tensor '"), e.getMessage());
    }

    @Test
    void corruptSafetensorsHeaderFails() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("efficientformer-tiny-a.timm.safetensors"));
        int colon = 8;
        while (bytes[colon] != ':') {
            colon++;
        }
        bytes[colon] = ';';
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(bad, TINY_A));
        assertTrue(e.getMessage().startsWith("bad.safetensors is corrupt: its safetensors header is not valid JSON"),
                e.getMessage());
    }

    @Test
    void wrongVariantNamesTheKeyAndBothShapes() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.importWeights(fixture("efficientformer-tiny-a.timm.pth"), EfficientFormer.L1));
        String m = e.getMessage();
        assertTrue(m.startsWith("efficientformer-tiny-a.timm.pth does not match efficientformer-l1 (read as timm layout): "), m);
        assertTrue(m.contains("stem.conv1.weight: [4, 3, 3, 3] in the checkpoint, [24, 3, 3, 3] in efficientformer-l1"), m);
        assertTrue(m.contains("missing key(s): stages.0.blocks.2.ls1.gamma [48]"), m);
    }

    @Test
    void referenceLayoutErrorsUseTheFilesOwnNames() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.importWeights(fixture("efficientformer-tiny-a.reference.pth"), EfficientFormer.L1));
        assertTrue(e.getMessage().contains("(read as reference repository layout)"), e.getMessage());
        assertTrue(e.getMessage().contains("patch_embed.0.weight: [4, 3, 3, 3] in the checkpoint, [24, 3, 3, 3]"),
                e.getMessage());
    }

    @Test
    void otherFamilyIsReportedAsMissingAndUnexpectedKeys() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.importWeights(fixture("mobilenetv2-tiny.timm.pth"), TINY_A));
        assertTrue(e.getMessage().contains("missing key(s): stem.conv1.weight [4, 3, 3, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key(s): conv_stem.weight [8, 3, 3, 3]"), e.getMessage());
    }

    @Test
    void missingAndUnexpectedKeysAreNamed() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(GeneratedWeights.generate(TINY_A, 1).tensors());
        tensors.remove("norm.weight");
        tensors.put("extra.weight", Tensor.of(new float[3], 3));
        Path file = dir.resolve("edited.safetensors");
        SafetensorsWriter.write(file, tensors);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(file, TINY_A));
        assertEquals("edited.safetensors does not match efficientformer-tiny-a (read as timm layout): "
                + "1 missing key(s): norm.weight [32]; 1 unexpected key(s): extra.weight [3]", e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherBuiltInVariantSaysWhichOne() throws IOException {
        Path file = dir.resolve("l1.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        GeneratedWeights.generate(EfficientFormer.L1, 3).tensors().forEach((k, v) -> tensors.put("module." + k, v));
        SafetensorsWriter.write(file, tensors);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointImporter.importWeights(file, EfficientFormer.L3));
        assertTrue(e.getMessage().endsWith(". It matches efficientformer-l1: use --arch efficientformer-l1"), e.getMessage());
        // DataParallel's "module." prefix is accepted.
        assertEquals(EfficientFormer.L1.parameterCount() + 0, CheckpointImporter.importWeights(file, EfficientFormer.L1)
                .tensors().values().stream().mapToLong(Tensor::size).sum() - bnStatistics(EfficientFormer.L1));
    }

    @Test
    void nonFiniteWeightsAreRefused() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(GeneratedWeights.generate(TINY_A, 1).tensors());
        tensors.put("head.bias", Tensor.of(new float[] {0, 0, 0, Float.NaN, 0, 0, 0, 0, 0, 0}, 10));
        Path file = dir.resolve("nan.safetensors");
        SafetensorsWriter.write(file, tensors);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(file, TINY_A));
        assertEquals("nan.safetensors: 'head.bias' holds NaN or infinite values", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "legacy.pth  | 80 02 8a 0a 6c fc 9c 46 f9 20 6a a8 50 19 | legacy.pth is in PyTorch's legacy format (before 1.6)",
        "notes.txt   | 68 65 6c 6c 6f 20 77 6f 72 6c 64 0a 0a 0a 0a 0a | notes.txt is neither a PyTorch checkpoint",
        "empty.pth   | | empty.pth is neither a PyTorch checkpoint (a torch.save zip archive) nor a safetensors file (it is empty)",
    })
    void filesThatAreNoCheckpointFailClearly(String name, String hex, String message) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, hex == null ? new byte[0] : java.util.HexFormat.ofDelimiter(" ").parseHex(hex));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(file, TINY_A));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void missingFileFailsClearly() {
        Path file = dir.resolve("nope.pth");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.importWeights(file, TINY_A));
        assertEquals("cannot read weights " + file + ": no such file", e.getMessage());
    }

    private static long bnStatistics(Architecture arch) {
        return arch.parameters().stream().filter(p -> !p.role().learnable() && !p.role().optional())
                .mapToLong(p -> p.elementCount()).sum();
    }
}
