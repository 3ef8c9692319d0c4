package dev.framewise.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@code framewise ingest} was asked to do. Checked here, once, with the options' names.
 *
 * @param maxFps {@code --fps}: at most this many frames a second; 0 for the source's own rate
 * @param quality {@code --quality}: JPEG quality, 1 to 100
 * @param loop {@code --loop}: start a file over at its end (files only)
 * @param transcode {@code --transcode}: with {@code --codec h264}, re-encode even an H.264 source
 * @param bitrateKbps {@code --bitrate}: H.264 encoding target; 0 to size it from the picture and frame rate
 * @param sourceTimeout {@code --source-timeout}: how long a network read may block before the stream counts as lost
 */
public record IngestSettings(Source source, String cameraId, OutputCodec codec, double maxFps, int quality,
        boolean loop, boolean transcode, int bitrateKbps, Duration sourceTimeout) {

    public IngestSettings {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(sourceTimeout, "sourceTimeout");
        if (cameraId == null || cameraId.isBlank()) {
            throw new IllegalArgumentException("--camera-id must not be empty");
        }
        if (!(maxFps >= 0) || Double.isInfinite(maxFps)) {
            throw new IllegalArgumentException("--fps must be a positive number, got " + maxFps);
        }
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("--quality must be 1 to 100, got " + quality);
        }
        if (loop && source.live()) {
            throw new IllegalArgumentException("--loop works with files only; " + source
                    + " is live and reconnects by itself when it drops");
        }
        if (transcode && codec != OutputCodec.H264) {
            throw new IllegalArgumentException("--transcode goes with --codec h264");
        }
        if (bitrateKbps < 0) {
            throw new IllegalArgumentException("--bitrate must be positive, got " + bitrateKbps);
        }
        if (sourceTimeout.isNegative() || sourceTimeout.isZero()) {
            throw new IllegalArgumentException("--source-timeout must be positive");
        }
    }

    /** Whether frames are dropped to a rate. */
    public boolean capped() {
        return maxFps > 0;
    }
}
