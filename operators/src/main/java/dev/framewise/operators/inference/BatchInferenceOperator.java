package dev.framewise.operators.inference;

import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The heart of the job: buffers inputs and runs them through the model in batches.
 *
 * <p>One {@link InferenceSession} per parallel subtask, opened in {@link #open()} and closed in
 * {@link #close()}. Each input is staged into the session's batch buffer as it arrives (for frames:
 * decoded and preprocessed straight into the input tensor), and a batch runs when the buffer holds
 * {@link BatchSettings#maxBatchSize()} inputs, when the oldest has waited {@link
 * BatchSettings#maxBatchDelay()}, or when no further input has arrived for {@link
 * BatchSettings#maxInputGap()} (processing-time timers) — Triton's dynamic batcher is the model.
 *
 * <p>The gap is how the operator tells a backlog from a trickle without seeing its input queue. The
 * gap restarts with every input, and timers run on the task thread between inputs, never during
 * one. Inputs that already wait upstream (in the source's fetched records or the network buffers)
 * arrive microseconds apart, so the gap is never due while they come and the batch fills; once
 * the input pauses, the timer runs and the batch goes. Batches thus grow only while the job is
 * behind, where they raise throughput, and a frame that reaches an idle slot waits about the gap,
 * not the maximum delay. Flink's timers count whole milliseconds and fire a millisecond after
 * they are due, so a gap of 1 ms waits about 2 ms; a stall of that long between two queued inputs
 * (a GC pause, a slow fetch) cuts a batch short, which costs only a little throughput.
 *
 * <p>The buffer is flushed before every checkpoint barrier and at the end of input, so a checkpoint
 * never holds inputs that were read but not emitted, and a restore never loses one. Inputs the
 * session rejects become dead letters on {@link #DEAD_LETTERS}, counted by reason; inputs it drops
 * on purpose (a freshness policy under overload) are counted by reason and go nowhere.
 */
public final class BatchInferenceOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** The counter of inputs the handler dropped on purpose (the freshness policy's), in the operator's group. */
    public static final String FRAMES_DROPPED = "framesDropped";

    /** Rejected inputs. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final ModelHandler<IN, OUT> handler;
    private final BatchSettings settings;
    private final Ticker ticker;

    private transient InferenceSession<IN, OUT> session;
    private transient Object[] pending;
    private transient long[] stageNanos;
    private transient long[] stagedAt;
    private transient int size;
    private transient long generation;
    /** The open batch's one timer; it runs the batch at its deadline or after a gap in the input. */
    private transient ScheduledFuture<?> timer;
    /** When the open batch's deadline falls (processing time, ms). */
    private transient long deadlineMillis;
    /** When the last input arrived while a batch was open (processing time, ms). */
    private transient long lastArrivalMillis;
    /** The delay and the gap in whole milliseconds, as Flink's timers count them. */
    private transient long delayMillis;
    private transient long gapMillis;
    private transient long modelLoadMillis;

    private transient Counter framesIn;
    private transient Counter classified;
    private transient Counter deadLettered;
    private transient Map<DeadLetterReason, Counter> deadLettersByReason;
    private transient Counter dropped;
    private transient Map<Admission, Counter> droppedByReason;
    private transient Histogram batchSizes;
    private transient Histogram inferenceMillis;
    private transient Histogram queueWaitMillis;

    public BatchInferenceOperator(ModelHandler<IN, OUT> handler, BatchSettings settings) {
        this(handler, settings, Ticker.SYSTEM);
    }

    /** With a ticker of one's own, for tests that drive time. */
    public BatchInferenceOperator(ModelHandler<IN, OUT> handler, BatchSettings settings, Ticker ticker) {
        this.handler = handler;
        this.settings = settings;
        this.ticker = ticker;
    }

    @Override
    public void open() throws Exception {
        super.open();
        int max = settings.maxBatchSize();
        pending = new Object[max];
        delayMillis = settings.maxBatchDelay().toMillis();
        // Rounded up, then never past the delay: a gap equal to the delay leaves the deadline alone to close a batch.
        gapMillis = Math.min((settings.maxInputGap().toNanos() + 999_999) / 1_000_000, delayMillis);
        stageNanos = new long[max];
        stagedAt = new long[max];
        registerMetrics(getMetricGroup());
        int slots = getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration()
                .get(TaskManagerOptions.NUM_TASK_SLOTS);
        ModelHandler.SessionContext context = new ModelHandler.SessionContext(max,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), slots,
                Runtime.getRuntime().availableProcessors(), getMetricGroup(),
                name -> getRuntimeContext().getDistributedCache().getFile(name));
        long start = ticker.nanoTime();
        session = handler.open(context);
        modelLoadMillis = (ticker.nanoTime() - start) / 1_000_000;
        LOG.info("Model session of subtask {} loaded in {} ms", context.subtaskIndex(), modelLoadMillis);
    }

    private void registerMetrics(MetricGroup g) {
        framesIn = g.counter("framesIn");
        classified = g.counter("framesClassified");
        deadLettered = g.counter("framesDeadLettered");
        deadLettersByReason = new EnumMap<>(DeadLetterReason.class);
        MetricGroup byReason = g.addGroup("deadLetters");
        for (DeadLetterReason r : DeadLetterReason.values()) {
            deadLettersByReason.put(r, byReason.counter(r.name()));
        }
        dropped = g.counter(FRAMES_DROPPED);
        droppedByReason = new EnumMap<>(Admission.class);
        MetricGroup dropReasons = g.addGroup("dropped");
        for (Admission a : Admission.values()) {
            if (a != Admission.ACCEPTED) {
                droppedByReason.put(a, dropReasons.counter(a.metricName()));
            }
        }
        batchSizes = g.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        inferenceMillis = g.histogram("inferenceTimeMs", new DescriptiveStatisticsHistogram(1000));
        queueWaitMillis = g.histogram("queueWaitMs", new DescriptiveStatisticsHistogram(1000));
        g.gauge("modelLoadTimeMs", () -> modelLoadMillis);
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        framesIn.inc();
        stage(element.getValue());
        if (size == settings.maxBatchSize()) {
            flush();
        } else if (size > 0) {
            lastArrivalMillis = getProcessingTimeService().getCurrentProcessingTime();
        }
    }

    /** Stages one input into the next slot, or sends it to the dead letters, or drops it. */
    private void stage(IN input) throws Exception {
        long start = ticker.nanoTime();
        Admission admission;
        try {
            admission = session.stage(size, input);
        } catch (RejectedInputException e) {
            deadLettered.inc();
            deadLettersByReason.get(e.reason()).inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(session.deadLetter(input, e)));
            return;
        }
        if (admission != Admission.ACCEPTED) {
            dropped.inc();
            droppedByReason.get(admission).inc();
            return;
        }
        long end = ticker.nanoTime();
        pending[size] = input;
        stageNanos[size] = end - start;
        stagedAt[size] = end;
        size++;
        if (size == 1 && settings.maxBatchSize() > 1) {
            openBatchTimer();
        }
    }

    /**
     * Arms the batch's one timer. The batch runs at its deadline, or once no input has arrived for the gap: any
     * input, even one dropped or dead-lettered, shows the input still flows. Inputs only note when they came; a timer
     * that finds a newer one arms again for the rest of the gap, so there is one timer per gap, not per input.
     */
    private void openBatchTimer() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        deadlineMillis = now + delayMillis;
        lastArrivalMillis = now;
        armBatchTimer(now + gapMillis);
    }

    private void armBatchTimer(long due) {
        long expected = generation;
        timer = getProcessingTimeService().registerTimer(due, firedFor -> {
            // A batch run before this fired (full, or at a barrier) has been flushed: a stale timer does nothing.
            if (generation != expected || size == 0) {
                return;
            }
            long next = Math.min(deadlineMillis, lastArrivalMillis + gapMillis);
            if (next <= firedFor) {
                flush();
            } else {
                // Never further off than the rest of the gap from now: the wall clock may have stepped back since.
                long now = getProcessingTimeService().getCurrentProcessingTime();
                armBatchTimer(Math.min(next, now + (next - firedFor)));
            }
        });
    }

    /** Runs the buffered inputs as one batch and emits their results in arrival order. */
    private void flush() throws Exception {
        if (size == 0) {
            return;
        }
        generation++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        int n = size;
        long start = ticker.nanoTime();
        session.run(n);
        long inference = ticker.nanoTime() - start;
        batchSizes.update(n);
        inferenceMillis.update(inference / 1_000_000);
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            IN input = (IN) pending[i];
            long queue = start - stagedAt[i];
            queueWaitMillis.update(queue / 1_000_000);
            output.collect(new StreamRecord<>(session.result(i, input, new BatchTiming(stageNanos[i], queue, inference, n))));
            pending[i] = null;
        }
        classified.inc(n);
        size = 0;
    }

    /** Before the barrier goes downstream: a checkpoint must not hold inputs that were read but not emitted. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (session != null) {
                session.close();
            }
        } finally {
            session = null;
            super.close();
        }
    }

    /** Monotonic time, injectable so that tests can drive it. */
    @FunctionalInterface
    public interface Ticker extends java.io.Serializable {
        Ticker SYSTEM = System::nanoTime;

        long nanoTime();
    }
}
