package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/grafana/framewise-dashboard.json against the metrics the job really exports: its operators
 * are opened on Flink's metric registry with Flink's Prometheus reporter (JobMetrics), and every
 * metric, label and quantile a query names must be among what that reporter serves. And every metric
 * the job's operators register must be on the dashboard.
 */
class DashboardTest {
    @TempDir
    static Path dir;

    private static JobMetrics metrics;
    private static List<JobMetrics.Sample> samples;
    private static final JsonNode DASHBOARD = read();

    private static JsonNode read() {
        try {
            return Assets.JSON.readTree(Assets.dashboard().toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void registerTheJobsMetrics() throws Exception {
        metrics = new JobMetrics(dir);
        samples = metrics.scrape();
    }

    @AfterAll
    static void close() throws Exception {
        if (metrics != null) {
            metrics.close();
        }
    }

    record Query(String where, String expr) {
    }

    private static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        collect(DASHBOARD.path("panels"), out);
        for (JsonNode variable : DASHBOARD.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode q = variable.path("query");
                out.add(new Query("variable " + variable.path("name").asText(), q.isObject() ? q.path("query").asText() : q.asText()));
            }
        }
        return out;
    }

    private static void collect(JsonNode panels, List<Query> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query("panel '" + panel.path("title").asText() + "'", target.path("expr").asText()));
            }
            collect(panel.path("panels"), out);
        }
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_:]+");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*[a-zA-Z_:][\\w:]*\\s*,\\s*(\\w+)\\s*\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__interval", "__range");

    private static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(STRING.matcher(expr).replaceAll("\"\""));
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Set<String> exported() {
        return samples.stream().map(JobMetrics.Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<JobMetrics.Sample> samplesOf(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static Set<String> referenced() {
        Set<String> names = new TreeSet<>();
        queries().forEach(q -> names.addAll(metricNames(q.expr())));
        return names;
    }

    @Test
    void theReporterServesTheJobsMetricsInPrometheusForm() {
        // Flink's naming: scope components joined by '_', operator metrics under
        // flink_taskmanager_job_task_operator_<name>, sub-groups as further components, histograms as
        // summaries with quantile labels and a _count.
        String p = "flink_taskmanager_job_task_operator_";
        assertTrue(exported().containsAll(List.of(p + "framesClassified", p + "recordsIn", p + "deadLetters_CORRUPT_IMAGE",
                p + "dropped_stale", p + "endToEndLatencyMs", p + "endToEndLatencyMs_count", p + "h264Decoders")), exported().toString());
        Set<String> quantiles = samplesOf(p + "endToEndLatencyMs").stream().map(s -> s.labels().get("quantile"))
                .collect(Collectors.toSet());
        assertTrue(quantiles.containsAll(List.of("0.5", "0.95", "0.99")), "quantiles " + quantiles);
        assertTrue(samplesOf(p + "framesClassified").get(0).labels().keySet()
                .containsAll(List.of("job_name", "task_name", "operator_name", "subtask_index")));
    }

    @Test
    void everyQueryNamesOnlyExportedMetrics() {
        Set<String> exported = exported();
        List<Query> queries = queries();
        assertTrue(queries.size() > 20);
        for (Query q : queries) {
            Set<String> names = metricNames(q.expr());
            assertFalse(names.isEmpty(), q.where() + ": no Flink metric in " + q.expr());
            for (String name : names) {
                assertTrue(exported.contains(name), q.where() + ": " + name + " is not exported by the job or Flink");
            }
        }
    }

    @Test
    void everyLabelAndQuantileAQueryUsesExists() {
        for (Query q : queries()) {
            Set<String> names = metricNames(q.expr());
            Set<String> labels = new HashSet<>();
            names.forEach(n -> samplesOf(n).forEach(s -> labels.addAll(s.labels().keySet())));
            List<String> used = new ArrayList<>();
            Matcher m = MATCHER.matcher(q.expr());
            while (m.find()) {
                used.add(m.group(1));
                if (m.group(1).equals("quantile")) {
                    String quantile = m.group(3);
                    for (String name : names) {
                        assertTrue(samplesOf(name).stream().anyMatch(s -> quantile.equals(s.labels().get("quantile"))),
                                q.where() + ": " + name + " has no quantile " + quantile);
                    }
                }
            }
            Matcher g = GROUPING.matcher(q.expr());
            while (g.find()) {
                for (String label : g.group(1).split(",")) {
                    used.add(label.trim());
                }
            }
            Matcher lv = LABEL_VALUES.matcher(q.expr());
            while (lv.find()) {
                used.add(lv.group(1));
            }
            for (String label : used) {
                assertTrue(labels.contains(label), q.where() + ": label " + label + " is not on " + names);
            }
        }
    }

    @Test
    void everyVariableIsDefined() {
        Set<String> defined = new HashSet<>(GRAFANA_VARIABLES);
        DASHBOARD.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
        for (Query q : queries()) {
            Matcher m = VARIABLE.matcher(q.expr());
            while (m.find()) {
                assertTrue(defined.contains(m.group(1)), q.where() + ": $" + m.group(1) + " is not defined");
            }
        }
        List<String> sources = new ArrayList<>();
        collectDatasources(DASHBOARD.path("panels"), sources);
        assertFalse(sources.isEmpty());
        sources.forEach(uid -> assertEquals("${datasource}", uid, "panels use the dashboard's data source variable"));
    }

    private static void collectDatasources(JsonNode panels, List<String> out) {
        for (JsonNode panel : panels) {
            if (!panel.path("type").asText().equals("row")) {
                out.add(panel.path("datasource").path("uid").asText());
            }
            collectDatasources(panel.path("panels"), out);
        }
    }

    @Test
    void everyMetricTheJobRegistersIsOnTheDashboard() {
        Map<String, Set<String>> byTask = JobMetrics.namesByTask(samples);
        Set<String> flinksOwn = byTask.get(JobMetrics.BASELINE_TASK);
        assertFalse(flinksOwn == null || flinksOwn.isEmpty(), "the do-nothing operator shows Flink's own metrics");
        Set<String> jobs = new TreeSet<>();
        JobMetrics.JOB_TASKS.forEach(t -> jobs.addAll(byTask.getOrDefault(t, Set.of())));
        jobs.removeAll(flinksOwn);
        assertTrue(jobs.size() > 15, "the job's own metrics: " + jobs);
        Set<String> referenced = referenced();
        Set<String> missing = new TreeSet<>();
        for (String name : jobs) {
            // A summary counts once: its quantiles or its _count.
            String family = name.endsWith("_count") && jobs.contains(name.substring(0, name.length() - 6))
                    ? name.substring(0, name.length() - 6) : name;
            boolean shown = referenced.contains(family) || referenced.contains(family + "_count");
            // UNKNOWN is the reason readers give a reason they do not know; the job never emits it.
            if (!shown && !family.endsWith("_deadLetters_" + DeadLetterReason.UNKNOWN.name())) {
                missing.add(family);
            }
        }
        assertEquals(Set.of(), missing, "metrics the job registers but the dashboard does not show");
    }

    @Test
    void showsKafkaConsumerLagAndTheJobsHealth() {
        Set<String> referenced = referenced();
        assertTrue(referenced.contains("flink_taskmanager_job_task_operator_pendingRecords"), "Kafka consumer lag");
        assertTrue(referenced.contains("flink_jobmanager_job_numRestarts"));
    }

    @Test
    void deadLettersByEveryReasonTheJobCanGive() {
        Set<String> referenced = referenced();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            if (reason != DeadLetterReason.UNKNOWN) {
                assertTrue(referenced.contains("flink_taskmanager_job_task_operator_deadLetters_" + reason.name()), reason.name());
            }
        }
    }
}
