package dev.framewise.ingest;

/**
 * The frames of one open connection to the source, one at a time. A frame is looked at (its time,
 * whether it is a key frame) before it is encoded, so frames that are skipped cost no encoding.
 */
interface FrameReader extends AutoCloseable {
    /**
     * Reads the next frame.
     *
     * @return false at the end of the stream, which for a network source also means it timed out or
     *     dropped: FFmpeg's readers do not tell these apart
     * @throws SourceException when the source fails in a way it reports
     */
    boolean next() throws SourceException;

    /** The frame's presentation time in the stream, microseconds, increasing. */
    long timestampMicros();

    /** Whether decoding can start at this frame. */
    boolean keyFrame();

    /** The frame as it goes to the topic. */
    Encoded encode();

    /** One line on what this reader does, e.g. "JPEG at quality 85" or "H.264 passthrough". */
    String describe();

    @Override
    void close();
}
