package dev.framewise.deploy;

import dev.framewise.model.ModelBuilder;
import dev.framewise.model.ModelInfo;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.operators.classify.ClassifierSettings;
import dev.framewise.operators.classify.DecodeH264Upstream;
import dev.framewise.operators.classify.FreshnessPolicy;
import dev.framewise.operators.classify.ModelSource;
import dev.framewise.operators.classify.OnnxFrameClassifier;
import dev.framewise.operators.frames.FrameEnvelope;
import dev.framewise.operators.frames.ParseFrames;
import dev.framewise.operators.frames.RawFrameRecord;
import dev.framewise.operators.inference.BatchInferenceOperator;
import dev.framewise.operators.inference.BatchSettings;
import dev.framewise.schemas.FrameClassification;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.metrics.MetricRegistryImpl;
import org.apache.flink.runtime.metrics.MetricRegistryTestUtils;
import org.apache.flink.runtime.metrics.ReporterSetup;
import org.apache.flink.runtime.metrics.filter.ReporterFilter;
import org.apache.flink.runtime.metrics.groups.InternalSourceReaderMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerJobMetricGroup;
import org.apache.flink.runtime.metrics.groups.JobManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerJobMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

/**
 * The job's operators opened on a real Flink metric registry with Flink's real Prometheus reporter,
 * and what that reporter then serves over HTTP: the metric names a Prometheus scraping the cluster
 * sees, without a cluster. Also registered: the Flink metrics the dashboard reads besides the job's
 * own (the Kafka source's pendingRecords, the JobManager's restarts and checkpoint statistics).
 */
final class JobMetrics implements AutoCloseable {
    /**
     * The job's operators, each in a task named like the operator (FramewiseJob names them parse,
     * classify and decode-h264), and a do-nothing operator that shows which metrics are Flink's own.
     */
    static final List<String> JOB_TASKS = List.of("parse", "classify", "decode-h264");
    static final String BASELINE_TASK = "baseline";

    /** One exported sample: its name (with _count for summaries) and labels. */
    record Sample(String name, Map<String, String> labels) {
    }

    private final MetricRegistryImpl registry;
    private final int port;
    private final List<OneInputStreamOperatorTestHarness<?, ?>> harnesses = new ArrayList<>();
    private final TaskManagerMetricGroup taskManager;
    private final JobManagerMetricGroup jobManager;

    JobMetrics(Path dir) throws Exception {
        port = freePort();
        // Flink hands a reporter factory the reporter's settings as a MetricConfig.
        MetricConfig config = new MetricConfig();
        config.setProperty("port", String.valueOf(port));
        MetricReporter reporter = new PrometheusReporterFactory().createMetricReporter(config);
        reporter.open(config);
        registry = new MetricRegistryImpl(MetricRegistryTestUtils.defaultMetricRegistryConfiguration(),
                List.of(new ReporterSetup("prom", config, reporter, ReporterFilter.getNoOpFilter(), Map.of())));

        JobID jobId = new JobID();
        taskManager = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate());
        TaskManagerJobMetricGroup job = taskManager.addJob(jobId, "framewise");

        // A tiny model with Framewise metadata: the classifier opens a real ONNX Runtime session on it.
        Path model = dir.resolve("tiny.onnx");
        MobileNetV2 arch = MobileNetV2.custom("tiny", 0.25, 10);
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 1)), model);
        long maxPixels = 7680L * 4320;

        open(job, "parse", new ProcessOperator<RawFrameRecord, FrameEnvelope>(new ParseFrames()));
        open(job, "classify", new BatchInferenceOperator<FrameEnvelope, FrameClassification>(
                new OnnxFrameClassifier(new ClassifierSettings(ModelSource.local(model), 5, maxPixels, false, 1, 64,
                        FreshnessPolicy.off())), new BatchSettings(8, Duration.ofMillis(20), Duration.ofMillis(1))));
        open(job, "decode-h264", new ProcessOperator<FrameEnvelope, FrameEnvelope>(new DecodeH264Upstream(
                ModelInfo.read(model).frameworkMetadata().preprocessing(), maxPixels, 64)));
        open(job, BASELINE_TASK, new ProcessOperator<String, String>(new Noop()));

        // The Kafka source sets the FLIP-33 pendingRecords gauge on its reader group (KafkaSourceReaderMetrics).
        InternalSourceReaderMetricGroup.wrap(job.addTask(ExecutionAttemptID.randomId(), "source")
                .getOrAddOperator(new OperatorID(), "Source: frames", Map.of())).setPendingRecordsGauge(() -> 0L);

        // The JobManager's job group: restarts (as the scheduler registers them) and checkpoint statistics.
        jobManager = JobManagerMetricGroup.createJobManagerMetricGroup(registry, "localhost");
        JobManagerJobMetricGroup jmJob = jobManager.addJob(jobId, "framewise");
        jmJob.gauge(MetricNames.NUM_RESTARTS, () -> 0L);
        new DefaultCheckpointStatsTracker(10, jmJob);
    }

    private void open(TaskManagerJobMetricGroup job, String task, OneInputStreamOperator<?, ?> operator) throws Exception {
        TaskMetricGroup group = job.addTask(ExecutionAttemptID.randomId(), task);
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(group).setTaskName(task).build();
        OneInputStreamOperatorTestHarness<?, ?> harness = new OneInputStreamOperatorTestHarness<>(operator, env);
        // The operator's name, as FramewiseJob gives it (operator_name label); a cluster always has one.
        harness.getStreamConfig().setOperatorName(task);
        harnesses.add(harness);
        harness.open();
    }

    private static final class Noop extends ProcessFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            out.collect(value);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Everything the reporter serves, as Prometheus would scrape it. */
    List<Sample> scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the reporter answered " + response.statusCode());
        }
        List<Sample> samples = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0 && brace < space) {
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            samples.add(new Sample(name, labels));
        }
        return samples;
    }

    /** Sample names by the task that registered them (task_name label). */
    static Map<String, Set<String>> namesByTask(List<Sample> samples) {
        Map<String, Set<String>> out = new HashMap<>();
        for (Sample s : samples) {
            out.computeIfAbsent(s.labels().getOrDefault("task_name", ""), k -> new TreeSet<>()).add(s.name());
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        for (OneInputStreamOperatorTestHarness<?, ?> h : harnesses) {
            h.close();
        }
        taskManager.close();
        jobManager.close();
        registry.closeAsync().get();
    }
}
