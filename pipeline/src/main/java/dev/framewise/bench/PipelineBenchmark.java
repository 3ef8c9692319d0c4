package dev.framewise.bench;

import dev.framewise.bench.ResultCollector.Sample;
import dev.framewise.job.ConfigSource;
import dev.framewise.job.FlinkRestMetrics;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.JobSettings;
import dev.framewise.job.LocalFlink;
import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.results.LatencyPercentiles;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The whole job measured on this machine: an embedded broker, a local Flink cluster, 640x480 JPEG
 * frames from several cameras. First its saturated throughput (a backlog, read as fast as the job
 * goes), then its end-to-end latency at offered loads relative to that capacity, with a freshness
 * limit so that overload sheds frames instead of building a backlog; and the naive hand-written job
 * on the same backlog, for comparison. Everything runs in this JVM, the load generator and the
 * broker included: their cost is part of the figures, as Kafka's is in production.
 */
public final class PipelineBenchmark {

    /**
     * @param jpegReducedSize the job's JPEG decoding (decode.jpeg.reduced-size); both ways are measured on a backlog
     * @param saturationFrames frames in the backlog the capacity is measured on
     * @param saturationRounds backlog runs per decoding way, alternating between the two
     * @param loadPhase how long each offered load lasts
     */
    public record Settings(Architecture arch, int slots, int threads, int batchSize, Duration batchDelay,
            Duration maxAge, boolean jpegReducedSize, int cameras, int width, int height, int saturationFrames,
            int saturationRounds, Duration loadPhase, List<Integer> loadPercents) {
        public Settings {
            loadPercents = List.copyOf(loadPercents);
        }
    }

    /** One offered load's figures. */
    public record Load(int offeredPercent, double offeredFps, long sent, long classified, long deadLettered,
            long dropped, double achievedFps, double p50Ms, double p90Ms, double p99Ms, double maxMs, double gcFraction,
            List<Long> lag, Breakdown slowest) {
    }

    /**
     * Where the time of the slowest results went, on average, by their latency fields (ms).
     *
     * @param captureToSourceMs until the source read the frame: Kafka, and waiting for the slot
     * @param queueMs waiting in the batch
     * @param inferenceMs the batch's run
     */
    public record Breakdown(int frames, double endToEndMs, double captureToSourceMs, double decodeMs, double queueMs,
            double inferenceMs, double batchSize) {
        static final Breakdown NONE = new Breakdown(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN);

        @Override
        public String toString() {
            return frames == 0 ? "no results" : String.format(Locale.ROOT, "the slowest 1 %% (%d): capture to source"
                    + " %.0f ms, decode %.1f, batch wait %.0f, inference %.0f (batch of %.1f)", frames,
                    captureToSourceMs, decodeMs, queueMs, inferenceMs, batchSize);
        }
    }

    /**
     * The job on a backlog.
     *
     * @param fps frames per second classified
     * @param gcFraction the share of the time spent in GC
     * @param decodeMs the job's mean decode and preprocessing time per frame
     * @param inferenceMs the job's mean time per batch in ONNX Runtime
     * @param meanBatch the mean batch size
     */
    public record Saturation(double fps, double gcFraction, double decodeMs, double inferenceMs, double meanBatch) {
    }

    /**
     * @param fullDecode the job on a backlog, decoding JPEGs at full size (the median round)
     * @param reducedDecode the same with decode.jpeg.reduced-size
     * @param jpegReducedSize which of the two the job's settings use
     * @param naiveFps frames per second the naive job classified from the same kind of backlog
     */
    public record Result(Saturation fullDecode, Saturation reducedDecode, boolean jpegReducedSize, double naiveFps,
            List<Load> loads, long pictureBytes) {
        /** The job on a backlog, as configured. */
        public Saturation saturation() {
            return jpegReducedSize ? reducedDecode : fullDecode;
        }

        public double saturatedFps() {
            return saturation().fps();
        }
    }

    /** Flink's metric fetcher refreshes every 10 s by default; the drop counts are read every half second. */
    private static final Map<String, String> FLINK = Map.of("metrics.fetcher.update-interval", "500");

    private final Settings settings;
    private final Consumer<String> progress;

