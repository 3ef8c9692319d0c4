package dev.framewise.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits a job jar to a Flink cluster through its REST API, as the web UI's "Submit new job"
 * does: upload the jar, run its main on the JobManager, and remove the uploaded copy (the job
 * keeps its own in the cluster's blob store). The job runs detached: this returns its id.
 */
public final class JobSubmission {
    private static final Logger LOG = LoggerFactory.getLogger(JobSubmission.class);

    private JobSubmission() {
    }

    /**
     * @param parallelism the job's default parallelism, or null for the cluster's
     * @param flinkConfiguration Flink settings for this job only
     * @return the job's id
     * @throws ClusterException when the cluster cannot be reached, or refuses the jar or the job (the
     *     message is the root of Flink's own error, not its stack trace)
     */
    public static String submit(FlinkRest rest, Path jar, String entryClass, List<String> programArgs, Integer parallelism,
            Map<String, String> flinkConfiguration) throws InterruptedException {
        String jarId;
        try {
            jarId = rest.uploadJar(jar);
        } catch (FlinkRest.Unreachable e) {
            throw unreachable(rest, e);
        } catch (FlinkRest.FlinkRestException e) {
            throw new ClusterException("the Flink cluster at " + rest.address() + " refused the job jar " + jar + ": "
                    + rootCause(e.flinkMessage()), e);
        } catch (IOException e) {
            throw new ClusterException("cannot upload " + jar + " to the Flink cluster at " + rest.address() + ": "
                    + e.getMessage(), e);
        }
        try {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("entryClass", entryClass);
            request.put("programArgsList", programArgs);
            if (parallelism != null) {
                request.put("parallelism", parallelism);
            }
            if (!flinkConfiguration.isEmpty()) {
                request.put("flinkConfiguration", flinkConfiguration);
            }
            JsonNode answer = rest.postJson("/jars/" + jarId + "/run", request);
            String jobId = answer.path("jobid").asText("");
            if (jobId.isEmpty()) {
                throw new ClusterException("the Flink cluster at " + rest.address() + " answered without a job id: " + answer);
            }
            return jobId;
        } catch (FlinkRest.Unreachable e) {
            throw unreachable(rest, e);
        } catch (FlinkRest.FlinkRestException e) {
            throw new ClusterException("the Flink cluster at " + rest.address() + " refused the job: "
                    + rootCause(e.flinkMessage()), e);
        } catch (IOException e) {
            throw new ClusterException("submitting the job to the Flink cluster at " + rest.address() + " failed: "
                    + e.getMessage(), e);
        } finally {
            try {
                rest.delete("/jars/" + jarId);
            } catch (IOException e) {
                LOG.warn("Could not remove the uploaded jar {} from {}: {}", jarId, rest.address(), e.toString());
            }
        }
    }

    /** Checks that a Flink REST API answers at the address; returns its overview (TaskManagers, slots, version). */
    public static JsonNode overview(FlinkRest rest) throws InterruptedException {
        try {
            return rest.get("/overview");
        } catch (FlinkRest.Unreachable e) {
            throw unreachable(rest, e);
        } catch (IOException e) {
            throw new ClusterException("the Flink cluster at " + rest.address() + " does not answer as one: " + e.getMessage()
                    + " (is it the JobManager's REST address, rest.port?)", e);
        }
    }

    private static ClusterException unreachable(FlinkRest rest, FlinkRest.Unreachable e) {
        return new ClusterException("cannot reach a Flink cluster at " + rest.address() + " (nothing answers there): check"
                + " the address, or 'framewise cluster status' for the local cluster's", e);
    }

    /**
     * The error the job's main threw, from a Java stack trace as Flink's REST API returns it: the
     * first "Caused by" of Framewise's own (written for people), else the last one. A Framewise
     * configuration error reads as its message alone; anything else keeps its class's simple name.
     */
    static String rootCause(String trace) {
        List<String> causes = trace.lines().filter(l -> l.startsWith("Caused by: "))
                .map(l -> l.substring("Caused by: ".length())).toList();
        if (causes.isEmpty()) {
            return trace.lines().findFirst().orElse(trace).strip();
        }
        String cause = causes.stream().filter(c -> c.startsWith("dev.framewise.")).findFirst()
                .orElse(causes.get(causes.size() - 1));
        int colon = cause.indexOf(": ");
        String type = colon > 0 ? cause.substring(0, colon) : cause;
        String message = colon > 0 ? cause.substring(colon + 2) : "";
        if (type.equals("dev.framewise.job.ConfigException")) {
            return "configuration error: " + message;
        }
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return message.isEmpty() ? simple : simple + ": " + message;
    }
}
