package dev.framewise.operators.frames;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record as the Kafka source read it, before anything is parsed: where it came from, its bytes,
 * and when the source read it. A Flink POJO.
 */
public final class RawFrameRecord {
    public String topic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    /** Wall-clock time the source read the record, microseconds since the epoch. */
    public long sourceTimeMicros;

    public RawFrameRecord() {
    }

    public RawFrameRecord(String topic, int partition, long offset, byte[] key, byte[] value, long sourceTimeMicros) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
        this.sourceTimeMicros = sourceTimeMicros;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawFrameRecord r && r.partition == partition && r.offset == offset
                && r.sourceTimeMicros == sourceTimeMicros && Objects.equals(r.topic, topic)
                && Arrays.equals(r.key, key) && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
