package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code framewise model build|info} as a user runs them: exit status, output, and one-line errors. */
class ModelCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) throws Exception {
        CliRun r = CliRun.run(args);
        return new Run(r.status(java.time.Duration.ofMinutes(1)), r.out(), r.err());
    }

    @Test
    void buildThenInfoJsonReportsTheArchitecture() throws Exception {
        Path model = dir.resolve("l1.onnx");
        Run build = run("model", "build", "--arch", "efficientformer-l1", "--seed", "3", "--out", model.toString());
        assertEquals(0, build.status(), build.err());
        assertTrue(build.out().startsWith("built efficientformer-l1: 12,289,928 parameters, 1.291 GMACs per image, "
                + "weights generated (seed 3)"), build.out());
        assertTrue(Files.size(model) > 40_000_000);

        Run info = run("model", "info", "--json", model.toString());
        assertEquals(0, info.status(), info.err());
        JsonNode json = new ObjectMapper().readTree(info.out());
        assertEquals("efficientformer-l1", json.get("arch").asText());
        assertEquals(12289928L, json.get("parameters").asLong());
        assertEquals(1291284736L, json.get("macs").asLong());
        assertEquals(17, json.get("opset").asInt());
        assertEquals("[\"batch\",3,224,224]", json.get("input_shape").toString());
        assertEquals(1000, json.get("num_classes").asInt());
        assertTrue(json.get("framewise_ready").asBoolean());
        assertEquals("generated (seed 3)", json.get("weights_source").asText());

        Run text = run("model", "info", model.toString());
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains("parameters    12,289,928 in the architecture"), text.out());
    }

    @Test
    void aFailedImportWritesNoModel() throws Exception {
        Path weights = dir.resolve("m.safetensors");
        Files.writeString(weights, "not a checkpoint");
        Path out = dir.resolve("x.onnx");
        Run bad = run("model", "build", "--arch", "mobilenetv2", "--weights", weights.toString(), "--out", out.toString());
        assertEquals(1, bad.status());
        assertEquals("framewise: error: m.safetensors is neither a PyTorch checkpoint (a torch.save zip archive) nor a"
                + " safetensors file\n", bad.err());
        assertTrue(Files.notExists(out), "no model is written when the import fails");
    }

    @Test
    void errorsAreOneLineAndNonZero() throws Exception {
        Run unknown = run("model", "build", "--arch", "resnet50", "--out", dir.resolve("x.onnx").toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("framewise: Invalid value for option '--arch': unknown architecture "
                + "'resnet50': choose one of efficientformer-l1, efficientformer-l3, efficientformer-l7, mobilenetv2\n"),
                unknown.err());

        Run missing = run("model", "build", "--arch", "mobilenetv2", "--weights", dir.resolve("nope.pth").toString(),
                "--out", dir.resolve("x.onnx").toString());
        assertEquals(1, missing.status());
        assertEquals("framewise: error: cannot read weights " + dir.resolve("nope.pth") + ": no such file\n", missing.err());

        // A parent that is a file cannot hold the output (permissions would not stop root, who runs CI here).
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Run unwritable = run("model", "build", "--arch", "mobilenetv2", "--out", file.resolve("m.onnx").toString());
        assertEquals(1, unwritable.status());
        assertTrue(unwritable.err().startsWith("framewise: error: cannot write " + file.resolve("m.onnx") + ": "),
                unwritable.err());
        assertEquals(1, unwritable.err().lines().count(), unwritable.err());

        Run isDir = run("model", "build", "--arch", "mobilenetv2", "--out", dir.toString());
        assertEquals(1, isDir.status());
        assertTrue(isDir.err().startsWith("framewise: error: cannot write " + dir + ": it is a directory"), isDir.err());

        Run both = run("model", "build", "--arch", "mobilenetv2", "--seed", "1", "--weights", "x.pth", "--out", "y.onnx");
        assertEquals(2, both.status());
        assertTrue(both.err().startsWith("framewise: --seed and --weights exclude each other"), both.err());

        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "hello");
        Run info = run("model", "info", junk.toString());
        assertEquals(1, info.status());
        assertEquals(1, info.err().lines().count(), info.err());
    }
}
