package dev.framewise.kafka;

import dev.framewise.job.ConfigException;
import dev.framewise.job.JobSettings;
import dev.framewise.operators.frames.RawFrameRecord;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.SingleObjectSerializationSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka source and sinks, and the topic checks it makes at start. */
public final class KafkaConnections {
    private KafkaConnections() {
    }

    public static KafkaSource<RawFrameRecord> source(JobSettings s) {
        return sourceBuilder(s).build();
    }

    /** The source's builder, for tests that bound it or read through a deserializer of their own. */
    public static KafkaSourceBuilder<RawFrameRecord> sourceBuilder(JobSettings s) {
        OffsetsInitializer start = switch (s.startingOffsets()) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
        };
        return KafkaSource.<RawFrameRecord>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setTopics(s.framesTopic())
                .setGroupId(s.groupId())
                .setStartingOffsets(start)
                .setDeserializer(new RawFrameRecordDeserializer())
                .setProperties(clientProperties(s))
                // Offsets live in checkpoints; committing them too lets tools show the group's lag.
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    public static KafkaSink<FrameClassification> classificationsSink(JobSettings s) {
        return sink(s, s.classificationsTopic(), "results", r -> bytes(r.getCameraId()),
                new SingleObjectSerializationSchema<>(SingleObjectCodec.FRAME_CLASSIFICATION));
    }

    public static KafkaSink<DeadLetter> deadLettersSink(JobSettings s) {
        return sink(s, s.deadLettersTopic(), "dead-letters", d -> d.getCameraId() == null ? null : bytes(d.getCameraId()),
                new SingleObjectSerializationSchema<>(SingleObjectCodec.DEAD_LETTER));
    }

    private static <T> KafkaSink<T> sink(JobSettings s, String topic, String role, SerializationSchema<T> key,
            SerializationSchema<T> value) {
        Properties props = clientProperties(s);
        DeliveryGuarantee guarantee = s.delivery() == JobSettings.Delivery.EXACTLY_ONCE
                ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            // Flink's default (1 h) is above the broker's maximum (15 min): the job would restart forever.
            props.setProperty("transaction.timeout.ms", Long.toString(s.transactionTimeout().toMillis()));
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(s.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(s.jobName() + "-" + role)
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(key)
                        .setValueSerializationSchema(value)
                        .build())
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Properties clientProperties(JobSettings s) {
        Properties props = new Properties();
        props.putAll(s.kafkaProperties());
        return props;
    }

    /**
     * Checks at start that the three topics exist, so a typo stops the job with its name instead of
     * a source that waits forever. With {@code createMissing}, creates them instead (development).
     *
     * @return the topics created
     */
    public static List<String> checkTopics(JobSettings s, boolean createMissing, int partitions) {
        Properties props = clientProperties(s);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        List<String> wanted = List.of(s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> missing = new ArrayList<>();
            for (String t : wanted) {
                if (!existing.contains(t)) {
                    missing.add(t);
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!createMissing) {
                throw new ConfigException("topic(s) " + String.join(", ", missing) + " do not exist on "
                        + s.bootstrapServers() + ": create them, or set kafka.topic.frames / kafka.topic.classifications"
                        + " / kafka.topic.dead-letters to the topics you use");
            }
            List<NewTopic> topics = new ArrayList<>();
            for (String t : missing) {
                topics.add(new NewTopic(t, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            return missing;
        } catch (TimeoutException e) {
            throw new ConfigException("cannot reach Kafka at " + s.bootstrapServers() + " (kafka.bootstrap-servers)"
                    + " within 30 s: is the broker running? (framewise kafka starts one)");
        } catch (ExecutionException e) {
            throw new ConfigException("Kafka at " + s.bootstrapServers() + " refused: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while checking the Kafka topics");
        }
    }
}
