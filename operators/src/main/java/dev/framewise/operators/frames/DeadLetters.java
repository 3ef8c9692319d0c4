package dev.framewise.operators.frames;

import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.SingleObjectCodec;
import java.nio.ByteBuffer;

/** Builds dead letters that keep the input and say where it came from. */
public final class DeadLetters {
    private DeadLetters() {
    }

    /** A record that could not even be read as a frame: the bytes as they came. */
    public static DeadLetter unreadable(RawFrameRecord record, String message) {
        return DeadLetter.newBuilder()
                .setReason(DeadLetterReason.UNREADABLE_RECORD)
                .setMessage(message)
                .setSourceTopic(record.topic)
                .setSourcePartition(record.partition)
                .setSourceOffset(record.offset)
                .setCameraId(record.key == null ? null : new String(record.key, java.nio.charset.StandardCharsets.UTF_8))
                .setSequence(null)
                .setDeadLetterTime(Clocks.instant(Clocks.nowMicros()))
                .setOriginal(ByteBuffer.wrap(record.value == null ? new byte[0] : record.value))
                .build();
    }

    /**
     * A frame that was read but could not be classified. The original bytes are the frame
     * re-encoded, which for the same schema are the bytes that were read: nothing is lost, and the
     * job keeps no second copy of every frame while it waits.
     */
    public static DeadLetter rejected(FrameEnvelope envelope, DeadLetterReason reason, String message) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setMessage(message)
                .setSourceTopic(envelope.topic)
                .setSourcePartition(envelope.partition)
                .setSourceOffset(envelope.offset)
                .setCameraId(envelope.frame.getCameraId())
                .setSequence(envelope.frame.getSequence())
                .setDeadLetterTime(Clocks.instant(Clocks.nowMicros()))
                .setOriginal(ByteBuffer.wrap(SingleObjectCodec.VIDEO_FRAME.encode(envelope.frame)))
                .build();
    }
}
