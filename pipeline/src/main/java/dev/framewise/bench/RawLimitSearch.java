package dev.framewise.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.weights.GeneratedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The limit of raw ONNX Runtime on this machine for one architecture: the aggregate throughput of
 * S sessions running at once (each on its own Java thread, as task slots run them) with T intra-op
 * threads each at batch size B, searched over a grid with S x T no more than the cores. Every
 * configuration runs in short slices, round after round in rotating order, so that whatever else
 * the machine does falls on all of them alike.
 *
 * <p>Then, at the best (S, T, B), each {@link SessionVariant} is measured against the job's own
 * options, side by side: each repetition runs the variant and the job's options back to back, at
 * the best batch size (throughput) and at batch 1 (latency, all S sessions busy).
 */
public final class RawLimitSearch {

    /** A variant counts as a clear gain only when it is at least this much better in every repetition. */
    static final double CLEAR_GAIN = 0.03;

    /**
     * @param sessions the S values tried; with {@code threads}, only pairs with S x T no more than
     *     {@code cores} run
     * @param threads the T values tried
     * @param cores the core budget (the job's: all the TaskManager's cores)
     * @param sliceSeconds how long each configuration runs per round
     * @param rounds rounds over the whole grid
     * @param repetitions rounds of the variant comparison
     */
    public record Settings(Architecture arch, List<Integer> sessions, List<Integer> threads, List<Integer> batches,
            int cores, double sliceSeconds, int rounds, Set<SessionVariant> variants, int repetitions) {
        public Settings {
            sessions = List.copyOf(sessions);
            threads = List.copyOf(threads);
            batches = List.copyOf(batches);
            variants = Set.copyOf(variants);
            if (sessions.stream().anyMatch(s -> s < 1) || threads.stream().anyMatch(t -> t < 1)
                    || batches.stream().anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("sessions, threads and batch sizes must be at least 1");
            }
            if (cores < 1 || rounds < 1 || repetitions < 1 || !(sliceSeconds > 0)) {
                throw new IllegalArgumentException("cores, rounds and repetitions must be at least 1, slices positive");
            }
            if (grid(sessions, threads, cores).isEmpty() || batches.isEmpty()) {
                throw new IllegalArgumentException("no configuration has sessions x threads <= " + cores + " cores");
            }
        }

        /**
         * S and T in {1, 2, 4, ...} up to the cores, B in {1, 4, 8, 16}, 2 s slices, 4 rounds, every
         * variant in 3 repetitions; {@code quick}: B in {1, 8}, 0.5 s slices, 2 rounds.
         */
        public static Settings defaults(Architecture arch, int cores, boolean quick) {
            List<Integer> counts = new ArrayList<>();
            for (int n = 1; n <= cores; n *= 2) {
                counts.add(n);
            }
            return new Settings(arch, counts, counts, quick ? List.of(1, 8) : List.of(1, 4, 8, 16), cores,
                    quick ? 0.5 : 2.0, quick ? 2 : 4, EnumSet.allOf(SessionVariant.class), 3);
        }

        /** The (S, T) pairs that fit the cores, in the order given. */
        List<int[]> pairs() {
            return grid(sessions, threads, cores);
        }

        private static List<int[]> grid(List<Integer> sessions, List<Integer> threads, int cores) {
            List<int[]> out = new ArrayList<>();
            for (int s : sessions) {
                for (int t : threads) {
                    if (s * t <= cores) {
                        out.add(new int[] {s, t});
                    }
                }
            }
            return out;
        }
    }

    /**
     * One configuration's figures.
     *
     * @param framesPerSecond all sessions together
     * @param p50Ms latency of one batch in one session, median
     * @param batchesRun batches measured, all sessions together
     */
    public record Config(int sessions, int threads, int batch, double framesPerSecond, double p50Ms, double p90Ms,
            double gflopsPerSecond, int batchesRun) {
    }

    /** One repetition of a variant against the job's options, each run just before or after the other. */
    public record Trial(double jobFramesPerSecond, double variantFramesPerSecond, double jobBatch1P50Ms,
            double variantBatch1P50Ms) {
        /** Above 1: the variant has the higher throughput. */
        public double throughputRatio() {
            return variantFramesPerSecond / jobFramesPerSecond;
        }

        /** Below 1: the variant has the lower batch-1 latency. */
        public double latencyRatio() {
            return variantBatch1P50Ms / jobBatch1P50Ms;
        }

        /** At least 3 % better in one figure and no more than 3 % worse in the other. */
        boolean clearGain() {
            return throughputRatio() >= 1 + CLEAR_GAIN && latencyRatio() <= 1 + CLEAR_GAIN
                    || latencyRatio() <= 1 - CLEAR_GAIN && throughputRatio() >= 1 - CLEAR_GAIN;
        }
    }

