package dev.framewise.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/** Inputs and an ONNX Runtime runner shared by the model tests. */
public final class TestSupport {
    public static final int PIXELS = 3 * 224 * 224;

    private TestSupport() {
    }

    /**
     * The fixed input of the PyTorch fixtures: {@code x[n,c,h,w] = sin(0.05*h*(c+1) + 0.07*w + 0.3*n)
     * * 1.5 + 0.1*c}, computed in double and rounded to float.
     */
    public static float[] fixtureImage(int n) {
        float[] x = new float[PIXELS];
        for (int c = 0; c < 3; c++) {
            for (int h = 0; h < 224; h++) {
                for (int w = 0; w < 224; w++) {
                    x[(c * 224 + h) * 224 + w] = (float) (Math.sin(0.05 * h * (c + 1) + 0.07 * w + 0.3 * n) * 1.5 + 0.1 * c);
                }
            }
        }
        return x;
    }

    /** A varied image for item {@code n}: smooth patterns plus deterministic noise, roughly normalized. */
    public static float[] image(int n) {
        float[] x = fixtureImage(n);
        java.util.SplittableRandom r = new java.util.SplittableRandom(n * 7919L + 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 0.7f + (float) r.nextGaussian() * 0.5f;
        }
        return x;
    }

    /** Runs a batch through the model at {@code path}; returns one row of logits per image. */
    public static float[][] run(Path path, float[]... images) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(path.toString(), opts)) {
            return run(env, session, images);
        }
    }

    public static float[][] run(OrtEnvironment env, OrtSession session, float[]... images) throws OrtException {
        FloatBuffer buf = ByteBuffer.allocateDirect(images.length * PIXELS * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (float[] img : images) {
            buf.put(img);
        }
        buf.flip();
        try (OnnxTensor input = OnnxTensor.createTensor(env, buf, new long[] {images.length, 3, 224, 224});
                OrtSession.Result result = session.run(Map.of(ModelBuilder.INPUT, input))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    /** max |a - b| / max |b|: the error relative to the reference's scale. */
    public static double relativeError(float[] actual, float[] expected) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }
}
