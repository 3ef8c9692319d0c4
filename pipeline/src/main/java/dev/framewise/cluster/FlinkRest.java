package dev.framewise.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that the command line makes: the cluster's overview and
 * TaskManagers, and submitting a job jar ({@code /jars/upload}, {@code /jars/<id>/run}).
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String address;
    private final Duration timeout;

    /** @param address {@code host:port} of the JobManager's REST endpoint */
    public FlinkRest(String address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String address() {
        return address;
    }

    /** {@code http://host:port}: the web UI. */
    public String webUi() {
        return "http://" + address;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().timeout(timeout).build(), path);
    }

    public JsonNode postJson(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), path);
    }

    public JsonNode delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).DELETE().timeout(timeout).build(), path);
    }

    /** Uploads a jar as the web UI does (multipart, field {@code jarfile}); returns the jar's id on the cluster. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "framewise-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest request = HttpRequest.newBuilder(uri("/jars/upload"))
                .timeout(timeout.plus(Duration.ofMinutes(2)))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
                .build();
        JsonNode answer = send(request, "/jars/upload");
        String stored = answer.path("filename").asText("");
        if (stored.isEmpty()) {
            throw new FlinkRestException("/jars/upload", 200, "no file name in the answer: " + answer);
        }
        return Path.of(stored).getFileName().toString();
    }

    private URI uri(String path) {
        return URI.create(webUi() + path);
    }

    private JsonNode send(HttpRequest request, String path) throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new Unreachable(address, e);
        } catch (HttpTimeoutException e) {
            throw new IOException("Flink at " + address + " did not answer " + path + " within " + timeout.toSeconds() + " s", e);
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FlinkRestException(path, response.statusCode(), "not Flink's REST API (the answer is not JSON): "
                    + response.body().lines().findFirst().orElse(""));
        }
        if (response.statusCode() / 100 != 2) {
            throw new FlinkRestException(path, response.statusCode(), errors(body));
        }
        return body;
    }

    /** Flink's own error text: the "errors" list of its answer, or the answer itself. */
    private static String errors(JsonNode body) {
        List<String> errors = new ArrayList<>();
        body.path("errors").forEach(e -> errors.add(e.asText()));
        return errors.isEmpty() ? body.toString() : String.join("\n", errors);
    }

    /** Nothing listens at the address (or it does not answer a connection). */
    public static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String address, Throwable cause) {
            super("nothing answers at " + address, cause);
        }
    }

    /** Flink answered with an error status; {@link #flinkMessage()} holds its own error text, often a stack trace. */
    public static final class FlinkRestException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String flinkMessage;

        FlinkRestException(String path, int status, String flinkMessage) {
            super(path + " answered HTTP " + status + ": " + flinkMessage.lines().findFirst().orElse(""));
            this.flinkMessage = flinkMessage;
        }

        public String flinkMessage() {
            return flinkMessage;
        }
    }
}
