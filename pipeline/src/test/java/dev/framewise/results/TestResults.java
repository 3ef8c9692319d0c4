package dev.framewise.results;

import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.Latency;
import dev.framewise.schemas.Prediction;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/** Records as the job writes them, with the fields a test cares about set and the rest plausible. */
public final class TestResults {
    /** 2026-01-02T03:04:05.678Z: a fixed classification time, so printed rows are predictable. */
    public static final Instant CLASSIFIED = Instant.parse("2026-01-02T03:04:05.678Z");

    private TestResults() {
    }

    public static FrameClassification classification(String camera, long sequence, long endToEndUs, String label,
            float score, int batchSize) {
        return FrameClassification.newBuilder()
                .setCameraId(camera)
                .setSequence(sequence)
                .setCaptureTime(CLASSIFIED.minusNanos(endToEndUs * 1000))
                .setClassifiedTime(CLASSIFIED)
                .setModelName("efficientformer-l1")
                .setModelVersion("0123456789ab")
                .setPredictions(List.of(
                        new Prediction(1, label, score),
                        new Prediction(2, "runner-up", (1 - score) / 2)))
                .setLatency(Latency.newBuilder()
                        .setCaptureToSourceUs(endToEndUs / 4)
                        .setDecodeUs(endToEndUs / 4)
                        .setQueueWaitUs(endToEndUs / 4)
                        .setInferenceUs(endToEndUs / 8)
                        .setEndToEndUs(endToEndUs)
                        .setBatchSize(batchSize)
                        .build())
                .build();
    }

    public static FrameClassification classification(String camera, long sequence, long endToEndUs, String label) {
        return classification(camera, sequence, endToEndUs, label, 0.9f, 4);
    }

    public static DeadLetter deadLetter(String camera) {
        return DeadLetter.newBuilder()
                .setReason(DeadLetterReason.CORRUPT_IMAGE)
                .setMessage("the decoder rejected the data")
                .setSourceTopic("frames")
                .setSourcePartition(0)
                .setSourceOffset(7)
                .setCameraId(camera)
                .setSequence(null)
                .setDeadLetterTime(CLASSIFIED)
                .setOriginal(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build();
    }
}
