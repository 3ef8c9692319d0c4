package dev.framewise.bench;

import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.SingleObjectSerializationSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline job, as users write it by hand: Kafka source, inference one record at a time in a
 * map function ({@link NaiveClassifier}), Kafka sink, all chained. What Framewise's own job is
 * compared with; none of its batching, decoding or session tuning is here.
 *
 * <p>It reads the frames topic from the earliest offset, writes at least once, and has no
 * dead-letter output: a frame it cannot read fails the job. The model file must exist at the same
 * path on every TaskManager.
 */
public final class NaiveJob {
    private NaiveJob() {
    }

    public static void build(StreamExecutionEnvironment env, String bootstrap, String framesTopic, String resultsTopic,
            String groupId, Path model, int parallelism) {
        KafkaSource<byte[]> source = KafkaSource.<byte[]>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(framesTopic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .build();
        KafkaSink<FrameClassification> sink = KafkaSink.<FrameClassification>builder()
                .setBootstrapServers(bootstrap)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(KafkaRecordSerializationSchema.<FrameClassification>builder()
                        .setTopic(resultsTopic)
                        .setKeySerializationSchema(c -> c.getCameraId().getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(
                                new SingleObjectSerializationSchema<>(SingleObjectCodec.FRAME_CLASSIFICATION))
                        .build())
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "naive-frames")
                .uid("naive-frames-source")
                .setParallelism(parallelism)
                .map(new NaiveClassifier(model))
                .name("naive-classify")
                .uid("naive-classify")
                .setParallelism(parallelism)
                .sinkTo(sink)
                .name("naive-classifications")
                .uid("naive-classifications-sink")
                .setParallelism(parallelism);
    }
}
