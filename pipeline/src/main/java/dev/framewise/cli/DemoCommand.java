package dev.framewise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.framewise.demo.CameraFeed;
import dev.framewise.demo.ResultsTap;
import dev.framewise.demo.SyntheticCamera;
import dev.framewise.demo.SyntheticCamera.Defect;
import dev.framewise.job.ConfigSource;
import dev.framewise.job.FlinkRestMetrics;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.JobSettings;
import dev.framewise.job.LocalFlink;
import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.kafka.KafkaClients;
import dev.framewise.kafka.KafkaConnections;
import dev.framewise.results.CameraTable;
import dev.framewise.results.LatencyPercentiles;
import dev.framewise.schemas.DeadLetterReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code framewise demo}: everything on this machine, with one command. An embedded Kafka broker, a
 * local Flink cluster, the job, and a few synthetic cameras filming moving pictures (JPEG, some
 * frames broken on purpose); a live table per camera, and at the end an account of every frame.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Framewise end to end on this machine: an embedded Kafka broker, a local Flink cluster,"
                + " the job, and synthetic cameras; a live table per camera; Ctrl-C (or --seconds) stops it and"
                + " prints a summary."})
final class DemoCommand implements Callable<Integer> {
    static final String FRAMES = "frames";
    static final String CLASSIFICATIONS = "classifications";
    static final String DEAD_LETTERS = "frames-dlq";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "0",
            description = "Stop after N seconds of filming (default: run until Ctrl-C).")
    int seconds;

    @Option(names = "--cameras", paramLabel = "N", defaultValue = "3", description = "Synthetic cameras (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "5",
            description = "Frames per second per camera (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "640x480", description = "Frame size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "jpeg",
            description = "What the cameras send: jpeg pictures, or an h264 stream with a key frame every 2 s (default: ${DEFAULT-VALUE}).")
    String codec;

    @Option(names = "--broken-every", paramLabel = "N", defaultValue = "25",
            description = "Break one frame in N on purpose, cycling through the defects; 0 for none (default: ${DEFAULT-VALUE}).")
    int brokenEvery;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "2", description = "Task slots of the local Flink cluster (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--model", paramLabel = "FILE.onnx", description = "The classifier (default: EfficientFormer-L1, generated weights).")
    Path model;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the final account as JSON.")
    Path summaryJson;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any job setting, e.g. -D batch.max-size=4.")
    List<String> assignments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int[] wh = parseSize();
        if (!codec.equals("jpeg") && !codec.equals("h264")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--codec must be jpeg or h264, not '" + codec + "'");
        }
        if (cameras < 1 || fps <= 0 || slots < 1 || seconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cameras, --fps and --slots must be positive, --seconds zero or more");
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (StopSignals signals = StopSignals.install(stop::countDown)) {
            return run(out, wh, stop, signals);
        }
    }

    private int run(PrintWriter out, int[] wh, CountDownLatch stop, StopSignals signals) throws Exception {
        long started = System.nanoTime();
        out.printf(Locale.ROOT, "Framewise demo: %d camera(s) at %.1f frames/s each, %dx%d %s%s.%n", cameras, fps, wh[0],
                wh[1], codec.equals("h264") ? "H.264" : "JPEG",
                brokenEvery <= 0 ? "" : codec.equals("h264")
                        ? ", one frame in " + brokenEvery + " lost on purpose (its stream waits for the next key frame)"
                        : ", one frame in " + brokenEvery + " broken on purpose");
        out.print("starting an embedded Kafka broker ... ");
        out.flush();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(slots, FRAMES, CLASSIFICATIONS, DEAD_LETTERS);
            out.printf(Locale.ROOT, "ready at %s (%.1f s)%n", kafka.bootstrapServers(), (System.nanoTime() - started) / 1e9);
            Path modelFile = model != null ? model : ModelCache.defaultModel(out);
            ConfigSource source = new ConfigSource()
                    .set("kafka.bootstrap-servers", kafka.bootstrapServers(), "demo")
                    .set("kafka.group-id", "framewise-demo", "demo")
                    .set("kafka.starting-offsets", "earliest", "demo")
                    .set("model.path", modelFile.toString(), "--model")
                    .set("checkpoint.interval", "2 s", "demo")
                    .set("pipeline.parallelism", Integer.toString(slots), "--slots")
                    .set("pipeline.name", "framewise-demo", "demo");
            for (String a : assignments) {
                source.setAssignment(a, "-D " + a);
            }
            JobSettings settings = JobSettings.from(source);
            FramewiseJob.checkModel(settings);
            LocalFlink flink = LocalFlink.create(slots, settings.flinkProperties());
            FramewiseJob.build(flink.env(), settings, KafkaConnections.source(settings),
                    KafkaConnections.classificationsSink(settings), KafkaConnections.deadLettersSink(settings));
            JobClient job = flink.env().executeAsync(settings.jobName());
            out.printf("starting the job on a local Flink cluster with %d slots (web UI %s) ... ", slots, flink.webUi());
            out.flush();
            flink.awaitTasksRunning(job.getJobID(), Duration.ofMinutes(2));
            out.printf(Locale.ROOT, "running (%.1f s)%n", (System.nanoTime() - started) / 1e9);
            out.println(seconds > 0 ? "filming for " + seconds + " s; Ctrl-C stops earlier" : "filming until Ctrl-C");
            out.flush();

            try (ResultsTap tap = new ResultsTap(kafka.bootstrapServers(), CLASSIFICATIONS, DEAD_LETTERS)) {
                CameraFeed feed = new CameraFeed(cameras(wh), KafkaClients.producer(kafka.bootstrapServers()), FRAMES,
                        brokenEvery, codec.equals("h264") ? List.of(Defect.UNREADABLE) : List.of(Defect.values()));
                long filmingStart = System.nanoTime();
                feed.start(fps);
                LiveTable table = new LiveTable(out);
                long deadline = seconds > 0 ? filmingStart + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
                String problem = null;
                while (System.nanoTime() < deadline && !stop.await(1, TimeUnit.SECONDS)) {
                    table.show(tap.cameras(System.nanoTime()), feed.sent(), tap.accounted());
                    problem = problem(job, feed, tap);
                    if (problem != null) {
                        break;
                    }
                }
                double filmed = (System.nanoTime() - filmingStart) / 1e9;
                feed.close();
                out.printf(Locale.ROOT, "%nstopped filming after %.1f s (%s); waiting for the last frames ...%n", filmed,
                        signals.received().isDone() ? signals.received().getNow("") : problem != null ? "a failure" : "--seconds");
                out.flush();
                long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                FlinkRestMetrics metrics = new FlinkRestMetrics(flink.webUi(), job.getJobID().toString());
                while (problem == null && tap.accounted() + metrics.framesDropped().orElse(0) < feed.sent()
                        && System.nanoTime() < drainDeadline) {
                    Thread.sleep(100);
                    problem = problem(job, feed, tap);
                }
                long dropped = metrics.framesDropped().orElse(0);
                job.cancel().get(30, TimeUnit.SECONDS);
                table.show(tap.cameras(System.nanoTime()), feed.sent(), tap.accounted());
                return summarize(out, feed, tap, dropped, filmed, problem, settings);
            }
        }
    }

    /** What went wrong, if anything did: the job, the cameras or the results reader. */
    private static String problem(JobClient job, CameraFeed feed, ResultsTap tap) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState() || status == JobStatus.FAILING) {
                String cause = "";
                try {
                    job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    cause = ": " + RunCommand.rootMessage(e);
                }
                return "the job stopped (" + status + ")" + cause;
            }
        } catch (Exception e) {
            return "cannot reach the job: " + e.getMessage();
        }
        if (feed.failure() != null) {
            return "the cameras could not publish: " + feed.failure().getMessage();
        }
        if (tap.failure() != null) {
            return "cannot read the results: " + tap.failure().getMessage();
        }
        return null;
    }

    private int summarize(PrintWriter out, CameraFeed feed, ResultsTap tap, long dropped, double filmed, String problem,
            JobSettings settings) throws IOException {
        long sent = feed.sent();
        long classified = tap.classified();
        long dead = tap.deadLettered();
        long missing = sent - classified - dead - dropped;
        Optional<LatencyPercentiles.Summary> latency = tap.latency();
        out.println();
        out.printf(Locale.ROOT, "frames sent %,d = classified %,d + dead-lettered %,d%s%s%n", sent, classified, dead,
                dropped == 0 ? "" : String.format(Locale.ROOT, " + dropped (too old) %,d", dropped),
                missing == 0 ? "" : " + MISSING " + missing);
        Map<DeadLetterReason, Long> reasons = tap.deadLettersByReason();
        if (!reasons.isEmpty()) {
            List<String> parts = new ArrayList<>();
            reasons.forEach((r, n) -> parts.add(r + " " + n));
            out.println("dead letters by reason: " + String.join(", ", parts) + " (frames broken on purpose: "
                    + feed.broken().values().stream().mapToLong(Long::longValue).sum() + ")");
        }
        latency.ifPresent(l -> out.printf(Locale.ROOT, "end-to-end latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
                + " (%,d results, %.1f frames/s)%n", l.p50() / 1e3, l.p90() / 1e3, l.p99() / 1e3, l.max() / 1e3, l.count(),
                classified / Math.max(filmed, 1e-3)));
        if (problem != null) {
            out.println("problem: " + problem);
        }
        out.flush();
        if (summaryJson != null) {
            writeJson(sent, classified, dead, dropped, missing, reasons, latency, filmed, feed, tap, problem, settings);
            out.println("summary written to " + summaryJson);
        }
        return problem == null && missing == 0 ? 0 : 1;
    }

    private void writeJson(long sent, long classified, long dead, long dropped, long missing,
            Map<DeadLetterReason, Long> reasons,
            Optional<LatencyPercentiles.Summary> latency, double filmed, CameraFeed feed, ResultsTap tap, String problem,
            JobSettings settings) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("seconds", Math.round(filmed * 10) / 10.0);
        root.put("cameras", cameras);
        root.put("fps_per_camera", fps);
        root.put("model", settings.modelPath());
        root.put("frames_sent", sent);
        root.put("classified", classified);
        root.put("dead_lettered", dead);
        root.put("dropped", dropped);
        root.put("missing", missing);
        root.put("duplicates_seen", tap.duplicates());
        ObjectNode byReason = root.putObject("dead_letters_by_reason");
        reasons.forEach((r, n) -> byReason.put(r.name(), n));
        ObjectNode intended = root.putObject("broken_on_purpose");
        feed.broken().forEach((d, n) -> intended.put(d.reason().name(), intended.path(d.reason().name()).asLong() + n));
        ObjectNode lat = root.putObject("latency_ms");
        latency.ifPresent(l -> {
            lat.put("p50", l.p50() / 1e3);
            lat.put("p90", l.p90() / 1e3);
            lat.put("p99", l.p99() / 1e3);
            lat.put("max", l.max() / 1e3);
        });
        root.put("complete", problem == null && missing == 0);
        if (problem != null) {
            root.put("problem", problem);
        }
        if (summaryJson.toAbsolutePath().getParent() != null) {
            Files.createDirectories(summaryJson.toAbsolutePath().getParent());
        }
        Files.writeString(summaryJson, mapper.writeValueAsString(root) + "\n");
    }

    private List<SyntheticCamera> cameras(int[] wh) {
        List<SyntheticCamera> list = new ArrayList<>();
        String[] names = {"lobby", "parking", "dock", "gate", "hall", "yard", "roof", "store"};
        for (int i = 0; i < cameras; i++) {
            String name = i < names.length ? names[i] : "camera-" + i;
            list.add(new SyntheticCamera(name, wh[0], wh[1], 85,
                    codec.equals("h264") ? Math.max(1, (int) Math.round(2 * fps)) : 0));
        }
        return list;
    }

    private int[] parseSize() {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(parts[0]);
            int h = Integer.parseInt(parts[1]);
            if (parts.length == 2 && w >= 16 && h >= 16 && w <= 7680 && h <= 4320 && w % 2 == 0 && h % 2 == 0) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--size must be WIDTHxHEIGHT, even numbers from 16x16 to 7680x4320, e.g. 640x480");
    }

    /** The per-camera table, redrawn in place on a terminal, printed every few seconds otherwise. */
    private static final class LiveTable {
        private final PrintWriter out;
        private final boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        private int lines;
        private long lastPrinted;

        LiveTable(PrintWriter out) {
            this.out = out;
        }

        void show(List<dev.framewise.results.CameraStats.Row> rows, long sent, long accounted) {
            long now = System.nanoTime();
            if (!terminal && now - lastPrinted < TimeUnit.SECONDS.toNanos(5)) {
                return;
            }
            lastPrinted = now;
            String text = CameraTable.render(rows) + String.format(Locale.ROOT, "frames sent %,d, back %,d%n", sent, accounted);
            if (terminal && lines > 0) {
                out.print("\033[" + lines + "F\033[J");
            }
            out.print(text);
            out.flush();
            lines = (int) text.lines().count();
        }
    }
}
