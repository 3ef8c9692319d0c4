package dev.framewise.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.framewise.operators.inference.BatchInferenceOperator;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A running job's metrics through Flink's REST API, summed over subtasks: what the demo and the
 * benchmark read to account for frames dropped on purpose, which go to no topic.
 */
public final class FlinkRestMetrics {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private final String jobId;
    /** Where each metric asked for was found: a job's vertices do not change while it runs, restarts included. */
    private final Map<String, String> located = new ConcurrentHashMap<>();

    /** @param base the REST address, e.g. {@code http://127.0.0.1:8081} */
    public FlinkRestMetrics(String base, String jobId) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.jobId = jobId;
    }

    /**
     * The sum over all subtasks of metric {@code name} of the operator called {@code operator}
     * (e.g. {@code classify} and {@code framesDropped}); empty while the job does not report it. The first
     * successful call looks up which vertex reports it; later calls make one request.
     */
    public OptionalLong sum(String operator, String name) throws IOException, InterruptedException {
        String id = operator + "." + name;
        String path = located.get(id);
        if (path == null) {
            path = locate(id);
            if (path == null) {
                return OptionalLong.empty();
            }
            located.put(id, path);
        }
        JsonNode values = get(path + "?get=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&agg=sum");
        return values.size() > 0 ? OptionalLong.of(Math.round(values.get(0).path("sum").asDouble()))
                : OptionalLong.empty();
    }

    /** The subtask metrics path of the vertex that reports metric {@code id}; null while none does. */
    private String locate(String id) throws IOException, InterruptedException {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode m : get(path)) {
                if (m.path("id").asText().equals(id)) {
                    return path;
                }
            }
        }
        return null;
    }

    /**
     * The frames the job's freshness policy dropped so far, which go to no topic (0 before it reports any); empty
     * where the read failed, so a caller that must be exact can read again.
     */
    public OptionalLong framesDropped() {
        try {
            return OptionalLong.of(sum(FramewiseJob.CLASSIFY, BatchInferenceOperator.FRAMES_DROPPED).orElse(0));
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("Flink REST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }
}
