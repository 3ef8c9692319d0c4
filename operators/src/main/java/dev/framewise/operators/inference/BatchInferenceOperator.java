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
    private transient ScheduledFuture<?> timer;
    private transient ScheduledFuture<?> gapTimer;
    /** The live gap timer's number: a timer that fires after it was replaced or cancelled does nothing. */
    private transient long gapTimerNumber;
    /** Inputs that arrived while a batch was open: a gap timer runs the batch only if none came since it was armed. */
    private transient long arrivals;
    /** When the last of them arrived (processing time, ms): a timer that finds a newer one re-arms from it. */
    private transient long lastArrivalMillis;
    /** Whether a pause in the input runs a batch ({@link BatchSettings#gapApplies()}), read once. */
    private transient boolean gapRule;
    /** The gap in whole milliseconds, as Flink's timers count them, rounded up. */
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
        gapRule = settings.gapApplies();
        gapMillis = (settings.maxInputGap().toNanos() + 999_999) / 1_000_000;
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
        dropped = g.counter("framesDropped");
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
            scheduleGapFlush();
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
            scheduleDeadline();
        }
    }

    /**
     * Runs the batch if no input arrives within the gap. Any input, even one dropped or dead-lettered,
     * moves the gap on: it shows that the input still flows. One timer per gap, not per input: inputs
     * only note when they came, and a timer that finds a newer one re-arms for the rest of the gap.
     */
    private void scheduleGapFlush() {
        if (!gapRule) {
            return; // the deadline comes first: batches wait to fill
        }
        arrivals++;
        lastArrivalMillis = getProcessingTimeService().getCurrentProcessingTime();
        if (gapTimer == null) {
            armGapTimer();
        }
    }

    private void armGapTimer() {
        long number = ++gapTimerNumber;
        long armedAfter = arrivals;
        // From the last input, or from now if the wall clock stepped back since: never past the gap's end.
        long from = Math.min(lastArrivalMillis, getProcessingTimeService().getCurrentProcessingTime());
        gapTimer = getProcessingTimeService().registerTimer(from + gapMillis, time -> {
            if (number != gapTimerNumber) {
                return;
            }
            gapTimer = null; // every flush retires the number, so a live timer always has a batch to run
            if (arrivals == armedAfter) {
                flush();
            } else {
                armGapTimer();
            }
        });
    }

    private void scheduleDeadline() {
        long due = getProcessingTimeService().getCurrentProcessingTime() + settings.maxBatchDelay().toMillis();
        long expected = generation;
        timer = getProcessingTimeService().registerTimer(due, time -> {
            // A batch that filled up before its deadline has been flushed already: a stale timer does nothing.
            if (generation == expected && size > 0) {
                flush();
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
        if (gapTimer != null) {
            gapTimer.cancel(false);
            gapTimer = null;
            gapTimerNumber++;
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
