package dev.framewise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.framewise.model.ModelMetadata;
import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.VideoFrame;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Inference in a map function, one record at a time, the way it is usually written by hand: ONNX
 * Runtime's default session options, ImageIO to decode, Java 2D to resize, a new array and a new
 * tensor for every frame. The baseline Framewise is measured against; nothing here is tuned on
 * purpose.
 *
 * <p>A frame it cannot read (not a VideoFrame, not an image ImageIO decodes, H.264) throws, and the
 * job fails: hand-written jobs rarely have a dead-letter path.
 */
final class NaiveClassifier extends RichMapFunction<byte[], FrameClassification> {
    private static final long serialVersionUID = 1L;
    static final int TOP_K = 5;

    private final String modelPath;
    private transient OrtEnvironment env;
    private transient OrtSession session;
    private transient String inputName;
    private transient Preprocessing preprocessing;
    private transient List<String> labels;
    private transient String modelName;
    private transient String modelVersion;

    NaiveClassifier(Path model) {
        this.modelPath = model.toString();
    }

    @Override
    public void open(OpenContext context) throws OrtException, IOException {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions defaults = new OrtSession.SessionOptions()) {
            session = env.createSession(modelPath, defaults);
        }
        ModelMetadata metadata = ModelMetadata.fromProperties(session.getMetadata().getCustomMetadata());
        inputName = session.getInputNames().iterator().next();
        preprocessing = metadata.preprocessing();
        labels = metadata.labels();
        modelName = metadata.arch() != null ? metadata.arch() : Path.of(modelPath).getFileName().toString();
        modelVersion = sha256(Path.of(modelPath)).substring(0, 12);
    }

    /**
     * decode_us covers Avro, ImageIO, the resize and filling the array; inference_us covers making
     * the tensor from the array (a copy), the run and reading the logits back. Nothing waits in a
     * queue and the source's read time is not kept, so those two are 0.
     */
    @Override
    public FrameClassification map(byte[] value) throws Exception {
        long t0 = System.nanoTime();
        VideoFrame frame = SingleObjectCodec.VIDEO_FRAME.decode(value);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes(frame.getPayload())));
        if (image == null) {
            throw new IOException("frame " + frame.getCameraId() + "#" + frame.getSequence() + " (" + frame.getCodec()
                    + ") is not an image ImageIO can read");
        }
        float[][][][] pixels = toInput(image, preprocessing);
        long t1 = System.nanoTime();
        float[] logits;
        try (OnnxTensor input = OnnxTensor.createTensor(env, pixels);
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            logits = ((float[][]) result.get(0).getValue())[0];
        }
        long t2 = System.nanoTime();
        Instant now = Instant.now();
        long endToEnd = ChronoUnit.MICROS.between(frame.getCaptureTime(), now);
        Latency latency = new Latency(0L, (t1 - t0) / 1_000, 0L, (t2 - t1) / 1_000, endToEnd, 1);
        return new FrameClassification(frame.getCameraId(), frame.getSequence(), frame.getCaptureTime(), now,
                modelName, modelVersion, topK(logits, labels), latency);
    }

    /**
     * The model's input for one image: the short side resized to the preprocessing's resize size
     * with Java 2D, the center square of the input size cropped, scaled to [0, 1], normalized per
     * channel, laid out [1][3][size][size].
     */
    static float[][][][] toInput(BufferedImage image, Preprocessing pre) {
        int size = pre.inputSize();
        double scale = (double) pre.resizeSize() / Math.min(image.getWidth(), image.getHeight());
        int w = (int) Math.round(image.getWidth() * scale);
        int h = (int) Math.round(image.getHeight() * scale);
        BufferedImage crop = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = crop.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation(pre.interpolation()));
            // Drawn scaled and shifted so that the center of the resized image lands in the crop.
            g.drawImage(image, -(w - size) / 2, -(h - size) / 2, w, h, null);
        } finally {
            g.dispose();
        }
        float[] mean = pre.mean();
        float[] std = pre.std();
        float[][][][] x = new float[1][3][size][size];
        for (int y = 0; y < size; y++) {
            for (int c = 0; c < size; c++) {
                int rgb = crop.getRGB(c, y);
                x[0][0][y][c] = (((rgb >> 16) & 0xff) / 255f - mean[0]) / std[0];
                x[0][1][y][c] = (((rgb >> 8) & 0xff) / 255f - mean[1]) / std[1];
                x[0][2][y][c] = ((rgb & 0xff) / 255f - mean[2]) / std[2];
            }
        }
        return x;
    }

    private static Object interpolation(String name) {
        return switch (name) {
            case "bicubic" -> RenderingHints.VALUE_INTERPOLATION_BICUBIC;
            case "bilinear" -> RenderingHints.VALUE_INTERPOLATION_BILINEAR;
            default -> RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR;
        };
    }

    /** Softmax over all classes, then the {@value #TOP_K} most probable, most probable first. */
    static List<Prediction> topK(float[] logits, List<String> labels) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<Prediction> out = new ArrayList<>(TOP_K);
        for (int r = 0; r < Math.min(TOP_K, order.length); r++) {
            int c = order[r];
            out.add(new Prediction(c, labels.get(c), (float) (p[c] / sum)));
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public void close() throws OrtException {
        if (session != null) {
            OrtSession s = session;
            session = null;
            s.close();
        }
    }
}