    public PipelineBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run(Path work) throws Exception {
        Path model = work.resolve(settings.arch().id() + ".onnx");
        ModelBuilder.write(ModelBuilder.build(settings.arch(), GeneratedWeights.generate(settings.arch(), 42)), model);
        progress.accept("starting an embedded Kafka broker; encoding the cameras' pictures");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
            FramePool pool = new FramePool(settings.cameras(), settings.slots(), settings.width(), settings.height(), 24);
            List<Saturation> full = new ArrayList<>();
            List<Saturation> reduced = new ArrayList<>();
            for (int round = 1; round <= settings.saturationRounds(); round++) {
                full.add(saturation(kafka, producer, pool, model, false, round));
                reduced.add(saturation(kafka, producer, pool, model, true, round));
            }
            Saturation configured = median(settings.jpegReducedSize() ? reduced : full);
            double naive = naive(kafka, producer, pool, model);
            List<Load> loads = loads(kafka, producer, pool, model, configured.fps());
            return new Result(median(full), median(reduced), settings.jpegReducedSize(), naive, loads,
                    pool.averagePictureBytes());
        }
    }

    private static Saturation median(List<Saturation> rounds) {
        List<Saturation> sorted = rounds.stream().sorted(java.util.Comparator.comparingDouble(Saturation::fps)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private JobSettings jobSettings(EmbeddedKafka kafka, String topics, Path model, boolean fresh,
            boolean jpegReducedSize) {
        ConfigSource s = new ConfigSource()
                .set("kafka.bootstrap-servers", kafka.bootstrapServers(), "bench")
                .set("kafka.topic.frames", topics + "-frames", "bench")
                .set("kafka.topic.classifications", topics + "-classifications", "bench")
                .set("kafka.topic.dead-letters", topics + "-dlq", "bench")
                .set("kafka.group-id", "bench-" + topics, "bench")
                .set("kafka.starting-offsets", "earliest", "bench")
                .set("model.path", model.toString(), "bench")
                .set("batch.max-size", Integer.toString(settings.batchSize()), "bench")
                .set("batch.max-delay", settings.batchDelay().toMillis() + " ms", "bench")
                .set("inference.threads", Integer.toString(settings.threads()), "bench")
                .set("pipeline.parallelism", Integer.toString(settings.slots()), "bench")
                .set("decode.jpeg.reduced-size", Boolean.toString(jpegReducedSize), "bench")
                .set("pipeline.name", "framewise-bench-" + topics, "bench");
        if (fresh) {
            s.set("freshness.max-age", settings.maxAge().toMillis() + " ms", "bench");
        }
        return JobSettings.from(s);
    }

    /** Warm-up first (JIT, ONNX Runtime's first runs, Kafka connections), then a backlog as fast as the job goes. */
    private Saturation saturation(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool,
            Path model, boolean jpegReducedSize, int round) throws Exception {
        String way = jpegReducedSize ? "reduced-size JPEG decoding" : "full-size JPEG decoding";
        JobSettings s = jobSettings(kafka, "saturation-" + (jpegReducedSize ? "reduced-" : "full-") + round, model,
                false, jpegReducedSize);
        kafka.createTopics(settings.slots(), s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        FramewiseJob.build(flink.env(), s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        try (ResultCollector results = new ResultCollector(kafka.bootstrapServers(), s.classificationsTopic(), null)) {
            JobClient job = flink.env().executeAsync(s.jobName());
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            Saturation sat = measureBacklog("saturation, " + way + ", round " + round, producer, pool,
                    s.framesTopic(), results, settings.saturationFrames());
            job.cancel().get(1, TimeUnit.MINUTES);
            progress.accept(String.format(Locale.ROOT, "saturation, %s: %.1f frames/s; in the job: decode %.1f ms a"
                    + " frame, inference %.0f ms a batch of %.1f", way, sat.fps(), sat.decodeMs(), sat.inferenceMs(), sat.meanBatch()));
            return sat;
        }
    }

    /** The naive hand-written job on the same kind of backlog, warmed up the same way. */
    private double naive(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool, Path model)
            throws Exception {
        String frames = "naive-frames";
        String results = "naive-classifications";
        kafka.createTopics(settings.slots(), frames, results);
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        NaiveJob.build(flink.env(), kafka.bootstrapServers(), frames, results, "bench-naive", model, settings.slots());
        try (ResultCollector collected = new ResultCollector(kafka.bootstrapServers(), results, null)) {
            JobClient job = flink.env().executeAsync("framewise-bench-naive");
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            Saturation sat = measureBacklog("naive job", producer, pool, frames, collected,
                    Math.max(60, settings.saturationFrames() / 2));
            job.cancel().get(1, TimeUnit.MINUTES);
            progress.accept(String.format(Locale.ROOT, "naive job: %.1f frames/s", sat.fps()));
            return sat.fps();
        }
    }

    /**
     * Sends warm-up frames and waits for their results, then sends a backlog of {@code n} and measures how
     * fast it is classified; GC time counts over the backlog only.
     */
    private Saturation measureBacklog(String what, KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic,
            ResultCollector results, int n) throws InterruptedException {
        long[] seq = new long[pool.cameras().size()];
        int warm = 3 * settings.slots() * settings.batchSize();
        progress.accept(what + ": warming up on " + warm + " frames");
        backlog(producer, pool, topic, seq, warm);
        await(what + " warm-up classified", Duration.ofMinutes(5), () -> results.results() >= warm, results);
        progress.accept(what + ": " + n + " frames in a backlog");
        long gc0 = gcMillis();
        long t0 = System.nanoTime();
        backlog(producer, pool, topic, seq, n);
        await(what + " backlog classified", Duration.ofMinutes(10), () -> results.results() >= warm + n, results);
        double gc = (gcMillis() - gc0) / ((System.nanoTime() - t0) / 1e6);
        List<Sample> measured = results.since(warm);
        double decodeMs = measured.stream().mapToLong(Sample::decodeMicros).average().orElse(Double.NaN) / 1000;
        double inferenceMs = measured.stream().mapToLong(Sample::inferenceMicros).average().orElse(Double.NaN) / 1000;
        double meanBatch = measured.stream().mapToInt(Sample::batchSize).average().orElse(Double.NaN);
        return new Saturation(steadyRate(measured), gc, decodeMs, inferenceMs, meanBatch);
    }

    /** Latency at each offered load, on one running job with the freshness limit on. */
    private List<Load> loads(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool, Path model,
            double capacity) throws Exception {
        JobSettings s = jobSettings(kafka, "load", model, true, settings.jpegReducedSize());
        kafka.createTopics(settings.slots(), s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        FramewiseJob.build(flink.env(), s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        List<Load> loads = new ArrayList<>();
        try (ResultCollector results = new ResultCollector(kafka.bootstrapServers(), s.classificationsTopic(),
                s.deadLettersTopic())) {
            JobClient job = flink.env().executeAsync(s.jobName());
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            FlinkRestMetrics metrics = new FlinkRestMetrics(flink.webUi(), job.getJobID().toString());
            long[] sequences = new long[pool.cameras().size()];
            long sentTotal = 0;
            for (int pct : settings.loadPercents()) {
                double rate = capacity * pct / 100.0;
                progress.accept(String.format(Locale.ROOT, "load %d%%: %.1f frames/s for %d s", pct, rate,
                        settings.loadPhase().toSeconds()));
                int resultsBefore = results.results();
                long deadBefore = results.deadLetters();
                long droppedBefore = dropped(metrics);
                long gc0 = gcMillis();
                long t0 = System.nanoTime();
                List<Long> lag = new ArrayList<>();
                long sent = paced(producer, pool, s.framesTopic(), sequences, rate, settings.loadPhase(), sentSoFar -> {
                    try {
                        lag.add(sentSoFar - (results.results() - resultsBefore) - (results.deadLetters() - deadBefore)
                                - (dropped(metrics) - droppedBefore));
                    } catch (RuntimeException e) {
                        // a missed sample
                    }
                });
                double phaseSeconds = (System.nanoTime() - t0) / 1e9;
                double gc = (gcMillis() - gc0) / (phaseSeconds * 1000);
                sentTotal += sent;
                long expected = sentTotal;
                await("load " + pct + "% drained", Duration.ofMinutes(3),
                        () -> results.results() + results.deadLetters() + dropped(metrics) >= expected, results);
                List<Sample> phase = results.since(resultsBefore);
                long dropped = dropped(metrics) - droppedBefore;
                long[] e2e = phase.stream().mapToLong(Sample::endToEndMicros).sorted().toArray();
                Breakdown slowest = slowest(phase, pct(e2e, 99));
                loads.add(new Load(pct, rate, sent, phase.size(), results.deadLetters() - deadBefore, dropped,
                        phase.size() / phaseSeconds, pct(e2e, 50), pct(e2e, 90), pct(e2e, 99), pct(e2e, 100), gc, lag,
                        slowest));
                progress.accept(String.format(Locale.ROOT, "load %d%%: p50 %.1f ms, p99 %.1f ms, %d dropped; %s", pct,
                        pct(e2e, 50), pct(e2e, 99), dropped, slowest));
            }
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        return loads;
    }

    /** Where the time of the results at or above the p99 went, on average. */
    static Breakdown slowest(List<Sample> phase, double p99Ms) {
        List<Sample> slow = phase.stream().filter(x -> x.endToEndMicros() / 1000.0 >= p99Ms).toList();
        if (slow.isEmpty()) {
            return Breakdown.NONE;
        }
        java.util.function.ToDoubleFunction<java.util.function.ToLongFunction<Sample>> mean =
                f -> slow.stream().mapToLong(f).average().orElse(Double.NaN) / 1000;
        return new Breakdown(slow.size(), mean.applyAsDouble(Sample::endToEndMicros),
                mean.applyAsDouble(Sample::captureToSourceMicros), mean.applyAsDouble(Sample::decodeMicros),
                mean.applyAsDouble(Sample::queueMicros), mean.applyAsDouble(Sample::inferenceMicros),
                slow.stream().mapToInt(Sample::batchSize).average().orElse(Double.NaN));
    }

    private static long dropped(FlinkRestMetrics metrics) {
        try {
            return metrics.sum("classify", "framesDropped").orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Sends {@code n} frames round-robin over the cameras as fast as Kafka takes them. */
    private static void backlog(KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, long[] seq,
            int n) {
        for (int i = 0; i < n; i++) {
            int c = i % seq.length;
            send(producer, pool, topic, c, seq[c]++);
        }
        producer.flush();
    }

    /** Sends at {@code rate} frames/s for {@code duration}, sampling the lag every half second; returns the count. */
    private static long paced(KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, long[] seq,
            double rate, Duration duration, java.util.function.LongConsumer sampleLag) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        double interval = 1e9 / rate;
        long sent = 0;
        long nextSample = start + 500_000_000L;
        while (true) {
            long due = start + (long) (sent * interval);
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int c = (int) (sent % seq.length);
            send(producer, pool, topic, c, seq[c]++);
            sent++;
            if (System.nanoTime() >= nextSample) {
                sampleLag.accept(sent);
                nextSample += 500_000_000L;
            }
        }
        producer.flush();
        return sent;
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, int camera,
            long sequence) {
        producer.send(new ProducerRecord<>(topic, pool.cameras().get(camera).getBytes(StandardCharsets.UTF_8),
                pool.record(camera, sequence, Instant.now())));
    }

    /** Frames per second over the middle 80 % of the results, by the job's own emit times. */
    static double steadyRate(List<Sample> samples) {
        long[] t = samples.stream().mapToLong(Sample::classifiedMicros).sorted().toArray();
        if (t.length < 10) {
            return Double.NaN;
        }
        int from = t.length / 10;
        int to = t.length - 1 - t.length / 10;
        return (to - from) / ((t[to] - t[from]) / 1e6);
    }

    /** Nearest-rank percentile in milliseconds of sorted microseconds; NaN when there are none. */
    static double pct(long[] sortedMicros, double p) {
        return sortedMicros.length == 0 ? Double.NaN : LatencyPercentiles.nearestRank(sortedMicros, p) / 1000.0;
    }

    static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done,
            ResultCollector results) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (results.failure() != null) {
                throw new IllegalStateException("reading the results failed", results.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
