package dev.framewise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.Architectures;
import dev.framewise.model.weights.GeneratedWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every architecture, built with generated weights, loads in ONNX Runtime and runs batches of 1 and 8. */
class BuiltModelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"efficientformer-l1", "efficientformer-l3", "efficientformer-l7", "mobilenetv2"})
    void runsInOnnxRuntimeAndBatchNeighboursDoNotMatter(String id) throws Exception {
        Architecture arch = Architectures.byId(id);
        Path file = dir.resolve(id + ".onnx");
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 7)), file);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), opts)) {
            TensorInfo in = (TensorInfo) session.getInputInfo().get(ModelBuilder.INPUT).getInfo();
            NodeInfo out = session.getOutputInfo().get(ModelBuilder.OUTPUT);
            assertEquals(-1, in.getShape()[0], "the batch dimension is dynamic");
            assertEquals(1000, ((TensorInfo) out.getInfo()).getShape()[1]);

            float[][] batch = new float[8][];
            for (int i = 0; i < 8; i++) {
                batch[i] = TestSupport.image(i);
            }
            float[][] eight = TestSupport.run(env, session, batch);
            assertEquals(8, eight.length);
            for (int i : new int[] {0, 5}) {
                float[] alone = TestSupport.run(env, session, batch[i])[0];
                assertEquals(1000, alone.length);
                double spread = 0;
                for (int k = 0; k < 1000; k++) {
                    assertTrue(Float.isFinite(alone[k]), id + " logit " + k + " is not finite");
                    assertTrue(Math.abs(eight[i][k] - alone[k]) <= 1e-5 * Math.max(1, Math.abs(alone[k])),
                            id + ": frame " + i + " logit " + k + " is " + eight[i][k] + " in a batch of 8, "
                                    + alone[k] + " alone");
                    spread = Math.max(spread, Math.abs(alone[k] - alone[0]));
                }
                assertTrue(spread > 1e-2, id + ": logits are degenerate (all equal)");
            }
            double across = 0;
            for (int k = 0; k < 1000; k++) {
                across = Math.max(across, Math.abs(eight[0][k] - eight[5][k]));
            }
            assertTrue(across > 1e-2, id + ": two different images give the same logits");
            for (float[] row : eight) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
