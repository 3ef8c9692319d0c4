package dev.framewise.schemas;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** A Flink serialization schema writing Avro single-object encoding, for Kafka record values. */
public final class SingleObjectSerializationSchema<T extends SpecificRecordBase> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final SingleObjectCodec<T> codec;

    public SingleObjectSerializationSchema(SingleObjectCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public byte[] serialize(T element) {
        return codec.encode(element);
    }
}
