package dev.framewise.job;

import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.InvalidModelException;
import dev.framewise.model.ModelInfo;
import dev.framewise.model.Preprocessing;
import dev.framewise.operators.classify.DecodeH264Upstream;
import dev.framewise.operators.classify.FreshnessPolicy;
import dev.framewise.operators.classify.ClassifierSettings;
import dev.framewise.operators.classify.ModelSource;
import dev.framewise.operators.classify.OnnxFrameClassifier;
import dev.framewise.operators.frames.FrameEnvelope;
import dev.framewise.operators.frames.ParseFrames;
import dev.framewise.operators.frames.RawFrameRecord;
import dev.framewise.operators.inference.BatchInferenceOperator;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Framewise job: frames from Kafka, parsed, decoded and classified in batches, one result per
 * frame to Kafka, dead letters to their own topic.
 *
 * <pre>
 * source ─▶ parse ─▶ classify (decode + preprocess + batch + ONNX Runtime + top-k) ─▶ results sink
 *             └──────────┴──── dead letters ─────────────────────────────────────▶ dead-letter sink
 * </pre>
 *
 * In rebalance mode H.264 frames are decoded between parse and the shuffle (see below).
 *
 * {@link #build} wires the graph between any source and sinks (tests pass their own); {@link #main}
 * is what {@code flink run} and {@code framewise run} start, with Kafka on both ends.
 */
public final class FramewiseJob {
    /** The name under which the model file travels with the job (Flink's distributed cache). */
    public static final String MODEL_CACHE_NAME = "framewise-model";

    /** The name and uid of the batching inference operator, under which its metrics are reported. */
    public static final String CLASSIFY = "classify";

    private FramewiseJob() {
    }

    /** Entry point of the job jar: {@code flink run framewise-job.jar [--config FILE] [options]}. */
    public static void main(String[] args) throws Exception {
        JobSettings settings = JobArguments.parse(args);
        // On the client's console when submitted: which inference settings the job takes (each subtask
        // logs its resolved threads and batch size when its session opens).
        System.out.println("framewise: " + settings.describeInference(0, 0));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        prepare(env, settings);
        env.execute(settings.jobName());
    }

    /**
     * Checks the settings against the world (the model file, the topics) and builds the job with
     * Kafka on both ends; the caller executes it.
     */
    public static void prepare(StreamExecutionEnvironment env, JobSettings settings) {
        checkModel(settings);
        KafkaConnections.checkTopics(settings, false, 0);
        build(env, settings, KafkaConnections.source(settings), KafkaConnections.classificationsSink(settings),
                KafkaConnections.deadLettersSink(settings));
    }

    /** Fails at start, naming model.path, if the model is missing or not one Framewise can feed. */
    public static ModelInfo checkModel(JobSettings settings) {
        if (settings.modelPath() == null) {
            throw new ConfigException("model.path is required: build a model with 'framewise model build --arch"
                    + " efficientformer-l1 --out model.onnx' and pass --model model.onnx");
        }
        Path path = Path.of(settings.modelPath());
        if (!Files.isReadable(path)) {
            throw new ConfigException("model.path: cannot read " + path);
        }
        try {
            ModelInfo info = ModelInfo.read(path);
            info.frameworkMetadata();
            return info;
        } catch (InvalidModelException e) {
            throw new ConfigException("model.path: " + e.getMessage(), e);
        }
    }

    /** The job graph between {@code source} and the two sinks. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, Source<RawFrameRecord, ?, ?> source,
            Sink<FrameClassification> results, Sink<DeadLetter> deadLetters) {
        env.enableCheckpointing(settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (settings.parallelism() > 0) {
            env.setParallelism(settings.parallelism());
        }
        // Every operator emits fresh objects and none changes its input: passing them by reference is safe.
        env.getConfig().enableObjectReuse();

        ModelSource model;
        if (settings.shipModel()) {
            env.registerCachedFile(Path.of(settings.modelPath()).toAbsolutePath().toUri().toString(), MODEL_CACHE_NAME);
            model = ModelSource.shipped(MODEL_CACHE_NAME);
        } else {
            model = ModelSource.local(Path.of(settings.modelPath()));
        }

        SingleOutputStreamOperator<FrameEnvelope> parsed = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "frames")
                .uid("frames-source")
                .process(new ParseFrames())
                .name("parse")
                .uid("parse");

        // In chained mode a camera's frames reach one classifier in order (its Kafka partition), which
        // decodes H.264 itself; a rebalance would scatter them, so H.264 is decoded before it.
        SingleOutputStreamOperator<FrameEnvelope> h264Decoded = null;
        DataStream<FrameEnvelope> toClassify = parsed;
        if (settings.ordering() == JobSettings.Ordering.REBALANCE) {
            Preprocessing pre = readPreprocessing(settings);
            h264Decoded = parsed
                    .process(new DecodeH264Upstream(pre, settings.maxPixels(), settings.maxH264Decoders()))
                    .name("decode-h264").uid("decode-h264");
            toClassify = h264Decoded.rebalance();
        }

        BatchInferenceOperator<FrameEnvelope, FrameClassification> operator = new BatchInferenceOperator<>(
                new OnnxFrameClassifier(new ClassifierSettings(model, settings.topK(), settings.maxPixels(),
                        settings.jpegReducedSize(), settings.inferenceThreads(), settings.maxH264Decoders(),
                        new FreshnessPolicy(settings.maxFrameAge(), settings.maxFpsPerCamera()))),
                settings.batch());
        SingleOutputStreamOperator<FrameClassification> classified = toClassify
                .transform(CLASSIFY, new AvroTypeInfo<>(FrameClassification.class), operator)
                .uid(CLASSIFY);

        classified.sinkTo(results).name("classifications").uid("classifications-sink");
        DataStream<DeadLetter> rejected = parsed.getSideOutput(BatchInferenceOperator.DEAD_LETTERS)
                .union(classified.getSideOutput(BatchInferenceOperator.DEAD_LETTERS));
        if (h264Decoded != null) {
            rejected = rejected.union(h264Decoded.getSideOutput(BatchInferenceOperator.DEAD_LETTERS));
        }
        rejected.sinkTo(deadLetters).name("dead-letters").uid("dead-letters-sink");
    }

    private static Preprocessing readPreprocessing(JobSettings settings) {
        try {
            return ModelInfo.read(Path.of(settings.modelPath())).frameworkMetadata().preprocessing();
        } catch (InvalidModelException e) {
            throw new ConfigException("model.path: " + e.getMessage(), e);
        }
    }
}
