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
import dev.framewise.operators.inference.BatchSettings;
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
import java.util.Optional;
import java.util.OptionalLong;
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
     * @param jpegReducedSize the job's JPEG decoding (decode.jpeg.reduced-size)
     * @param compareDecoding whether the other decoding way is measured too, on a backlog after each job as configured
     * @param saturationFrames frames each job is measured on, in backlogs
     * @param saturationRounds jobs per decoding way measured, alternating between the two where both are
     * @param saturationBacklogs how many backlogs the frames of a job as configured are split into, with the limit's
     *     configuration run raw before each and after the last: the job's rate is compared with the raw slices right
     *     around it (the other decoding way takes its frames in one backlog)
     * @param warmUpLimit the longest each job's warm-up may run: before it is measured, a job runs at full speed
     *     until the JIT compilers have settled (the broker's, the Kafka clients', Flink's and the job's code
     *     compiled, as in a job that has been running a while), or for this long
     * @param limitSlice how long the limit's configuration runs raw before and after each backlog of the job as
     *     configured, while the job waits for frames and the JVM is otherwise quiet: the limit measured side by side
     *     with the job, as the machine's speed drifts
     * @param loadPhase how long each offered load lasts
     */
    public record Settings(Architecture arch, int slots, int threads, BatchSettings batching, Duration maxAge,
            boolean jpegReducedSize, boolean compareDecoding, int cameras, int width, int height, int saturationFrames,
            int saturationRounds, int saturationBacklogs, Duration warmUpLimit, Duration limitSlice, Duration loadPhase,
            List<Integer> loadPercents) {
        public Settings {
            loadPercents = List.copyOf(loadPercents);
            if (saturationRounds < 1 || saturationBacklogs < 1 || saturationFrames / saturationBacklogs < 50) {
                throw new IllegalArgumentException("at least one round and one backlog of 50 frames or more");
            }
        }

        /** Frames in each of the backlogs of the job as configured. */
        public int backlogFrames() {
            return saturationFrames / saturationBacklogs;
        }
    }

    /**
     * One offered load's figures.
     *
     * @param gcFraction the share of the phase spent in GC
     * @param jitFraction the JIT compilers' time over the phase's (a share of one core): where it is high, the JVM was
     *     still warming up and the latencies are high with it
     * @param lag the frames sent and not yet classified, dead-lettered or dropped, sampled about every
     *     {@link #LAG_SAMPLE}
     * @param cpu where the machine's CPU went while the load was offered, by part
     */
    public record Load(int offeredPercent, double offeredFps, long sent, long classified, long deadLettered,
            long dropped, double achievedFps, double p50Ms, double p90Ms, double p99Ms, double maxMs, double gcFraction,
            double jitFraction, List<LagSample> lag, Breakdown slowest, Map<CpuShares.Part, Double> cpu) {
        public Load {
            lag = List.copyOf(lag);
            cpu = Map.copyOf(cpu);
        }
    }

    /** The frames in flight {@code seconds} into an offered load. */
    public record LagSample(double seconds, long frames) {
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
     * @param jitFraction the JIT compilers' time over the measurement's time (a share of one core): near zero
     *     once the JVM is warm
     * @param decodeMs the job's mean decode and preprocessing time per frame
     * @param inferenceMs the job's mean time per batch in ONNX Runtime
     * @param meanBatch the mean batch size
     * @param warmUp the job's warm-up before the measurement
     * @param limitFps the limit's configuration run raw right before the backlog and right after it, the mean of
     *     the two; NaN where it was not (the other decoding way, the naive job)
     * @param cpu where the machine's CPU went during the backlog, as shares of it
     */
    public record Saturation(double fps, double gcFraction, double jitFraction, double decodeMs, double inferenceMs,
            double meanBatch, WarmUp warmUp, double limitFps, Map<CpuShares.Part, Double> cpu) {
        public Saturation {
            cpu = Map.copyOf(cpu);
        }

        Saturation withLimit(double fps) {
            return new Saturation(this.fps, gcFraction, jitFraction, decodeMs, inferenceMs, meanBatch, warmUp, fps,
                    cpu);
        }

        /** This backlog's rate over the limit measured next to it. */
        public double overLimit() {
            return fps / limitFps;
        }
    }

    /**
     * A step of the JVM warm-up.
     *
     * @param seconds since the warm-up job started reading
     * @param classified frames classified so far
     * @param fps frames per second over the step
     * @param jitFraction the JIT compilers' time over the step's time (a share of one core)
     */
    public record WarmUpStep(double seconds, long classified, double fps, double jitFraction) {
    }

    /**
     * The JVM warm-up.
     *
     * @param steps its steps of about {@link #STEP} each
     * @param settled whether the JIT compilers settled (under {@link #JIT_SETTLED} of a core over the last
     *     {@link #SETTLED_STEPS} steps) before the limit
     * @param sent frames sent to warm up
     */
    public record WarmUp(List<WarmUpStep> steps, boolean settled, long sent) {
        public WarmUp {
            steps = List.copyOf(steps);
        }

        public double seconds() {
            return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).seconds();
        }

        public long classified() {
            return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).classified();
        }

        /** The seconds the first (or last) {@link #SETTLED_STEPS} steps span. */
        public double span(boolean first) {
            int k = Math.min(SETTLED_STEPS, steps.size());
            if (k == 0) {
                return 0;
            }
            return first ? steps.get(k - 1).seconds()
                    : seconds() - (steps.size() > k ? steps.get(steps.size() - k - 1).seconds() : 0);
        }

        /** Frames per second over the first (or last) {@link #SETTLED_STEPS} steps. */
        public double fps(boolean first) {
            int k = Math.min(SETTLED_STEPS, steps.size());
            if (k == 0) {
                return Double.NaN;
            }
            long frames = first ? steps.get(k - 1).classified()
                    : classified() - (steps.size() > k ? steps.get(steps.size() - k - 1).classified() : 0);
            return frames / span(first);
        }
    }

    static final Duration STEP = Duration.ofSeconds(2);
    static final double JIT_SETTLED = 0.03;
    static final int SETTLED_STEPS = 5;

    /**
     * @param warmUp the first job's warm-up: the JVM's
     * @param rounds the job as configured, backlog by backlog (each job takes {@link Settings#saturationBacklogs()}),
     *     each with the limit's configuration measured right around it
     * @param rawSlices the limit's configuration's raw slices in the order they ran: how the machine's speed drifted,
     *     and what the rest of the JVM took meanwhile
     * @param fullDecode the job decoding JPEGs at full size: its median backlog (one per job for the way not
     *     configured); null where that way was not measured
     * @param reducedDecode the same with decode.jpeg.reduced-size
     * @param jpegReducedSize which of the two the job's settings use
     * @param naiveFps frames per second the naive job classified from the same kind of backlog
     */
    public record Result(WarmUp warmUp, List<Saturation> rounds, List<RawSlice> rawSlices, Saturation fullDecode,
            Saturation reducedDecode, boolean jpegReducedSize, double naiveFps, List<Load> loads, long pictureBytes) {
        public Result {
            rounds = List.copyOf(rounds);
            rawSlices = List.copyOf(rawSlices);
        }

        /** The job on a backlog, as configured. */
        public Saturation saturation() {
            return jpegReducedSize ? reducedDecode : fullDecode;
        }

        /** The job with the other JPEG decoding way, if it was measured. */
        public Optional<Saturation> otherDecoding() {
            return Optional.ofNullable(jpegReducedSize ? fullDecode : reducedDecode);
        }

        /** The median over the backlogs of the job's rate over the limit measured right around it; NaN if none was. */
        public double overLimitSideBySide() {
            return medianOfRounds(Saturation::overLimit);
        }

        /** The median of the limit's side-by-side figures; NaN if none was measured. */
        public double limitSideBySideFps() {
            return medianOfRounds(Saturation::limitFps);
        }

        private double medianOfRounds(java.util.function.ToDoubleFunction<Saturation> f) {
            return RawLimitSearch.median(rounds.stream().mapToDouble(f).toArray());
        }

        public double saturatedFps() {
            return saturation().fps();
        }
    }

    /** Flink's metric fetcher refreshes every 10 s by default; the drop counts are read every half second. */
    private static final Map<String, String> FLINK = Map.of("metrics.fetcher.update-interval", "500");

    private final Settings settings;
    private final Consumer<String> progress;

    /**
     * A raw slice of the limit's configuration next to the job.
     *
     * @param fps frames per second measured
     * @param othersShare the share of the machine the rest of this JVM used meanwhile; NaN where it cannot be told
     *     (sessions with ONNX Runtime worker threads of their own)
     */
    public record RawSlice(double fps, double othersShare) {
        /**
         * The rate with the others' share given to the sessions: {@code fps / (1 - othersShare)}, the share capped at
         * a half (the quiet wait before a slice keeps it at a few per cent); {@code fps} where the share is unknown.
         * It assumes the limit's configuration uses every core, as the limit search's best does.
         */
        public double wholeMachineFps() {
            return Double.isNaN(othersShare) ? fps : fps / (1 - Math.min(othersShare, 0.5));
        }
    }

    /** The limit's configuration, loaded once and run raw in slices next to the job's backlogs. */
    private static final class RawSideBySide implements AutoCloseable {
        final SessionGroup group;
        final int batch;

        private RawSideBySide(SessionGroup group, int batch) {
            this.group = group;
            this.batch = batch;
        }

        static RawSideBySide open(Path model, RawLimitSearch.Config config) throws ai.onnxruntime.OrtException {
            SessionGroup group = new SessionGroup(RawLimitSearch.environment(Runtime.getRuntime().availableProcessors())
                    .env(), model, config.sessions(), config.threads(), SessionVariant.JOB);
            try {
                group.run(new Tally(group.sessions(), config.batch()), 0);
            } catch (ai.onnxruntime.OrtException | RuntimeException e) {
                group.close();
                throw e;
            }
            return new RawSideBySide(group, config.batch());
        }

        /** Every slice, in order. */
        final List<RawSlice> slices = new ArrayList<>();

        /**
         * Runs a slice once the JVM is quiet, and notes the share of the machine the rest of the JVM (the broker, the
         * idle job, the JIT compilers) took meanwhile, which would otherwise flatter the job.
         */
        RawSlice slice(Duration length) throws ai.onnxruntime.OrtException, InterruptedException {
            awaitQuiet();
            Tally tally = new Tally(group.sessions(), batch);
            CpuShares.Snapshot before = CpuShares.take();
            group.run(tally, length.toMillis() / 1000.0);
            CpuShares.Snapshot after = CpuShares.take();
            // The process's CPU time besides the sessions' driver threads: exact, JIT and GC included. With more than
            // one intra-op thread per session, ONNX Runtime's own native workers would count as others too, and the
            // JVM cannot tell them apart: no correction then.
            int cores = Runtime.getRuntime().availableProcessors();
            double others = group.threads() == 1 ? Math.max(0, CpuShares.processShare(before, after, cores)
                    - CpuShares.between(before, after, cores).get(CpuShares.Part.RAW_SESSIONS)) : Double.NaN;
            RawSlice slice = new RawSlice(tally.framesPerSecond(), others);
            slices.add(slice);
            return slice;
        }

        @Override
        public void close() throws ai.onnxruntime.OrtException {
            group.close();
        }
    }

    public PipelineBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * @param limit the limit's configuration (the limit search's best), run raw next to every backlog of the job as
     *     configured; null for none
     */
    public Result run(Path work, RawLimitSearch.Config limit) throws Exception {
        Path model = work.resolve(settings.arch().id() + ".onnx");
        ModelBuilder.write(ModelBuilder.build(settings.arch(), GeneratedWeights.generate(settings.arch(), 42)), model);
        progress.accept("starting an embedded Kafka broker; encoding the cameras' pictures");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrapServers())) {
            FramePool pool = new FramePool(settings.cameras(), settings.slots(), settings.width(), settings.height(), 24);
            List<Saturation> full = new ArrayList<>();
            List<Saturation> reduced = new ArrayList<>();
            // The configured way first: the first job warms the JVM up.
            boolean configured = settings.jpegReducedSize();
            List<RawSlice> rawSlices = new ArrayList<>();
            try (RawSideBySide raw = limit == null ? null : RawSideBySide.open(model, limit)) {
                for (int round = 1; round <= settings.saturationRounds(); round++) {
                    (configured ? reduced : full).addAll(saturation(kafka, producer, pool, model, configured, round, raw));
                    if (settings.compareDecoding()) {
                        (configured ? full : reduced).addAll(saturation(kafka, producer, pool, model, !configured,
                                round, null));
                    }
                }
                if (raw != null) {
                    rawSlices.addAll(raw.slices);
                }
            }
            List<Saturation> rounds = configured ? reduced : full;
            WarmUp warmUp = rounds.get(0).warmUp();
            double capacity = median(rounds).fps();
            double naive = naive(kafka, producer, pool, model);
            List<Load> loads = loads(kafka, producer, pool, model, capacity);
            return new Result(warmUp, rounds, rawSlices, median(full), median(reduced), settings.jpegReducedSize(),
                    naive, loads, pool.averagePictureBytes());
        }
    }

    /** The median backlog; null for none. */
    private static Saturation median(List<Saturation> rounds) {
        if (rounds.isEmpty()) {
            return null;
        }
        List<Saturation> sorted = rounds.stream().sorted(java.util.Comparator.comparingDouble(Saturation::fps)).toList();
        return sorted.get((sorted.size() - 1) / 2); // of an even count, the slower of the middle two
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
                .set("batch.max-size", Integer.toString(settings.batching().maxBatchSize()), "bench")
                .set("batch.max-delay", settings.batching().maxBatchDelay().toNanos() + " ns", "bench")
                .set("batch.max-gap", settings.batching().maxInputGap().toNanos() + " ns", "bench")
                .set("inference.threads", Integer.toString(settings.threads()), "bench")
                .set("pipeline.parallelism", Integer.toString(settings.slots()), "bench")
                .set("decode.jpeg.reduced-size", Boolean.toString(jpegReducedSize), "bench")
                .set("pipeline.name", "framewise-bench-" + topics, "bench");
        if (fresh) {
            s.set("freshness.max-age", settings.maxAge().toMillis() + " ms", "bench");
        }
        return JobSettings.from(s);
    }

    /** Frames of the backlog that ends each warm-up, unmeasured. */
    private static final int WARM_UP_BACKLOG = 200;

    /** Frames the warm-up keeps sent ahead of the results: a couple of seconds' work, so the job never idles. */
    private static final int IN_FLIGHT = 100;

    /** Whether the JIT compilers took under {@link #JIT_SETTLED} of a core over the last steps. */
    static boolean settled(List<WarmUpStep> steps) {
        if (steps.size() < SETTLED_STEPS) {
            return false;
        }
        return steps.subList(steps.size() - SETTLED_STEPS, steps.size()).stream()
                .mapToDouble(WarmUpStep::jitFraction).average().orElse(1) < JIT_SETTLED;
    }

    /**
     * The job warmed up, then on backlogs as fast as it goes. With {@code raw}, the frames come in
     * {@link Settings#saturationBacklogs()} backlogs, and the limit's configuration runs raw before each and after the
     * last, while the job waits for frames: each backlog's rate is compared with the mean of the slices right around
     * it, as the machine's speed drifts by several per cent within a minute.
     */
    private List<Saturation> saturation(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool,
            Path model, boolean jpegReducedSize, int round, RawSideBySide raw) throws Exception {
        String way = jpegReducedSize ? "reduced-size JPEG decoding" : "full-size JPEG decoding";
        JobSettings s = jobSettings(kafka, "saturation-" + (jpegReducedSize ? "reduced-" : "full-") + round, model,
                false, jpegReducedSize);
        kafka.createTopics(settings.slots(), s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        FramewiseJob.build(flink.env(), s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        List<Saturation> backlogs = new ArrayList<>();
        try (ResultCollector results = new ResultCollector(kafka.bootstrapServers(), s.classificationsTopic(), null,
                true)) {
            JobClient job = flink.env().executeAsync(s.jobName());
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            String what = "saturation, " + way + ", round " + round;
            long[] seq = new long[pool.cameras().size()];
            WarmUp warmUp = warmUp(what, producer, pool, s.framesTopic(), seq, results);
            boolean configuredWay = jpegReducedSize == settings.jpegReducedSize();
            int count = configuredWay ? settings.saturationBacklogs() : 1;
            int frames = configuredWay ? settings.backlogFrames() : settings.saturationFrames();
            RawSlice before = raw == null ? null : raw.slice(settings.limitSlice());
            for (int b = 1; b <= count; b++) {
                String backlog = what + (count > 1 ? ", backlog " + b : "");
                Saturation sat = measureBacklog(backlog, warmUp, producer, pool, s.framesTopic(), seq, results, frames);
                RawSlice after = raw == null ? null : raw.slice(settings.limitSlice());
                if (after != null) {
                    sat = sat.withLimit((before.wholeMachineFps() + after.wholeMachineFps()) / 2);
                }
                backlogs.add(sat);
                progress.accept(String.format(Locale.ROOT, "%s: %.1f frames/s; in the job: decode %.1f ms a frame,"
                        + " inference %.0f ms a batch of %.1f; JIT %.1f %% of a core meanwhile%s", backlog, sat.fps(),
                        sat.decodeMs(), sat.inferenceMs(), sat.meanBatch(), 100 * sat.jitFraction(),
                        raw == null ? "" : String.format(Locale.ROOT, "; the limit's configuration raw right before"
                                + " and after: %.1f frames/s %s, ratio %.3f", sat.limitFps(),
                                Double.isNaN(after.othersShare()) ? "as measured (ONNX Runtime's own worker threads"
                                        + " cannot be told apart from the rest of the JVM)"
                                        : String.format(Locale.ROOT, "with the whole machine (the rest of the JVM took"
                                                + " %.1f %% of it during the slice after)", 100 * after.othersShare()),
                                sat.overLimit())));
                before = after;
            }
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        return backlogs;
    }

    /** The naive hand-written job on the same kind of backlog, warmed up the same way. */
    private double naive(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool, Path model)
            throws Exception {
        String frames = "naive-frames";
        String results = "naive-classifications";
        kafka.createTopics(settings.slots(), frames, results);
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        NaiveJob.build(flink.env(), kafka.bootstrapServers(), frames, results, "bench-naive", model, settings.slots());
        try (ResultCollector collected = new ResultCollector(kafka.bootstrapServers(), results, null, true)) {
            JobClient job = flink.env().executeAsync("framewise-bench-naive");
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            long[] seq = new long[pool.cameras().size()];
            WarmUp warmUp = warmUp("naive job", producer, pool, frames, seq, collected);
            Saturation sat = measureBacklog("naive job", warmUp, producer, pool, frames, seq, collected,
                    Math.max(60, settings.saturationFrames() / 2));
            job.cancel().get(1, TimeUnit.MINUTES);
            progress.accept(String.format(Locale.ROOT, "naive job: %.1f frames/s", sat.fps()));
            return sat.fps();
        }
    }

    /**
     * Sends a backlog of {@code n} to the warmed-up job and measures how fast it is classified; GC, JIT and CPU time
     * count over the backlog only.
     */
    private Saturation measureBacklog(String what, WarmUp warmUp, KafkaProducer<byte[], byte[]> producer,
            FramePool pool, String topic, long[] seq, ResultCollector results, int n) throws InterruptedException {
        int base = results.results(); // every earlier frame's result, and nothing after them: nothing else was sent
        progress.accept(String.format(Locale.ROOT, "%s: %d frames in a backlog after %d to warm up in %.0f s (JIT %s)",
                what, n, warmUp.sent(), warmUp.seconds(), warmUp.settled() ? "settled" : "still compiling at the limit"));
        CpuShares.Snapshot cpu0 = CpuShares.take();
        sendBacklog(producer, pool, topic, seq, n);
        int expected = base + n;
        await(what + " backlog classified", Duration.ofMinutes(10), () -> results.results() >= expected, results);
        CpuShares.Snapshot cpu1 = CpuShares.take();
        double elapsedMillis = (cpu1.wallNanos() - cpu0.wallNanos()) / 1e6;
        double gc = (cpu1.gcMillis() - cpu0.gcMillis()) / elapsedMillis;
        double jit = (cpu1.jitMillis() - cpu0.jitMillis()) / elapsedMillis;
        Map<CpuShares.Part, Double> cpu = CpuShares.between(cpu0, cpu1, Runtime.getRuntime().availableProcessors());
        List<Sample> measured = results.since(base);
        double decodeMs = measured.stream().mapToLong(Sample::decodeMicros).average().orElse(Double.NaN) / 1000;
        double inferenceMs = measured.stream().mapToLong(Sample::inferenceMicros).average().orElse(Double.NaN) / 1000;
        double meanBatch = measured.stream().mapToInt(Sample::batchSize).average().orElse(Double.NaN);
        return new Saturation(steadyRate(measured), gc, jit, decodeMs, inferenceMs, meanBatch, warmUp, Double.NaN, cpu);
    }

    /**
     * Runs the job at full speed on a backlog kept {@link #IN_FLIGHT} frames ahead of it until the JIT compilers
     * settle or the warm-up limit passes; lets it catch up, then gives it one backlog of {@link #WARM_UP_BACKLOG}
     * frames sent at once. On a
     * fresh JVM the compilers take a good part of a core for the first minutes (most of it on the broker's and the
     * Kafka clients' code) and every job slower than it runs for the rest of its life; a new job compiles its own
     * start-up paths again.
     */
    private WarmUp warmUp(String what, KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, long[] seq,
            ResultCollector results) throws InterruptedException {
        progress.accept(what + ": warming up until the JIT compilers settle (at most "
                + settings.warmUpLimit().toSeconds() + " s)");
        List<WarmUpStep> steps = new ArrayList<>();
        long sent = 0;
        long start = System.nanoTime();
        long stepStart = start;
        long jitAtStep = jitMillis();
        int classifiedAtStep = 0;
        boolean settled = false;
        while (true) {
            long elapsed = System.nanoTime() - start;
            if (settled || elapsed >= settings.warmUpLimit().toNanos()) {
                break;
            }
            if (results.failure() != null) {
                throw new IllegalStateException("reading the results failed", results.failure());
            }
            for (; sent - results.results() < IN_FLIGHT; sent++) {
                int c = (int) (sent % seq.length);
                send(producer, pool, topic, c, seq[c]++);
            }
            Thread.sleep(50);
            long now = System.nanoTime();
            if (now - stepStart >= STEP.toNanos()) {
                int classified = results.results();
                double stepMillis = (now - stepStart) / 1e6;
                steps.add(new WarmUpStep((now - start) / 1e9, classified,
                        (classified - classifiedAtStep) / (stepMillis / 1000), (jitMillis() - jitAtStep) / stepMillis));
                settled = settled(steps);
                stepStart = now;
                jitAtStep = jitMillis();
                classifiedAtStep = classified;
            }
        }
        producer.flush();
        long all = sent;
        await(what + " warm-up classified", Duration.ofMinutes(5), () -> results.results() >= all, results);
        // Frames sent all at once take other paths than frames sent as fast as the job goes (the producer's
        // batches, the source's large fetches): one backlog, not measured, compiles those too. Without it the
        // first measured backlog of each job ran with the JIT compilers taking 7 to 14 % of a core.
        sendBacklog(producer, pool, topic, seq, WARM_UP_BACKLOG);
        long withBacklog = sent + WARM_UP_BACKLOG;
        await(what + " warm-up backlog classified", Duration.ofMinutes(5), () -> results.results() >= withBacklog,
                results);
        return new WarmUp(steps, settled, withBacklog);
    }

    /** The offered load of the load job's unmeasured first phase, in per cent of the measured capacity. */
    static final int LOAD_WARM_UP_PERCENT = 50;

    /** Latency at each offered load, on one running job with the freshness limit on, after an unmeasured phase. */
    private List<Load> loads(EmbeddedKafka kafka, KafkaProducer<byte[], byte[]> producer, FramePool pool, Path model,
            double capacity) throws Exception {
        JobSettings s = jobSettings(kafka, "load", model, true, settings.jpegReducedSize());
        kafka.createTopics(settings.slots(), s.framesTopic(), s.classificationsTopic(), s.deadLettersTopic());
        LocalFlink flink = LocalFlink.create(settings.slots(), FLINK);
        FramewiseJob.build(flink.env(), s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        List<Load> loads = new ArrayList<>();
        try (ResultCollector results = new ResultCollector(kafka.bootstrapServers(), s.classificationsTopic(),
                s.deadLettersTopic(), false)) {
            JobClient job = flink.env().executeAsync(s.jobName());
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            FlinkRestMetrics metrics = new FlinkRestMetrics(flink.webUi(), job.getJobID().toString());
            long[] sequences = new long[pool.cameras().size()];
            // A job's first seconds are not what a running job sees: its sessions' first runs, the source's fetch
            // sessions, the metric fetcher's first queries, the JIT compiling the paced paths. The measured loads
            // start after a phase like them, unmeasured.
            Duration warm = settings.loadPhase().dividedBy(2);
            progress.accept(String.format(Locale.ROOT, "load job: warming up at %d%% for %d s, not measured",
                    LOAD_WARM_UP_PERCENT, warm.toSeconds()));
            long sentTotal = paced(producer, pool, s.framesTopic(), sequences, capacity * LOAD_WARM_UP_PERCENT / 100.0,
                    warm, sentSoFar -> metrics.framesDropped()); // the samples' work, the samples thrown away
            long warmSent = sentTotal;
            await("load job warm-up drained", Duration.ofMinutes(3), () -> results.results() + results.deadLetters()
                    + metrics.framesDropped().orElse(0) >= warmSent, results);
            for (int pct : settings.loadPercents()) {
                double rate = capacity * pct / 100.0;
                progress.accept(String.format(Locale.ROOT, "load %d%%: %.1f frames/s for %d s", pct, rate,
                        settings.loadPhase().toSeconds()));
                int resultsBefore = results.results();
                long deadBefore = results.deadLetters();
                long droppedBefore = dropped(metrics);
                CpuShares.Snapshot cpu0 = CpuShares.take();
                long t0 = cpu0.wallNanos();
                List<LagSample> lag = new ArrayList<>();
                long sent = paced(producer, pool, s.framesTopic(), sequences, rate, settings.loadPhase(), sentSoFar -> {
                    // A drop count that cannot be read leaves the sample out: counted as 0 it would be a spike.
                    metrics.framesDropped().ifPresent(d -> lag.add(new LagSample((System.nanoTime() - t0) / 1e9,
                            sentSoFar - (results.results() - resultsBefore) - (results.deadLetters() - deadBefore)
                                    - (d - droppedBefore))));
                });
                CpuShares.Snapshot cpu1 = CpuShares.take();
                double phaseSeconds = (cpu1.wallNanos() - t0) / 1e9;
                Map<CpuShares.Part, Double> cpu = CpuShares.between(cpu0, cpu1,
                        Runtime.getRuntime().availableProcessors());
                double gc = (cpu1.gcMillis() - cpu0.gcMillis()) / (phaseSeconds * 1000);
                double jit = (cpu1.jitMillis() - cpu0.jitMillis()) / (phaseSeconds * 1000);
                sentTotal += sent;
                long expected = sentTotal;
                await("load " + pct + "% drained", Duration.ofMinutes(3), () -> results.results()
                        + results.deadLetters() + metrics.framesDropped().orElse(0) >= expected, results);
                List<Sample> phase = results.since(resultsBefore);
                long dropped = dropped(metrics) - droppedBefore;
                long[] e2e = phase.stream().mapToLong(Sample::endToEndMicros).sorted().toArray();
                Breakdown slowest = slowest(phase, pct(e2e, 99));
                loads.add(new Load(pct, rate, sent, phase.size(), results.deadLetters() - deadBefore, dropped,
                        phase.size() / phaseSeconds, pct(e2e, 50), pct(e2e, 90), pct(e2e, 99), pct(e2e, 100), gc, jit,
                        lag, slowest, cpu));
                progress.accept(String.format(Locale.ROOT, "load %d%%: p50 %.1f ms, p99 %.1f ms, %d dropped; %s; JIT"
                        + " %.1f %% of a core", pct, pct(e2e, 50), pct(e2e, 99), dropped, slowest, 100 * jit));
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

    /** The frames the job dropped so far, read again until a read succeeds: the counts must be exact. */
    private static long dropped(FlinkRestMetrics metrics) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            OptionalLong d = metrics.framesDropped();
            if (d.isPresent()) {
                return d.getAsLong();
            }
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("could not read the job's framesDropped metric from Flink's REST API"
                        + " for 30 s: the load's frames cannot be accounted for");
            }
            Thread.sleep(200);
        }
    }

    /** Sends {@code n} frames round-robin over the cameras as fast as Kafka takes them. */
    private static void sendBacklog(KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, long[] seq,
            int n) {
        for (int i = 0; i < n; i++) {
            int c = i % seq.length;
            send(producer, pool, topic, c, seq[c]++);
        }
        producer.flush();
    }

    /** How often the consumer lag is sampled during an offered load. */
    static final Duration LAG_SAMPLE = Duration.ofMillis(500);

    /** Sends at {@code rate} frames/s for {@code duration}, sampling the lag every {@link #LAG_SAMPLE}; the count. */
    private static long paced(KafkaProducer<byte[], byte[]> producer, FramePool pool, String topic, long[] seq,
            double rate, Duration duration, java.util.function.LongConsumer sampleLag) {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        double interval = 1e9 / rate;
        long sent = 0;
        long nextSample = start + LAG_SAMPLE.toNanos();
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
                nextSample += LAG_SAMPLE.toNanos();
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

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /**
     * Waits until this JVM has used under 5 % of the machine for two half-second windows in a row (the job before
     * shutting down, the broker's housekeeping, the JIT compilers), at most 15 s: raw figures taken while it does
     * something else read low.
     */
    static void awaitQuiet() throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long cpu = processCpuNanos();
        long t = System.nanoTime();
        for (int quiet = 0; quiet < 2 && System.nanoTime() < deadline; ) {
            Thread.sleep(500);
            long cpuNow = processCpuNanos();
            long tNow = System.nanoTime();
            quiet = (cpuNow - cpu) / (double) (tNow - t) / cores < 0.05 ? quiet + 1 : 0;
            cpu = cpuNow;
            t = tNow;
        }
    }

    /** The JIT compilers' total time so far; 0 where the JVM does not tell. */
    static long jitMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
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
