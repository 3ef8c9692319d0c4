package dev.framewise.job;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink cluster inside this JVM (a MiniCluster, started when the job is executed) with its web UI
 * on 127.0.0.1, for {@code framewise run} and the demo.
 */
public record LocalFlink(StreamExecutionEnvironment env, String webUi) {

    public static LocalFlink create(int slots, Map<String, String> flinkProperties) {
        int port = freePort(8081);
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        flinkProperties.forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(slots);
        return new LocalFlink(env, "http://127.0.0.1:" + conf.get(RestOptions.BIND_PORT));
    }

    /**
     * Waits until every task of the job runs. A job reads RUNNING while its tasks are still being
     * deployed; a task reads RUNNING only once its operators are open (the model loaded).
     */
    public void awaitTasksRunning(org.apache.flink.api.common.JobID job, java.time.Duration timeout) throws InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI uri = java.net.URI.create(webUi + "/jobs/" + job);
        long deadline = System.nanoTime() + timeout.toNanos();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        while (System.nanoTime() < deadline) {
            try {
                String body = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                com.fasterxml.jackson.databind.JsonNode vertices = json.readTree(body).path("vertices");
                // A vertex reads RUNNING as soon as one of its tasks runs, while others may still wait
                // for a slot: count the running tasks of each vertex instead.
                boolean all = vertices.size() > 0;
                for (com.fasterxml.jackson.databind.JsonNode v : vertices) {
                    all &= v.path("tasks").path("RUNNING").asInt() == v.path("parallelism").asInt();
                }
                if (all) {
                    return;
                }
            } catch (java.io.IOException e) {
                // the REST endpoint is still starting
            }
            Thread.sleep(200);
        }
        throw new JobFailedException("the job's tasks did not start within " + timeout.toSeconds()
                + " s; see the log file and the web UI " + webUi);
    }

    /** {@code preferred} if it is free, else any free port. */
    private static int freePort(int preferred) {
        try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException busy) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new JobFailedException("no free local port for Flink's web UI: " + e.getMessage(), e);
            }
        }
    }
}
