package dev.framewise.ingest;

import dev.framewise.kafka.KafkaClients;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.VideoFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames topic, through an idempotent producer: records keyed by camera id (so a camera's frames
 * share a partition and keep their order), valued by the single-object encoded {@link VideoFrame}.
 * The first delivery failure is kept, logged once, and thrown at the next frame and at the end:
 * a frame the broker did not take is never passed over in silence.
 */
public final class KafkaFrameSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFrameSink.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String bootstrap;
    private final String topic;
    private final Duration timeout;
    private final IngestStats stats;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private boolean closed;

    private KafkaFrameSink(KafkaProducer<byte[], byte[]> producer, String bootstrap, String topic, Duration timeout,
            IngestStats stats) {
        this.producer = producer;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.timeout = timeout;
        this.stats = stats;
    }

    /**
     * Checks that the broker answers and the topic exists, then makes the producer.
     *
     * @param timeout how long the broker may take to answer, and to take a frame when its buffer is full
     * @throws IngestException when the broker is unreachable, refuses, or has no such topic
     */
    public static KafkaFrameSink open(String bootstrap, String topic, Duration timeout, IngestStats stats) {
        checkTopic(bootstrap, topic, timeout);
        try {
            KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap,
                    Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis())));
            return new KafkaFrameSink(producer, bootstrap, topic, timeout, stats);
        } catch (KafkaException e) {
            throw new IngestException("cannot use --bootstrap " + bootstrap + ": " + rootMessage(e), e);
        }
    }

    /**
     * Hands one frame to the producer, which delivers it in the background.
     *
     * @throws IngestException when an earlier frame could not be delivered, or the producer refuses this one
     */
    public void send(VideoFrame frame) {
        throwIfFailed();
        byte[] key = frame.getCameraId().getBytes(StandardCharsets.UTF_8);
        byte[] value = SingleObjectCodec.VIDEO_FRAME.encode(frame);
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
                if (e == null) {
                    stats.acknowledged();
                } else if (failure.compareAndSet(null, e)) {
                    // The user hears of it in one line, when it is thrown; the trace is for the log file only.
                    LOG.info("Kafka did not take frame {} of camera {} for {}", frame.getSequence(), frame.getCameraId(),
                            topic, e);
                }
            });
        } catch (KafkaException e) {
            throw new IngestException("cannot send frames to " + topic + " at " + bootstrap + ": " + rootMessage(e), e);
        }
        stats.sent(value.length);
    }

    /**
     * Waits up to the timeout for the broker to acknowledge every frame sent, then lets the producer go.
     * Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(timeout);
    }

    /**
     * After {@link #close()}: whether every frame reached the broker.
     *
     * @throws IngestException with the first delivery failure, or the number of frames left unacknowledged
     */
    public void checkDelivered() {
        throwIfFailed();
        IngestStats.Snapshot s = stats.snapshot();
        if (s.acknowledged() < s.sent()) {
            throw new IngestException(String.format("%d of %d frames were not acknowledged by Kafka at %s within %d s",
                    s.sent() - s.acknowledged(), s.sent(), bootstrap, timeout.toSeconds()));
        }
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new IngestException("Kafka at " + bootstrap + " did not take a frame for " + topic + ": "
                    + rootMessage(e), e);
        }
    }

    private static void checkTopic(String bootstrap, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            throw new IngestException("cannot use --bootstrap " + bootstrap + ": " + rootMessage(e), e);
        }
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IngestException(String.format("topic %s does not exist at %s: create it, e.g. kafka-topics.sh"
                        + " --bootstrap-server %s --create --topic %s --partitions 4 (framewise run creates its"
                        + " topics itself)", topic, bootstrap, bootstrap, topic));
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(bootstrap, timeout);
            }
            throw new IngestException("Kafka at " + bootstrap + " refused: " + rootMessage(e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(bootstrap, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IngestException("interrupted while checking topic " + topic, e);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    private static IngestException unreachable(String bootstrap, Duration timeout) {
        return new IngestException("cannot reach Kafka at " + bootstrap + " within " + timeout.toSeconds()
                + " s; is a broker running there? ('framewise kafka' starts one)");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
