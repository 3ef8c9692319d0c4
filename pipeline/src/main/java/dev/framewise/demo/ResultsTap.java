package dev.framewise.demo;

import dev.framewise.results.CameraStats;
import dev.framewise.results.LatencyPercentiles;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's results and dead letters as they come, for the demo's live table and its final
 * account: every frame sent must come back once, as a classification or a dead letter.
 * Classifications are counted once per (camera, sequence), as consumers of an at-least-once job do.
 */
public final class ResultsTap implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final Thread thread;
    private final CameraStats cameras = new CameraStats();
    private final LatencyPercentiles latency = new LatencyPercentiles(1_000_000);
    private final Set<String> classified = new HashSet<>();
    private final Set<String> deadLettered = new HashSet<>();
    private final Map<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long unreadable;
    private long duplicates;

    public ResultsTap(String bootstrap, String resultsTopic, String deadLettersTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "framewise-demo-tap");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = resultsTopic;
        consumer.subscribe(List.of(resultsTopic, deadLettersTopic));
        this.thread = new Thread(this::poll, "framewise-demo-results");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(resultsTopic)) {
                        onResult(SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value()));
                    } else {
                        onDeadLetter(SingleObjectCodec.DEAD_LETTER.decode(r.value()));
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (Exception e) {
            failure.set(e);
        }
    }

    private synchronized void onResult(FrameClassification c) {
        if (!classified.add(c.getCameraId() + "#" + c.getSequence())) {
            duplicates++;
            return;
        }
        cameras.record(c);
        latency.record(c.getLatency().getEndToEndUs());
    }

    private synchronized void onDeadLetter(DeadLetter d) {
        reasons.merge(d.getReason(), 1L, Long::sum);
        cameras.recordDeadLetter(d);
        if (d.getSequence() == null) {
            unreadable++;
        } else {
            deadLettered.add(d.getCameraId() + "#" + d.getSequence());
        }
    }

    /** Frames that have come back: classified or dead-lettered, each counted once. */
    public synchronized long accounted() {
        return classified.size() + deadLettered.size() + unreadable;
    }

    public synchronized long classified() {
        return classified.size();
    }

    public synchronized long deadLettered() {
        return deadLettered.size() + unreadable;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    public synchronized Map<DeadLetterReason, Long> deadLettersByReason() {
        Map<DeadLetterReason, Long> copy = new EnumMap<>(DeadLetterReason.class);
        copy.putAll(reasons);
        return copy;
    }

    public List<CameraStats.Row> cameras(long nowNanos) {
        return cameras.snapshot(nowNanos);
    }

    /** End-to-end latency over every result, in microseconds. */
    public synchronized java.util.Optional<LatencyPercentiles.Summary> latency() {
        return latency.summary();
    }

    public Exception failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(5));
    }
}
