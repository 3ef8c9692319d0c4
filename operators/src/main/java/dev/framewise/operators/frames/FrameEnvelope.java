package dev.framewise.operators.frames;

import dev.framewise.schemas.VideoFrame;
import java.util.Objects;

/** A parsed frame with where it came from and when the source read it. A Flink POJO. */
public final class FrameEnvelope {
    public String topic;
    public int partition;
    public long offset;
    /** Wall-clock time the source read the record, microseconds since the epoch. */
    public long sourceTimeMicros;
    public VideoFrame frame;

    public FrameEnvelope() {
    }

    public FrameEnvelope(String topic, int partition, long offset, long sourceTimeMicros, VideoFrame frame) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.sourceTimeMicros = sourceTimeMicros;
        this.frame = frame;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameEnvelope e && e.partition == partition && e.offset == offset
                && e.sourceTimeMicros == sourceTimeMicros && Objects.equals(e.topic, topic)
                && Objects.equals(e.frame, frame);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + (frame == null ? "" : " " + frame.getCameraId() + "#" + frame.getSequence());
    }
}
