package dev.framewise.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every setting of the job: a dotted key, a type, a default and a description. A YAML file
 * ({@code --config}) and command-line flags map onto the same keys; {@link JobSettings#from} checks
 * them all at start.
 */
public final class FramewiseOptions {
    private FramewiseOptions() {
    }

    /** Keys under this prefix go to every Kafka client as they are (security settings, say). */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    /** Keys under this prefix configure the local Flink cluster of {@code framewise run} and the demo. */
    public static final String FLINK_PREFIX = "flink.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("kafka.bootstrap-servers").stringType().noDefaultValue()
            .withDescription("Kafka brokers, host:port[,host:port...]. Required.");

    public static final ConfigOption<String> FRAMES_TOPIC = key("kafka.topic.frames").stringType().defaultValue("frames")
            .withDescription("Topic the frames are read from (VideoFrame, key: camera id).");

    public static final ConfigOption<String> CLASSIFICATIONS_TOPIC = key("kafka.topic.classifications").stringType()
            .defaultValue("classifications")
            .withDescription("Topic the results are written to (FrameClassification, key: camera id).");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = key("kafka.topic.dead-letters").stringType()
            .defaultValue("frames-dlq").withDescription("Topic of records that could not be classified (DeadLetter).");

    public static final ConfigOption<String> GROUP_ID = key("kafka.group-id").stringType().defaultValue("framewise")
            .withDescription("Consumer group whose committed offsets the job starts from and commits on checkpoints.");

    public static final ConfigOption<String> STARTING_OFFSETS = key("kafka.starting-offsets").stringType()
            .defaultValue("committed")
            .withDescription("Where a job without a checkpoint starts: committed (the group's offsets, else the"
                    + " earliest), earliest or latest.");

    public static final ConfigOption<String> MODEL_PATH = key("model.path").stringType().noDefaultValue()
            .withDescription("The ONNX classifier with Framewise metadata (framewise model build). framewise run"
                    + " builds and caches EfficientFormer-L1 with generated weights when it is not set.");

    public static final ConfigOption<Boolean> MODEL_SHIP = key("model.ship").booleanType().defaultValue(true)
            .withDescription("Ship the model file with the job (Flink's distributed cache), so a path on the"
                    + " submitting machine works on any cluster; false reads model.path on each TaskManager.");

    public static final ConfigOption<Integer> BATCH_MAX_SIZE = key("batch.max-size").intType().defaultValue(4)
            .withDescription("Frames per inference batch at most. 4 is what framewise bench found best on CPUs: batches"
                    + " form only while frames wait (batch.max-gap), and then raise frames/s; GPUs want larger ones.");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY = key("batch.max-delay").durationType()
            .defaultValue(Duration.ofMillis(20))
            .withDescription("How long the first frame of a batch may wait for more, e.g. 20 ms.");

    public static final ConfigOption<Duration> BATCH_MAX_GAP = key("batch.max-gap").durationType()
            .defaultValue(Duration.ofMillis(1))
            .withDescription("A batch that is not full runs once no further frame has arrived for this long: frames"
                    + " already waiting arrive back to back and fill it, so batches grow only while the job is behind,"
                    + " and a frame that reaches an idle slot waits about this long (Flink's timers add a millisecond)."
                    + " At most batch.max-delay (default: 1 ms, or the delay if shorter); set it to batch.max-delay to"
                    + " always wait for full batches.");

    /** batch.max-gap when it is not set: its default, or a shorter batch.max-delay (a delay under 1 ms stays valid alone). */
    public static Duration defaultBatchGap(Duration maxBatchDelay) {
        return BATCH_MAX_GAP.defaultValue().compareTo(maxBatchDelay) <= 0 ? BATCH_MAX_GAP.defaultValue() : maxBatchDelay;
    }

    public static final ConfigOption<Integer> INFERENCE_THREADS = key("inference.threads").intType().defaultValue(0)
            .withDescription("ONNX Runtime intra-op threads per task slot; 0 gives each slot its share of the cores.");

    public static final ConfigOption<Integer> TOP_K = key("inference.top-k").intType().defaultValue(5)
            .withDescription("Classes per result.");

    public static final ConfigOption<Long> MAX_PIXELS = key("decode.max-pixels").longType().defaultValue(7680L * 4320)
            .withDescription("Pictures with more pixels are dead letters (IMAGE_TOO_LARGE), checked before decoding.");

    public static final ConfigOption<Duration> MAX_FRAME_AGE = key("freshness.max-age").durationType()
            .defaultValue(Duration.ZERO)
            .withDescription("Drop (and count) frames older than this when they reach the batch, e.g. 2 s: under"
                    + " overload the job keeps up with the present instead of working through a backlog. 0: off.");

    public static final ConfigOption<Double> MAX_FPS_PER_CAMERA = key("freshness.max-fps-per-camera").doubleType()
            .defaultValue(0.0)
            .withDescription("Drop (and count) a camera's frames beyond this rate, by capture time. 0: off.");

    public static final ConfigOption<Boolean> JPEG_REDUCED_SIZE = key("decode.jpeg.reduced-size").booleanType()
            .defaultValue(true)
            .withDescription("Decode JPEGs at a half, quarter or eighth of their size when the model's resize still"
                    + " fits (FFmpeg's lowres): less decoding work, pixels slightly different from a full decode. On by"
                    + " default: framewise bench measured a third less decoding time per frame with it; false gives the"
                    + " reference preprocessing exactly.");

    public static final ConfigOption<Integer> MAX_H264_DECODERS = key("decode.h264.max-decoders").intType().defaultValue(64)
            .withDescription("H.264 cameras one task slot decodes at once (a decoder holds the camera's reference"
                    + " pictures); beyond it the least recently seen camera's decoder is closed and its next frames"
                    + " wait for a key frame.");

    public static final ConfigOption<String> DELIVERY = key("delivery.guarantee").stringType().defaultValue("at-least-once")
            .withDescription("at-least-once (lowest latency; consumers dedupe on camera id and sequence) or exactly-once"
                    + " (Kafka transactions: results visible at each checkpoint to read_committed consumers).");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("delivery.transaction-timeout").durationType()
            .defaultValue(Duration.ofMinutes(10))
            .withDescription("Kafka transaction timeout for exactly-once; must stay below the broker's"
                    + " transaction.max.timeout.ms (15 min by default) and above the checkpoint interval.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint.interval").durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("How often the job checkpoints (Kafka offsets; exactly-once results become visible then).");

    public static final ConfigOption<String> ORDERING = key("pipeline.ordering").stringType().defaultValue("chained")
            .withDescription("chained: one chain per slot, per-camera order kept. rebalance: frames spread over all"
                    + " slots (few cameras, high frame rate); consumers order by sequence.");

    public static final ConfigOption<Integer> PARALLELISM = key("pipeline.parallelism").intType().defaultValue(0)
            .withDescription("Parallel subtasks; 0 takes the cluster's default. Kafka partitions bound useful parallelism"
                    + " in chained mode.");

    public static final ConfigOption<String> JOB_NAME = key("pipeline.name").stringType().defaultValue("framewise")
            .withDescription("The Flink job's name; also the prefix of Kafka transactional ids.");

    /** Every option, in the order the README documents them. */
    public static final List<ConfigOption<?>> ALL = List.of(BOOTSTRAP_SERVERS, FRAMES_TOPIC, CLASSIFICATIONS_TOPIC,
            DEAD_LETTERS_TOPIC, GROUP_ID, STARTING_OFFSETS, MODEL_PATH, MODEL_SHIP, BATCH_MAX_SIZE, BATCH_MAX_DELAY,
            BATCH_MAX_GAP,
            INFERENCE_THREADS, TOP_K, MAX_PIXELS, JPEG_REDUCED_SIZE, MAX_H264_DECODERS, MAX_FRAME_AGE, MAX_FPS_PER_CAMERA, DELIVERY, TRANSACTION_TIMEOUT, CHECKPOINT_INTERVAL, ORDERING,
            PARALLELISM, JOB_NAME);
}
