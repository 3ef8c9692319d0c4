package dev.framewise.ingest;

/** Encodes decoded pictures for the topic. Not thread-safe; {@link #close()} frees native memory. */
interface PictureEncoder extends AutoCloseable {
    /** @param rgb {@code width * height * 3} bytes, row-major R, G, B */
    Encoded encode(byte[] rgb, int width, int height);

    /** e.g. "JPEG at quality 85". */
    String describe();

    @Override
    void close();
}
