package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.Preprocessing;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NaiveClassifierTest {
    static final Preprocessing PRE = Preprocessing.imagenet(0.875); // resize to 256, crop 224

    @TempDir
    Path dir;

    @Test
    void aPlainImageBecomesItsNormalizedColour() {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200, 100, 50));
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        float[][][][] x = NaiveClassifier.toInput(img, PRE);
        assertEquals(224, x[0][0].length);
        assertEquals(224, x[0][0][0].length);
        int[] rgb = {200, 100, 50};
        for (int c = 0; c < 3; c++) {
            float expected = (rgb[c] / 255f - PRE.mean()[c]) / PRE.std()[c];
            assertEquals(expected, x[0][c][0][0], 1e-4);
            assertEquals(expected, x[0][c][111][111], 1e-4);
            assertEquals(expected, x[0][c][223][223], 1e-4);
        }
    }

    @Test
    void theCenterIsCroppedFromTheShortSide() {
        // 512 x 256: resized to 512 x 256 (short side 256), the crop keeps columns 144..367.
        // Columns 0..159 of the original are red and 352.. blue: the crop's edges are red and blue.
        BufferedImage img = new BufferedImage(512, 256, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, 512, 256);
        g.setColor(Color.RED);
        g.fillRect(0, 0, 160, 256);
        g.setColor(Color.BLUE);
        g.fillRect(352, 0, 160, 256);
        g.dispose();
        float[][][][] x = NaiveClassifier.toInput(img, PRE);
        float high = (1 - PRE.mean()[0]) / PRE.std()[0] - 0.1f;
        assertTrue(x[0][0][112][0] > high, "left edge red: " + x[0][0][112][0]);
        assertTrue(x[0][1][112][112] > (1 - PRE.mean()[1]) / PRE.std()[1] - 0.1f, "middle green");
        assertTrue(x[0][2][112][223] > (1 - PRE.mean()[2]) / PRE.std()[2] - 0.1f, "right edge blue");
    }

    @Test
    void topFiveAreTheMostProbableWithSoftmaxScores() {
        float[] logits = {0, 3, 1, 5, 2, 4, -1};
        List<String> labels = List.of("a", "b", "c", "d", "e", "f", "g");
        List<Prediction> top = NaiveClassifier.topK(logits, labels);
        assertEquals(List.of(3, 5, 1, 4, 2), top.stream().map(Prediction::getClassIndex).toList());
        assertEquals(List.of("d", "f", "b", "e", "c"), top.stream().map(Prediction::getLabel).toList());
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v);
        }
        assertEquals(Math.exp(5) / sum, top.get(0).getScore(), 1e-6);
        assertEquals(2, NaiveClassifier.topK(new float[] {1, 2}, List.of("x", "y")).size(), "fewer classes than 5");
    }

    @Test
    void classifiesOneFramePerCallAndFailsOnABadOne() throws Exception {
        MobileNetV2 arch = MobileNetV2.custom("tiny", 0.25, 10);
        Path model = dir.resolve("tiny.onnx");
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 3)), model);
        NaiveClassifier f = new NaiveClassifier(model);
        f.open(DefaultOpenContext.INSTANCE);
        try (SyntheticCamera cam = new SyntheticCamera("cam-a", 320, 240, 80)) {
            Instant captured = Instant.now();
            FrameClassification c = f.map(cam.record(7, captured, null));
            assertEquals("cam-a", c.getCameraId());
            assertEquals(7, c.getSequence());
            assertEquals("mobilenetv2-tiny", c.getModelName());
            assertEquals(12, c.getModelVersion().length());
            assertEquals(5, c.getPredictions().size());
            Latency l = c.getLatency();
            assertEquals(1, l.getBatchSize());
            assertEquals(0, l.getCaptureToSourceUs());
            assertEquals(0, l.getQueueWaitUs());
            assertTrue(l.getDecodeUs() > 0 && l.getInferenceUs() > 0, l.toString());
            assertTrue(l.getDecodeUs() + l.getInferenceUs() <= l.getEndToEndUs(), l.toString());
            assertThrows(Exception.class, () -> f.map(cam.record(8, captured, SyntheticCamera.Defect.CORRUPT_JPEG)));
            assertThrows(Exception.class, () -> f.map(cam.record(9, captured, SyntheticCamera.Defect.UNREADABLE)));
        } finally {
            f.close();
            f.close(); // idempotent
        }
    }
}
