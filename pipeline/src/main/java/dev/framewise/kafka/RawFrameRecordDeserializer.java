package dev.framewise.kafka;

import dev.framewise.operators.frames.Clocks;
import dev.framewise.operators.frames.RawFrameRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Hands each Kafka record on untouched, with its coordinates and the moment the source read it.
 * Parsing happens downstream, where an unreadable record becomes a dead letter instead of failing
 * the source.
 */
public final class RawFrameRecordDeserializer implements KafkaRecordDeserializationSchema<RawFrameRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) {
        out.collect(new RawFrameRecord(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                Clocks.nowMicros()));
    }

    @Override
    public TypeInformation<RawFrameRecord> getProducedType() {
        return TypeInformation.of(RawFrameRecord.class);
    }
}
