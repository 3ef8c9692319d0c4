package dev.framewise.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a refused submission says: the error the job's main threw on the JobManager, not Flink's stack trace. */
class JobSubmissionTest {
    /** Abridged from Flink 2.2.1's answer to /jars/<id>/run when the job's main threw. */
    private static final String TRACE = """
            org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.
            \tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)
            Caused by: java.util.concurrent.CompletionException: org.apache.flink.util.FlinkRuntimeException: Could not execute application.
            \tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)
            Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: %s
            \tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:360)
            Caused by: %s
            \tat dev.framewise.kafka.KafkaConnections.checkTopics(KafkaConnections.java:124)
            %s""";

    @Test
    void aFramewiseConfigurationErrorIsItsMessage() {
        String message = "topic(s) frames do not exist on 127.0.0.1:9092: create them";
        assertEquals("configuration error: " + message, JobSubmission.rootCause(
                TRACE.formatted(message, "dev.framewise.job.ConfigException: " + message, "")));
    }

    @Test
    void framewisesOwnErrorWinsOverItsCauses() {
        String message = "Kafka at 127.0.0.1:9092 refused: not authorized";
        assertEquals("configuration error: " + message, JobSubmission.rootCause(TRACE.formatted(message,
                "dev.framewise.job.ConfigException: " + message,
                "Caused by: org.apache.kafka.common.errors.TopicAuthorizationException: not authorized\n")));
    }

    @Test
    void anyOtherErrorKeepsItsSimpleName() {
        String message = "bogus is an unknown value of RestartStrategyType.";
        assertEquals("IllegalArgumentException: " + message, JobSubmission.rootCause(
                TRACE.formatted(message, "java.lang.IllegalArgumentException: " + message, "")));
    }

    @Test
    void withoutACauseItIsTheFirstLine() {
        assertEquals("Jar file /tmp/x.jar does not exist", JobSubmission.rootCause("Jar file /tmp/x.jar does not exist\n\tat x"));
    }
}
