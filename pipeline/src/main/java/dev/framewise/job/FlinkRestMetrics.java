package dev.framewise.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A running job's metrics through Flink's REST API, summed over subtasks: what the demo and the
 * benchmark read to account for frames dropped on purpose, which go to no topic.
 */
public final class FlinkRestMetrics {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private final String jobId;

    /** @param base the REST address, e.g. {@code http://127.0.0.1:8081} */
    public FlinkRestMetrics(String base, String jobId) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.jobId = jobId;
    }

    /**
     * The sum over all subtasks of metric {@code name} of the operator called {@code operator}
     * (e.g. {@code classify} and {@code framesDropped}); empty while the job does not report it.
     */
    public OptionalLong sum(String operator, String name) throws IOException, InterruptedException {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String vid = vertex.path("id").asText();
            String path = "/jobs/" + jobId + "/vertices/" + vid + "/subtasks/metrics";
            for (JsonNode m : get(path)) {
                String id = m.path("id").asText();
                if (id.equals(operator + "." + name)) {
                    JsonNode values = get(path + "?get=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&agg=sum");
                    if (values.size() > 0) {
                        return OptionalLong.of(Math.round(values.get(0).path("sum").asDouble()));
                    }
                }
            }
        }
        return OptionalLong.empty();
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
