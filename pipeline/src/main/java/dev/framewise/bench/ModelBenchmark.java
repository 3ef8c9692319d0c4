package dev.framewise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.weights.GeneratedWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Raw ONNX Runtime speed of the built models, measured side by side: every (architecture, batch)
 * pair runs in short slices, round after round, so that whatever else the machine does falls on
 * all of them alike. Reports per pair the latency of one batch (p50, p90) and the throughput.
 */
public final class ModelBenchmark {

    /**
     * @param threads intra-op threads of each session, the budget the job gives one slot
     * @param sliceSeconds how long each pair runs per round
     */
    public record Settings(List<Architecture> archs, int[] batches, int threads, double sliceSeconds, int rounds) {
        public Settings {
            archs = List.copyOf(archs);
            batches = batches.clone();
            if (archs.isEmpty() || batches.length == 0 || threads < 1 || rounds < 1 || !(sliceSeconds > 0)) {
                throw new IllegalArgumentException("benchmark needs architectures, batch sizes, threads >= 1, rounds >= 1");
            }
        }
    }

    /** One (architecture, batch) pair's figures. */
    public record Measurement(String arch, int batch, int iterations, double p50Ms, double p90Ms, double framesPerSecond,
            double gflopsPerSecond) {
    }

    public record Result(Settings settings, List<Measurement> measurements, Map<String, String> machine) {
        public Measurement find(String arch, int batch) {
            return measurements.stream().filter(m -> m.arch().equals(arch) && m.batch() == batch).findFirst()
                    .orElseThrow();
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public ModelBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run(Path workDir) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Pair> pairs = new ArrayList<>();
        List<OrtSession> sessions = new ArrayList<>();
        try {
            for (Architecture arch : settings.archs()) {
                Path file = workDir.resolve(arch.id() + ".onnx");
                progress.accept("building " + arch.id() + " (generated weights)");
                ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 42)), file);
                OrtSession session = env.createSession(file.toString(), sessionOptions());
                sessions.add(session);
                for (int batch : settings.batches()) {
                    pairs.add(new Pair(arch, batch, session, input(env, batch)));
                }
            }
            progress.accept("warming up");
            for (Pair p : pairs) {
                for (int i = 0; i < 2; i++) {
                    p.runOnce();
                }
                p.latenciesNs.clear();
            }
            for (int r = 0; r < settings.rounds(); r++) {
                progress.accept("round " + (r + 1) + " of " + settings.rounds());
                // Rotate the order so no pair always follows the same one.
                for (int i = 0; i < pairs.size(); i++) {
                    Pair p = pairs.get((i + r) % pairs.size());
                    long end = System.nanoTime() + (long) (settings.sliceSeconds() * 1e9);
                    int n = 0;
                    while (n < 2 || System.nanoTime() < end) {
                        p.runOnce();
                        n++;
                    }
                }
            }
            List<Measurement> out = new ArrayList<>();
            for (Pair p : pairs) {
                out.add(p.measurement());
            }
            return new Result(settings, out, machine(env));
        } finally {
            for (Pair p : pairs) {
                p.input.close();
            }
            for (OrtSession s : sessions) {
                s.close();
            }
        }
    }

    private OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(settings.threads());
        opts.setInterOpNumThreads(1);
        opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return opts;
    }

    /** A batch of noise images in a direct buffer, which ONNX Runtime reads without a copy. */
    private static OnnxTensor input(OrtEnvironment env, int batch) throws OrtException {
        return OnnxTensor.createTensor(env, noise(batch * 3 * 224 * 224, batch), new long[] {batch, 3, 224, 224});
    }

    /** {@code floats} Gaussian values in a direct buffer in native order, which ONNX Runtime reads in place. */
    static FloatBuffer noise(int floats, long seed) {
        FloatBuffer buf = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < floats; i++) {
            buf.put((float) r.nextGaussian());
        }
        return buf.flip();
    }

    private static Map<String, String> machine(OrtEnvironment env) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("onnxruntime", env.getVersion());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: say so below
        }
        return "unknown";
    }

    private static final class Pair {
        final Architecture arch;
        final int batch;
        final OrtSession session;
        final OnnxTensor input;
        final String inputName;
        final List<Long> latenciesNs = new ArrayList<>();

        Pair(Architecture arch, int batch, OrtSession session, OnnxTensor input) {
            this.arch = arch;
            this.batch = batch;
            this.session = session;
            this.input = input;
            this.inputName = session.getInputNames().iterator().next();
        }

        void runOnce() throws OrtException {
            long t0 = System.nanoTime();
            session.run(Map.of(inputName, input)).close(); // closing frees the outputs: part of the cost
            latenciesNs.add(System.nanoTime() - t0);
        }

        Measurement measurement() {
            long[] sorted = latenciesNs.stream().mapToLong(Long::longValue).sorted().toArray();
            double totalS = Arrays.stream(sorted).sum() / 1e9;
            double fps = batch * sorted.length / totalS;
            return new Measurement(arch.id(), batch, sorted.length, percentile(sorted, 50) / 1e6,
                    percentile(sorted, 90) / 1e6, fps, 2.0 * arch.macs() * fps / 1e9);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double pct) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
