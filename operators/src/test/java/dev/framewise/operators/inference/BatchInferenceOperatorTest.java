package dev.framewise.operators.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import java.util.Map;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batching operator in Flink's operator test harness, with a fake model handler and processing
 * time driven by the test: batches by size, by delay, by a pause in the input, before each
 * checkpoint barrier and at the end of input; rejections go to the dead-letter output.
 */
class BatchInferenceOperatorTest {
    /** What the fake sessions saw, across the (serialized) handler copies. */
    static final List<Integer> BATCHES = new CopyOnWriteArrayList<>();
    static final AtomicInteger OPENED = new AtomicInteger();
    static final AtomicInteger CLOSED = new AtomicInteger();

    private OneInputStreamOperatorTestHarness<String, String> harness;

    @BeforeEach
    void reset() {
        BATCHES.clear();
        OPENED.set(0);
        CLOSED.set(0);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** Batches that wait to fill: the gap rule off. */
    private void open(int maxBatch, Duration maxDelay) throws Exception {
        open(maxBatch, maxDelay, maxDelay);
    }

    private void open(int maxBatch, Duration maxDelay, Duration maxGap) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new BatchInferenceOperator<>(new FakeHandler(), new BatchSettings(maxBatch, maxDelay, maxGap)));
        harness.setProcessingTime(0);
        harness.open();
    }

    private void push(String... inputs) throws Exception {
        for (String in : inputs) {
            harness.processElement(in, 0);
        }
    }

    private List<String> emitted() {
        return new ArrayList<>(harness.extractOutputValues());
    }

    @Test
    void aFullBatchRunsAtOnce() throws Exception {
        open(3, Duration.ofHours(1));
        push("a", "b");
        assertEquals(List.of(), emitted());
        push("c");
        assertEquals(List.of("a@3", "b@3", "c@3"), emitted(), "in arrival order, batch of 3");
        push("d");
        assertEquals(3, emitted().size(), "d waits for its batch");
        assertEquals(List.of(3), BATCHES);
    }

    @Test
    void aPartialBatchRunsWhenItsOldestInputHasWaitedTheMaximumDelay() throws Exception {
        open(10, Duration.ofMillis(100));
        harness.setProcessingTime(1_000);
        push("a");
        harness.setProcessingTime(1_050);
        push("b");
        harness.setProcessingTime(1_099);
        assertEquals(List.of(), emitted());
        harness.setProcessingTime(1_100);
        assertEquals(List.of("a@2", "b@2"), emitted());

        // The next batch's deadline counts from its own first input.
        harness.setProcessingTime(1_150);
        push("c");
        harness.setProcessingTime(1_249);
        assertEquals(2, emitted().size());
        harness.setProcessingTime(1_250);
        assertEquals(List.of("a@2", "b@2", "c@1"), emitted());
    }

    /**
     * A batch flushed by size leaves no timer behind to cut the next batch short: with the gap rule off (a gap as long
     * as the delay) a's deadline is due at 100 and c's at 160; with a 5 ms gap, a's gap at 5 and c's at 8.
     */
    @ParameterizedTest
    @CsvSource({"100, 100, 60, 100, 160", "100, 5, 3, 5, 8"})
    void aBatchFlushedBySizeLeavesNoStaleTimer(long delayMs, long gapMs, long third, long staleDue, long due)
            throws Exception {
        open(2, Duration.ofMillis(delayMs), Duration.ofMillis(gapMs));
        harness.setProcessingTime(0);
        push("a", "b");
        assertEquals(0, activeTimers(), "the full batch ran, and its timer went with it");
        harness.setProcessingTime(third);
        push("c");
        assertEquals(1, activeTimers(), "one timer for the open batch");
        harness.setProcessingTime(staleDue);
        assertEquals(List.of("a@2", "b@2"), emitted());
        harness.setProcessingTime(due);
        assertEquals(List.of("a@2", "b@2", "c@1"), emitted());
        assertEquals(List.of(2, 1), BATCHES);
        assertEquals(0, activeTimers());
    }

    private int activeTimers() {
        return harness.getProcessingTimeService().getNumActiveTimers();
    }

    @Test
    void inputsCloserThanTheGapKeepTheBatchOpenUntilItIsFull() throws Exception {
        // A backlog: the inputs were waiting, so each arrives before the gap since the one before is up.
        open(4, Duration.ofMillis(100), Duration.ofMillis(5));
        for (int i = 0; i < 3; i++) {
            harness.setProcessingTime(4L * i);
            push("f" + i);
        }
        harness.setProcessingTime(12);
        assertEquals(List.of(), emitted(), "12 ms after the first input, 4 after the last: still open");
        push("f3");
        assertEquals(List.of("f0@4", "f1@4", "f2@4", "f3@4"), emitted());
    }

    @Test
    void aPauseInTheInputRunsThePartialBatchLongBeforeItsDeadline() throws Exception {
        open(4, Duration.ofMillis(100), Duration.ofMillis(1));
        harness.setProcessingTime(1_000);
        push("a", "b");
        assertEquals(List.of(), emitted());
        harness.setProcessingTime(1_001);
        assertEquals(List.of("a@2", "b@2"), emitted(), "the input paused for the gap: no waiting for the deadline");
    }

    @Test
    void everyInputMovesTheGapOnEvenOneDroppedOrDeadLettered() throws Exception {
        open(10, Duration.ofMillis(100), Duration.ofMillis(5));
        harness.setProcessingTime(0);
        push("a");
        harness.setProcessingTime(4);
        push("b");
        harness.setProcessingTime(8);
        push("old-1");
        harness.setProcessingTime(12);
        push("bad-1");
        harness.setProcessingTime(16);
        assertEquals(List.of(), emitted(), "the input kept flowing: no pause of 5 ms yet");
        harness.setProcessingTime(17);
        assertEquals(List.of("a@2", "b@2"), emitted());
    }

    @Test
    void aBatchRunAtACheckpointBarrierLeavesNoGapTimerBehind() throws Exception {
        open(4, Duration.ofMillis(100), Duration.ofMillis(5));
        harness.setProcessingTime(0);
        push("a");
        harness.prepareSnapshotPreBarrier(1);
        assertEquals(List.of("a@1"), emitted());
        assertEquals(0, activeTimers(), "the barrier's batch took its timer with it");
        harness.setProcessingTime(200);
        assertEquals(List.of(1), BATCHES, "neither the gap nor the deadline runs another batch");
    }

    @Test
    void theNextBatchGetsItsGapAfterEveryKindOfFlush() throws Exception {
        open(2, Duration.ofMillis(100), Duration.ofMillis(5));
        harness.setProcessingTime(0);
        push("old-1", "a"); // a batch whose first input was dropped
        harness.prepareSnapshotPreBarrier(1);
        harness.setProcessingTime(10);
        push("b"); // after a barrier flush
        harness.setProcessingTime(15);
        push("c", "d"); // after a gap flush; then full
        harness.setProcessingTime(20);
        push("e"); // after a flush by size
        harness.setProcessingTime(25);
        assertEquals(List.of("a@1", "b@1", "c@2", "d@2", "e@1"), emitted());
    }

    @Test
    void theDeadlineStillBoundsASteadyTrickle() throws Exception {
        open(10, Duration.ofMillis(20), Duration.ofMillis(5));
        for (int t = 0; t < 20; t += 4) {
            harness.setProcessingTime(t);
            push("f" + t);
            assertEquals(1, activeTimers(), "one timer per batch, not one per input");
        }
        harness.setProcessingTime(19);
        assertEquals(List.of(), emitted());
        harness.setProcessingTime(20);
        assertEquals(List.of("f0@5", "f4@5", "f8@5", "f12@5", "f16@5"), emitted(), "the first input waited 20 ms");
    }

    @Test
    void aGapLongerThanTheDelayIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BatchSettings(4, Duration.ofMillis(20), Duration.ofMillis(21)));
        assertTrue(e.getMessage().contains("maximum input gap"), e.getMessage());
    }

    @Test
    void theBufferIsFlushedBeforeACheckpointBarrier() throws Exception {
        open(10, Duration.ofHours(1));
        push("a", "b");
        harness.prepareSnapshotPreBarrier(1);
        assertEquals(List.of("a@2", "b@2"), emitted(), "nothing read but not emitted may sit in a checkpoint");
        harness.snapshot(1, 1);
        harness.prepareSnapshotPreBarrier(2);
        assertEquals(List.of(2), BATCHES, "an empty buffer runs no batch");
    }

    @Test
    void theBufferIsFlushedAtTheEndOfInput() throws Exception {
        open(10, Duration.ofHours(1));
        push("a", "b", "c");
        harness.endInput();
        assertEquals(List.of("a@3", "b@3", "c@3"), emitted());
    }

    @Test
    void rejectedInputsBecomeDeadLettersAndTakeNoSlot() throws Exception {
        open(2, Duration.ofHours(1));
        push("a", "bad-1", "b");
        assertEquals(List.of("a@2", "b@2"), emitted());
        List<DeadLetter> dead = new ArrayList<>();
        for (StreamRecord<DeadLetter> r : harness.getSideOutput(BatchInferenceOperator.DEAD_LETTERS)) {
            dead.add(r.getValue());
        }
        assertEquals(1, dead.size());
        assertEquals(DeadLetterReason.CORRUPT_IMAGE, dead.get(0).getReason());
        assertEquals("fake rejects bad-1", dead.get(0).getMessage());
    }

    @Test
    void droppedInputsTakeNoSlotAndGoNowhere() throws Exception {
        open(2, Duration.ofHours(1));
        push("a", "old-1", "old-2", "b");
        assertEquals(List.of("a@2", "b@2"), emitted());
        assertTrue(harness.getSideOutput(BatchInferenceOperator.DEAD_LETTERS) == null
                || harness.getSideOutput(BatchInferenceOperator.DEAD_LETTERS).isEmpty(), "a drop is not a dead letter");
    }

    @Test
    void oneSessionPerSubtaskOpenedInOpenAndClosedOnce() throws Exception {
        open(2, Duration.ofHours(1));
        assertEquals(1, OPENED.get());
        harness.close();
        harness = null;
        assertEquals(1, CLOSED.get());
    }

    @Test
    void timingsAreReportedPerInput() throws Exception {
        open(2, Duration.ofHours(1));
        push("a", "b");
        List<String> out = emitted();
        assertTrue(out.get(0).startsWith("a@2"));
        assertEquals(2, FakeSession.lastTiming.batchSize());
        assertTrue(FakeSession.lastTiming.queueNanos() >= 0 && FakeSession.lastTiming.inferenceNanos() >= 0);
    }

    @Test
    void metricsCountFramesBatchesAndDeadLetters() throws Exception {
        InterceptingOperatorMetricGroup group = new InterceptingOperatorMetricGroup();
        TaskMetricGroup task = new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> variables) {
                return group;
            }
        };
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(task).build();
        harness = new OneInputStreamOperatorTestHarness<>(
                new BatchInferenceOperator<>(new FakeHandler(), new BatchSettings(2, Duration.ofHours(1), Duration.ofHours(1))), env);
        harness.open();
        push("a", "bad-1", "old-1", "b", "c");
        harness.endInput();
        assertEquals(5, ((Counter) group.get("framesIn")).getCount());
        assertEquals(1, ((Counter) group.get("framesDropped")).getCount());
        assertEquals(3, ((Counter) group.get("framesClassified")).getCount());
        assertEquals(1, ((Counter) group.get("framesDeadLettered")).getCount());
        Histogram batches = (Histogram) group.get("batchSize");
        assertEquals(2, batches.getCount(), "a batch of 2, then one of 1 at the end of input");
        assertEquals(1.5, batches.getStatistics().getMean(), 1e-9);
        assertTrue(group.get("modelLoadTimeMs") instanceof Gauge<?>);
        assertTrue(group.get("inferenceTimeMs") instanceof Histogram);
    }

    static final class FakeHandler implements ModelHandler<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public InferenceSession<String, String> open(SessionContext context) {
            OPENED.incrementAndGet();
            return new FakeSession(context.maxBatchSize());
        }
    }

    static final class FakeSession implements InferenceSession<String, String> {
        static volatile BatchTiming lastTiming;
        private final String[] slots;
        private int lastBatch;

        FakeSession(int max) {
            slots = new String[max];
        }

        @Override
        public Admission stage(int slot, String input) throws RejectedInputException {
            if (input.startsWith("bad")) {
                throw new RejectedInputException(DeadLetterReason.CORRUPT_IMAGE, "fake rejects " + input);
            }
            if (input.startsWith("old")) {
                return Admission.DROPPED_STALE;
            }
            slots[slot] = input;
            return Admission.ACCEPTED;
        }

        @Override
        public void run(int n) {
            lastBatch = n;
            BATCHES.add(n);
        }

        @Override
        public String result(int slot, String input, BatchTiming timing) {
            lastTiming = timing;
            assertEquals(slots[slot], input, "the operator hands back the input it staged in that slot");
            return input + "@" + lastBatch;
        }

        @Override
        public DeadLetter deadLetter(String input, RejectedInputException why) {
            return DeadLetter.newBuilder().setReason(why.reason()).setMessage(why.getMessage()).setSourceTopic("test")
                    .setSourcePartition(0).setSourceOffset(0).setDeadLetterTime(Instant.EPOCH)
                    .setOriginal(ByteBuffer.wrap(input.getBytes(java.nio.charset.StandardCharsets.UTF_8))).build();
        }

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }
}
