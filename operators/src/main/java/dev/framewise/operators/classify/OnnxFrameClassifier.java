package dev.framewise.operators.classify;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.framewise.model.InvalidModelException;
import dev.framewise.model.ModelMetadata;
import dev.framewise.model.Preprocessing;
import dev.framewise.operators.codec.FrameDecoder;
import dev.framewise.operators.codec.FrameRejectedException;
import dev.framewise.operators.frames.Clocks;
import dev.framewise.operators.frames.DeadLetters;
import dev.framewise.operators.frames.FrameEnvelope;
import dev.framewise.operators.inference.Admission;
import dev.framewise.operators.inference.BatchTiming;
import dev.framewise.operators.inference.InferenceSession;
import dev.framewise.operators.inference.ModelHandler;
import dev.framewise.operators.inference.RejectedInputException;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import dev.framewise.schemas.VideoFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies video frames with an ONNX image classifier that carries Framewise metadata
 * (preprocessing and labels): decodes each frame straight into its slot of the batch's input
 * tensor, runs the batch in ONNX Runtime, and turns each row of logits into the top-k labels.
 */
public final class OnnxFrameClassifier implements ModelHandler<FrameEnvelope, FrameClassification> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnnxFrameClassifier.class);
    /** Batch sizes up to this one are run once when a session opens. */
    static final int WARM_UP_SIZES = 8;

    private final ClassifierSettings settings;

    public OnnxFrameClassifier(ClassifierSettings settings) {
        this.settings = settings;
    }

    @Override
    public InferenceSession<FrameEnvelope, FrameClassification> open(SessionContext context) throws Exception {
        Path file = settings.model().resolve(context.files());
        int threads = settings.intraOpThreads() > 0 ? settings.intraOpThreads() : context.defaultThreads();
        Session session = new Session(file, context.maxBatchSize(), threads, settings);
        try {
            long start = System.nanoTime();
            List<Integer> sizes = session.warmUp();
            LOG.info("Subtask {} warmed its session up on batches of {} in {} ms", context.subtaskIndex(), sizes,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (OrtException | RuntimeException e) {
            session.close();
            throw e;
        }
        session.endToEnd = context.metrics().histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(1000));
        CameraDecoders h264 = session.h264;
        context.metrics().gauge("h264Decoders", h264::open);
        context.metrics().gauge("h264DecodersEvicted", h264::evictions);
        context.metrics().gauge("h264StreamRestarts", h264::gaps);
        LOG.info("Subtask {} runs {} ({}) with {} intra-op thread(s), batches of up to {}", context.subtaskIndex(),
                session.modelName, session.modelVersion, threads, context.maxBatchSize());
        return session;
    }

    static final class Session implements InferenceSession<FrameEnvelope, FrameClassification> {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final String inputName;
        private final String outputName;
        private final int pixels;
        private final int classes;
        private final List<String> labels;
        private final FloatBuffer input;
        private final FloatBuffer output;
        private final OnnxTensor[] inputTensors;
        private final OnnxTensor[] outputTensors;
        private final FrameDecoder decoder;
        final CameraDecoders h264;
        private final TopK topK;
        private final FreshnessPolicy freshness;
        final String modelName;
        final String modelVersion;
        Histogram endToEnd;
        private final int size;
        private int lastRunSize;

        Session(Path file, int maxBatch, int threads, ClassifierSettings settings) throws OrtException, IOException {
            if (!Files.isReadable(file)) {
                throw new InvalidModelException("cannot read the model " + file);
            }
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(file.toString(), options);
            options.close();
            try {
                ModelMetadata metadata = ModelMetadata.fromProperties(session.getMetadata().getCustomMetadata());
                Preprocessing pre = metadata.preprocessing();
                this.inputName = session.getInputNames().iterator().next();
                this.outputName = session.getOutputNames().iterator().next();
                this.size = pre.inputSize();
                requireShape(file, session.getInputInfo().get(inputName), new long[] {-1, 3, size, size}, "input");
                this.labels = metadata.labels();
                this.classes = labels.size();
                requireShape(file, session.getOutputInfo().get(outputName), new long[] {-1, classes}, "output");
                this.pixels = 3 * size * size;
                this.input = ByteBuffer.allocateDirect(maxBatch * pixels * Float.BYTES).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                this.output = ByteBuffer.allocateDirect(maxBatch * classes * Float.BYTES).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                this.inputTensors = new OnnxTensor[maxBatch];
                this.outputTensors = new OnnxTensor[maxBatch];
                this.decoder = new FrameDecoder(pre, settings.maxPixels(), settings.jpegReducedSize());
                this.h264 = new CameraDecoders(pre, settings.maxPixels(), settings.maxH264Decoders());
                this.topK = new TopK(settings.topK(), classes);
                this.freshness = settings.freshness();
                this.modelName = metadata.arch() != null ? metadata.arch() : file.getFileName().toString();
                this.modelVersion = sha256(file).substring(0, 12);
            } catch (RuntimeException | IOException e) {
                session.close();
                throw e;
            }
        }

        private static void requireShape(Path file, NodeInfo info, long[] expected, String what) {
            if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
                throw new InvalidModelException(file + ": the model's " + what + " is not a float tensor");
            }
            long[] shape = t.getShape();
            boolean ok = shape.length == expected.length;
            for (int i = 1; ok && i < shape.length; i++) {
                ok = shape[i] == expected[i];
            }
            if (!ok) {
                throw new InvalidModelException(file + ": the model's " + what + " has shape "
                        + java.util.Arrays.toString(shape) + " but its metadata implies [batch"
                        + java.util.Arrays.toString(java.util.Arrays.copyOfRange(expected, 1, expected.length))
                                .replace("[", ", ").replace("]", "]"));
            }
        }

        @Override
        public Admission stage(int slot, FrameEnvelope envelope) throws RejectedInputException {
            VideoFrame f = envelope.frame;
            Admission admission = freshness.isOff() ? Admission.ACCEPTED
                    : freshness.admit(f.getCameraId(), Clocks.micros(f.getCaptureTime()), Clocks.nowMicros());
            try {
                if (f.getCodec() == Codec.H264 && admission != Admission.ACCEPTED) {
                    // A dropped H.264 frame is still decoded, since later frames are built on it, but
                    // not resized into model input.
                    h264.decoderFor(f).decodeOnly(f.getWidth(), f.getHeight(), f.getKeyFrame(), f.getCodecConfig(),
                            f.getPayload());
                } else if (f.getCodec() == Codec.H264) {
                    h264.decoderFor(f).decode(f.getWidth(), f.getHeight(), f.getKeyFrame(), f.getCodecConfig(),
                            f.getPayload(), input, slot * pixels);
                } else if (admission == Admission.ACCEPTED) {
                    decoder.decode(f.getCodec(), f.getWidth(), f.getHeight(), f.getPayload(), input, slot * pixels);
                }
            } catch (FrameRejectedException e) {
                if (admission != Admission.ACCEPTED) {
                    return admission; // dropped anyway: a frame is counted once, as a drop
                }
                throw new RejectedInputException(e.reason(), e.getMessage(), e);
            }
            return admission;
        }

        /**
         * Runs the model once at each batch size it will most often see, the largest first: ONNX
         * Runtime grows its memory arena and plans its memory per input shape on the first run of a
         * shape, which takes several times a normal run. Without this, the first batch of each size
         * after the job starts (or restarts) is that much late. Sizes above 8 warm up only the
         * largest, to keep the start short where batches are large.
         */
        List<Integer> warmUp() throws OrtException {
            int max = inputTensors.length;
            List<Integer> sizes = new ArrayList<>();
            sizes.add(max);
            for (int n = 1; n <= Math.min(max - 1, WARM_UP_SIZES); n++) {
                sizes.add(n);
            }
            for (int n : sizes) {
                run(n); // on whatever the buffer holds: zeros, at the start
            }
            lastRunSize = 0;
            return sizes;
        }

        @Override
        public void run(int n) throws OrtException {
            if (inputTensors[n - 1] == null) {
                // One tensor pair per batch size, created once, wrapping the direct buffers: no copies.
                inputTensors[n - 1] = OnnxTensor.createTensor(env, slice(input, n * pixels), new long[] {n, 3, size, size});
                outputTensors[n - 1] = OnnxTensor.createTensor(env, slice(output, n * classes), new long[] {n, classes});
            }
            session.run(Map.of(inputName, inputTensors[n - 1]), Map.of(outputName, outputTensors[n - 1])).close();
            lastRunSize = n;
        }

        private static FloatBuffer slice(FloatBuffer buffer, int length) {
            return buffer.duplicate().position(0).limit(length).slice();
        }

        @Override
        public FrameClassification result(int slot, FrameEnvelope envelope, BatchTiming timing) {
            if (slot >= lastRunSize) {
                throw new IllegalStateException("slot " + slot + " was not in the last batch of " + lastRunSize);
            }
            topK.select(output, slot * classes, classes);
            List<Prediction> predictions = new ArrayList<>(topK.size());
            for (int r = 0; r < topK.size(); r++) {
                int c = topK.index(r);
                predictions.add(new Prediction(c, labels.get(c), topK.probability(r)));
            }
            VideoFrame f = envelope.frame;
            long captured = Clocks.micros(f.getCaptureTime());
            long now = Clocks.nowMicros();
            long e2e = now - captured;
            endToEnd.update(e2e / 1_000);
            Latency latency = new Latency(envelope.sourceTimeMicros - captured, timing.stageNanos() / 1_000,
                    timing.queueNanos() / 1_000, timing.inferenceNanos() / 1_000, e2e, timing.batchSize());
            return new FrameClassification(f.getCameraId(), f.getSequence(), f.getCaptureTime(), Clocks.instant(now),
                    modelName, modelVersion, predictions, latency);
        }

        @Override
        public DeadLetter deadLetter(FrameEnvelope envelope, RejectedInputException why) {
            return DeadLetters.rejected(envelope, why.reason(), why.getMessage());
        }

        @Override
        public void close() throws OrtException {
            try {
                for (int i = 0; i < inputTensors.length; i++) {
                    if (inputTensors[i] != null) {
                        inputTensors[i].close();
                        outputTensors[i].close();
                    }
                }
                decoder.close();
                h264.close();
            } finally {
                session.close();
            }
        }

        private static String sha256(Path file) throws IOException {
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
        }
    }
}
