package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Native memory from {@code av_malloc} (so aligned as FFmpeg's SIMD code wants) that only grows, followed
 * by {@code padding} extra bytes, with a direct {@link ByteBuffer} view kept for absolute bulk copies.
 * Not thread-safe.
 */
final class NativeBuffer implements AutoCloseable {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final int padding;
    private final byte[] zeros;
    private BytePointer pointer;
    private ByteBuffer view;
    private int capacity;

    NativeBuffer(int padding) {
        this.padding = padding;
        this.zeros = new byte[padding];
    }

    /** Makes room for {@code size} bytes plus the padding; when it has to grow, the contents are lost. */
    void reserve(int size) {
        if (pointer != null && size <= capacity) {
            return;
        }
        if (size > Integer.MAX_VALUE - padding) {
            throw new IllegalArgumentException(size + " bytes and the padding do not fit in a buffer");
        }
        // Grow by half again, so a slowly rising size does not reallocate at every step.
        long grown = Math.min(Integer.MAX_VALUE - (long) padding, Math.max(size, capacity + capacity / 2L));
        release();
        long bytes = grown + padding;
        Pointer memory = av_malloc(bytes);
        if (memory == null || memory.isNull()) {
            throw new OutOfMemoryError("av_malloc of " + bytes + " bytes failed");
        }
        pointer = new BytePointer(memory).capacity(bytes);
        view = pointer.asByteBuffer();
        capacity = (int) grown;
    }

    /**
     * Copies {@code src}'s remaining bytes to the start, without moving its position, and zeroes the padding
     * after them: FFmpeg's bitstream readers may read that far, and must find zeros there.
     */
    void copyFrom(ByteBuffer src) {
        copyFrom(NOTHING, src);
    }

    /**
     * Copies the remaining bytes of {@code first} and then those of {@code second} to the start, as one
     * payload, without moving either position, and zeroes the padding after them.
     *
     * @throws IllegalArgumentException when the two and the padding do not fit in a buffer
     */
    void copyFrom(ByteBuffer first, ByteBuffer second) {
        int firstSize = first.remaining();
        long size = (long) firstSize + second.remaining();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(size + " bytes do not fit in a buffer");
        }
        reserve((int) size);
        view.put(0, first, first.position(), firstSize);
        view.put(firstSize, second, second.position(), second.remaining());
        view.put((int) size, zeros, 0, padding);
    }

    /** Copies {@code length} bytes of {@code src} to the start. */
    void copyFrom(byte[] src, int length) {
        reserve(length);
        view.put(0, src, 0, length);
    }

    BytePointer pointer() {
        return pointer;
    }

    ByteBuffer view() {
        return view;
    }

    @Override
    public void close() {
        release();
        capacity = 0;
    }

    private void release() {
        if (pointer != null) {
            av_free(pointer);
            pointer = null;
            view = null;
        }
    }
}
