package dev.framewise.operators.frames;

import dev.framewise.operators.inference.BatchInferenceOperator;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.SingleObjectCodec.UnreadableRecordException;
import dev.framewise.schemas.VideoFrame;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads each Kafka record as a {@link VideoFrame}. A record that is not one (bad encoding, a schema
 * this job does not know, no camera id) becomes an {@code UNREADABLE_RECORD} dead letter with its
 * bytes; it never fails the job.
 */
public final class ParseFrames extends ProcessFunction<RawFrameRecord, FrameEnvelope> {
    private static final long serialVersionUID = 1L;

    private transient Counter recordsIn;
    private transient Counter unreadable;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        recordsIn = getRuntimeContext().getMetricGroup().counter("recordsIn");
        unreadable = getRuntimeContext().getMetricGroup().addGroup("deadLetters")
                .counter(DeadLetterReason.UNREADABLE_RECORD.name());
    }

    @Override
    public void processElement(RawFrameRecord record, Context ctx, Collector<FrameEnvelope> out) {
        recordsIn.inc();
        VideoFrame frame;
        try {
            frame = SingleObjectCodec.VIDEO_FRAME.decode(record.value);
        } catch (UnreadableRecordException e) {
            deadLetter(record, e.getMessage(), ctx);
            return;
        }
        if (frame.getCameraId() == null || frame.getCameraId().isEmpty()) {
            deadLetter(record, "the frame has no camera_id", ctx);
            return;
        }
        out.collect(new FrameEnvelope(record.topic, record.partition, record.offset, record.sourceTimeMicros, frame));
    }

    private void deadLetter(RawFrameRecord record, String message, Context ctx) {
        unreadable.inc();
        ctx.output(BatchInferenceOperator.DEAD_LETTERS, DeadLetters.unreadable(record, message));
    }
}
