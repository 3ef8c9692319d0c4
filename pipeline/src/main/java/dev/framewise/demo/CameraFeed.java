package dev.framewise.demo;

import dev.framewise.demo.SyntheticCamera.Defect;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes the frames of a few {@link SyntheticCamera}s to Kafka at a steady rate, each camera's
 * keyed by its id, with one frame in {@code brokenEvery} broken on purpose (cycling through the
 * defects). Counts what it sent; the demo checks every frame comes back.
 */
public final class CameraFeed implements AutoCloseable {
    private final List<SyntheticCamera> cameras;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int brokenEvery;
    private final List<Defect> defects;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "framewise-demo-cameras");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sent = new AtomicLong();
    private final Map<Defect, AtomicLong> broken = new EnumMap<>(Defect.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long tick;

    /** @param defects the ways frames are broken, in turn */
    public CameraFeed(List<SyntheticCamera> cameras, KafkaProducer<byte[], byte[]> producer, String topic, int brokenEvery,
            List<Defect> defects) {
        this.cameras = List.copyOf(cameras);
        this.producer = producer;
        this.topic = topic;
        this.brokenEvery = brokenEvery;
        this.defects = List.copyOf(defects);
        for (Defect d : Defect.values()) {
            broken.put(d, new AtomicLong());
        }
    }

    /** Starts publishing one frame per camera every {@code 1/fps} seconds. */
    public void start(double fps) {
        long periodMicros = Math.max(1, Math.round(1e6 / fps));
        clock.scheduleAtFixedRate(this::publish, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void publish() {
        long seq = tick++;
        for (int c = 0; c < cameras.size(); c++) {
            SyntheticCamera cam = cameras.get(c);
            Defect defect = defect(seq, c);
            byte[] value;
            try {
                value = cam.record(seq, Instant.now(), defect);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                continue;
            }
            producer.send(new ProducerRecord<>(topic, cam.cameraId().getBytes(StandardCharsets.UTF_8), value),
                    (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
            sent.incrementAndGet();
            if (defect != null) {
                broken.get(defect).incrementAndGet();
            }
        }
    }

    /** Frame {@code seq} of camera {@code c}: intact, or the next defect in turn. */
    private Defect defect(long seq, int c) {
        if (brokenEvery <= 0 || (seq + 7L * c) % brokenEvery != brokenEvery - 1) {
            return null;
        }
        return defects.get((int) ((seq / brokenEvery + c) % defects.size()));
    }

    /** Stops publishing and waits until every frame sent so far is acknowledged by the broker. */
    public void stop() throws InterruptedException {
        clock.shutdown();
        clock.awaitTermination(10, TimeUnit.SECONDS);
        producer.flush();
    }

    public long sent() {
        return sent.get();
    }

    /** Frames broken on purpose, by defect. */
    public Map<Defect, Long> broken() {
        Map<Defect, Long> out = new EnumMap<>(Defect.class);
        broken.forEach((d, n) -> {
            if (n.get() > 0) {
                out.put(d, n.get());
            }
        });
        return out;
    }

    /** The first error publishing a frame, if any. */
    public Exception failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        producer.close();
        cameras.forEach(SyntheticCamera::close);
    }
}
