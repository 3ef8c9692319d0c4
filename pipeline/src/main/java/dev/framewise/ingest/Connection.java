package dev.framewise.ingest;

/**
 * One open connection to the source.
 *
 * @param stream what the source delivers, e.g. "h264 640x480 at 25 frames/s"
 * @param fps the source's nominal frame rate (25 when it does not say)
 */
record Connection(FrameReader reader, String stream, double fps) {
}