    /** A variant's trials, or why it could not run. */
    public record VariantResult(SessionVariant variant, List<Trial> trials, Optional<String> unavailable) {
        public VariantResult {
            trials = List.copyOf(trials);
        }

        /** A clear gain in every repetition: worth setting in the job. */
        public boolean clearlyHelps() {
            return !trials.isEmpty() && trials.stream().allMatch(Trial::clearGain);
        }

        /**
         * The median over the repetitions: a slice that something else on the machine slowed down
         * moves one repetition's ratio a long way, and the median past it.
         */
        public double medianThroughputRatio() {
            return median(trials.stream().mapToDouble(Trial::throughputRatio).toArray());
        }

        public double medianLatencyRatio() {
            return median(trials.stream().mapToDouble(Trial::latencyRatio).toArray());
        }
    }

    /** The median of the figures that are not NaN (the mean of the middle two of an even count); NaN if none. */
    static double median(double[] values) {
        double[] sorted = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * @param configs every configuration of the grid, in grid order
     * @param best the one with the highest throughput: the limit
     * @param variants the option variants at the best (S, T), in {@link SessionVariant} order
     */
    public record Result(List<Config> configs, Config best, List<VariantResult> variants, String arch,
            MachinePeak peak, Map<String, String> machine) {
        public Result {
            configs = List.copyOf(configs);
            variants = List.copyOf(variants);
            machine = Map.copyOf(machine);
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public RawLimitSearch(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Builds the model with generated weights into {@code workDir} and measures it. */
    public Result run(Path workDir) throws IOException, OrtException {
        Architecture arch = settings.arch();
        Path model = workDir.resolve(arch.id() + ".onnx");
        progress.accept("building " + arch.id() + " (generated weights)");
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 42)), model);
        String loadBefore = loadAverage();
        Environment environment = environment(settings.cores());
        List<Config> configs = searchGrid(environment.env(), model);
        Config best = configs.stream().max(Comparator.comparingDouble(Config::framesPerSecond)).orElseThrow();
        progress.accept(String.format(Locale.ROOT, "best: %d session(s) x %d thread(s), batch %d: %.1f frames/s",
                best.sessions(), best.threads(), best.batch(), best.framesPerSecond()));
        List<VariantResult> variants = compareVariants(environment, model, best);
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cpu", MachinePeak.cpuModel());
        machine.put("cores", Integer.toString(settings.cores()));
        machine.put("onnxruntime", environment.env().getVersion());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        // Other work on the machine skews every figure; the load around the run says whether there was any.
        machine.put("load average before", loadBefore);
        machine.put("load average after", loadAverage());
        return new Result(configs, best, variants, arch.id(), MachinePeak.detect(), machine);
    }

    private List<Config> searchGrid(OrtEnvironment env, Path model) throws OrtException {
        List<SessionGroup> groups = new ArrayList<>();
        try {
            List<Slot> slots = new ArrayList<>();
            for (int[] pair : settings.pairs()) {
                progress.accept("loading " + pair[0] + " session(s) x " + pair[1] + " thread(s)");
                SessionGroup g = new SessionGroup(env, model, pair[0], pair[1], SessionVariant.JOB);
                groups.add(g);
                for (int b : settings.batches()) {
                    slots.add(new Slot(g, b));
                }
            }
            progress.accept("warming up " + slots.size() + " configurations");
            for (Slot s : slots) {
                s.group.run(new Tally(s.group.sessions(), s.batch), 0);
            }
            for (int r = 0; r < settings.rounds(); r++) {
                progress.accept("round " + (r + 1) + " of " + settings.rounds());
                for (int i = 0; i < slots.size(); i++) {
                    Slot s = slots.get((i + r) % slots.size()); // rotated: no slot always follows the same one
                    s.group.run(s.tally, settings.sliceSeconds());
                }
            }
            List<Config> out = new ArrayList<>();
            for (Slot s : slots) {
                out.add(config(s.group, s.tally));
            }
            return out;
        } finally {
            closeAll(groups);
        }
    }

    private Config config(SessionGroup g, Tally t) {
        double fps = t.framesPerSecond();
        return new Config(g.sessions(), g.threads(), t.batch(), fps, t.latencyMs(50), t.latencyMs(90),
                2.0 * settings.arch().macs() * fps / 1e9, t.batches());
    }

    private List<VariantResult> compareVariants(Environment environment, Path model, Config best) throws OrtException {
        List<VariantResult> out = new ArrayList<>();
        List<SessionGroup> groups = new ArrayList<>();
        try {
            SessionGroup job = new SessionGroup(environment.env(), model, best.sessions(), best.threads(), SessionVariant.JOB);
            groups.add(job);
            List<SessionGroup> contenders = new ArrayList<>();
            Map<SessionVariant, List<Trial>> trials = new LinkedHashMap<>();
            for (SessionVariant v : SessionVariant.values()) {
                if (v == SessionVariant.JOB || !settings.variants().contains(v)) {
                    continue;
                }
                Optional<String> why = v.unavailable(best.threads(), environment.globalPool());
                if (why.isPresent()) {
                    out.add(new VariantResult(v, List.of(), why));
                    continue;
                }
                progress.accept("loading variant " + v.name());
                SessionGroup g = new SessionGroup(environment.env(), model, best.sessions(), best.threads(), v);
                groups.add(g);
                contenders.add(g);
                trials.put(v, new ArrayList<>());
            }
            List<Integer> batches = best.batch() == 1 ? List.of(1) : List.of(best.batch(), 1);
            for (SessionGroup g : groups) {
                for (int b : batches) {
                    g.run(new Tally(g.sessions(), b), 0);
                }
            }
            for (int r = 0; r < settings.repetitions(); r++) {
                progress.accept("variants, repetition " + (r + 1) + " of " + settings.repetitions());
                for (int i = 0; i < contenders.size(); i++) {
                    SessionGroup v = contenders.get((i + r) % contenders.size());
                    // Who goes first alternates, so neither side always inherits a warm or a busy machine.
                    boolean jobFirst = (r + v.variant().ordinal()) % 2 == 0;
                    trials.get(v.variant()).add(trial(job, v, batches, jobFirst));
                }
            }
            for (Map.Entry<SessionVariant, List<Trial>> e : trials.entrySet()) {
                out.add(new VariantResult(e.getKey(), e.getValue(), Optional.empty()));
            }
            out.sort(Comparator.comparing(VariantResult::variant));
            return out;
        } finally {
            closeAll(groups);
        }
    }

    /** The job's options and a variant back to back at each batch size; batch 1 is the last one. */
    private Trial trial(SessionGroup job, SessionGroup variant, List<Integer> batches, boolean jobFirst)
            throws OrtException {
        Tally[] j = new Tally[batches.size()];
        Tally[] v = new Tally[batches.size()];
        for (int k = 0; k < batches.size(); k++) {
            j[k] = new Tally(job.sessions(), batches.get(k));
            v[k] = new Tally(variant.sessions(), batches.get(k));
            if (jobFirst) {
                job.run(j[k], settings.sliceSeconds());
            }
            variant.run(v[k], settings.sliceSeconds());
            if (!jobFirst) {
                job.run(j[k], settings.sliceSeconds());
            }
        }
        int one = batches.size() - 1;
        return new Trial(j[0].framesPerSecond(), v[0].framesPerSecond(), j[one].latencyMs(50), v[one].latencyMs(50));
    }

    private static void closeAll(List<SessionGroup> groups) throws OrtException {
        OrtException failed = null;
        for (SessionGroup g : groups) {
            try {
                g.close();
            } catch (OrtException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** ONNX Runtime's environment, and whether it has the global thread pool the shared-pool variant needs. */
    record Environment(OrtEnvironment env, boolean globalPool) {
    }

    /**
     * The environment is one per JVM and takes its global thread pool only when it is created:
     * creates it with a pool of {@code cores} intra-op threads if nothing in this JVM has used ONNX
     * Runtime yet; otherwise returns the existing one, without a pool. Sessions that keep their
     * own threads (all but the shared-pool variant) ignore the global pool.
     */
    static Environment environment(int cores) throws OrtException {
        try (OrtEnvironment.ThreadingOptions pool = new OrtEnvironment.ThreadingOptions()) {
            pool.setGlobalIntraOpNumThreads(cores);
            pool.setGlobalInterOpNumThreads(1);
            return new Environment(OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                    OrtEnvironment.DEFAULT_NAME, pool), true);
        } catch (IllegalStateException alreadyCreated) {
            return new Environment(OrtEnvironment.getEnvironment(), false);
        }
    }

    /** The 1-minute load average from /proc/loadavg, or "unknown". */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown"; // not Linux
        }
    }

    /** A configuration of the grid while it is measured. */
    private static final class Slot {
        final SessionGroup group;
        final int batch;
        final Tally tally;

        Slot(SessionGroup group, int batch) {
            this.group = group;
            this.batch = batch;
            this.tally = new Tally(group.sessions(), batch);
        }
    }
}
