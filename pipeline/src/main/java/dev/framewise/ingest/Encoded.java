package dev.framewise.ingest;

import dev.framewise.schemas.Codec;

/**
 * One frame ready for the topic: the fields of a {@code VideoFrame} that come from the picture.
 *
 * @param codecConfig for an H.264 key frame, the stream's SPS and PPS (Annex-B); null otherwise
 */
record Encoded(Codec codec, int width, int height, byte[] payload, boolean keyFrame, byte[] codecConfig) {
}
