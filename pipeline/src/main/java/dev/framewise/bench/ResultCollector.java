package dev.framewise.bench;

import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's results and dead letters while the benchmark runs, keeping what the figures need
 * of each result: capture and emit times (the job's own clock), end-to-end latency, and the job's own
 * decode and inference times.
 */
final class ResultCollector implements AutoCloseable {
    /** What is kept of one result. */
    record Sample(String camera, long sequence, long captureMicros, long classifiedMicros, long endToEndMicros,
            long captureToSourceMicros, long decodeMicros, long queueMicros, long inferenceMicros, int batchSize) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String resultsTopic;
    private final Thread thread;
    private final List<Sample> samples = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long deadLetters;

    /**
     * @param batchedFetches fetch results in batches of up to 200 ms: right for a backlog, where only the job's own
     *     timestamps count; wrong where the count received so far is sampled (the load phases' frames in flight)
     */
    ResultCollector(String bootstrap, String resultsTopic, String deadLettersTopic, boolean batchedFetches) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "framewise-bench-" + resultsTopic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        if (batchedFetches) {
            // Results a few at a time in every fetch would cost the broker, on the job's cores, a request per result
            // or two.
            p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(64 * 1024));
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        }
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.resultsTopic = resultsTopic;
        consumer.subscribe(deadLettersTopic == null ? List.of(resultsTopic) : List.of(resultsTopic, deadLettersTopic));
        this.thread = new Thread(this::poll, "framewise-bench-results");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!r.topic().equals(resultsTopic)) {
                        synchronized (this) {
                            deadLetters++;
                        }
                        continue;
                    }
                    FrameClassification c = SingleObjectCodec.FRAME_CLASSIFICATION.decode(r.value());
                    Sample s = new Sample(c.getCameraId(), c.getSequence(), micros(c.getCaptureTime()),
                            micros(c.getClassifiedTime()), c.getLatency().getEndToEndUs(),
                            c.getLatency().getCaptureToSourceUs(), c.getLatency().getDecodeUs(),
                            c.getLatency().getQueueWaitUs(), c.getLatency().getInferenceUs(), c.getLatency().getBatchSize());
                    synchronized (this) {
                        samples.add(s);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            failure.set(e);
        }
    }

    private static long micros(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    synchronized int results() {
        return samples.size();
    }

    synchronized long deadLetters() {
        return deadLetters;
    }

    /** The results received so far, from index {@code from} on. */
    synchronized List<Sample> since(int from) {
        return new ArrayList<>(samples.subList(Math.min(from, samples.size()), samples.size()));
    }

    Exception failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(5));
    }
}
