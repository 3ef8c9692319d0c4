package dev.framewise.operators.classify;

import dev.framewise.model.Preprocessing;
import dev.framewise.operators.codec.H264StreamDecoder;
import dev.framewise.schemas.VideoFrame;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The H.264 decoders of the cameras one subtask serves: one per camera, because a camera's frames
 * only decode in order from its last key frame. Bounded: when a new camera comes and the limit is
 * reached, the least recently used camera's decoder is closed (its next frames wait for a key
 * frame). A gap in a camera's sequence — frames lost upstream, or the job restored from a
 * checkpoint — also restarts its stream at the next key frame: decoding across the gap would show
 * pictures built on references that never arrived; a sender that restarts its numbering starts a
 * new stream too.
 *
 * <p>Nothing here is checkpointed: a decoder's state cannot be, and after a restore every camera
 * needs a key frame anyway. Frames of one camera reach one subtask, in order, in both ordering modes:
 * in chained mode through the camera's Kafka partition, in rebalance mode because decoding happens
 * before the shuffle.
 */
final class CameraDecoders implements AutoCloseable {
    private final Preprocessing preprocessing;
    private final long maxPixels;
    private final int capacity;
    private final LinkedHashMap<String, Entry> cameras;
    private long evictions;
    private long gaps;

    private static final class Entry {
        final H264StreamDecoder decoder;
        long lastSequence = Long.MIN_VALUE;

        Entry(H264StreamDecoder decoder) {
            this.decoder = decoder;
        }
    }

    CameraDecoders(Preprocessing preprocessing, long maxPixels, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("at least one H.264 decoder per subtask is needed, got " + capacity);
        }
        this.preprocessing = preprocessing;
        this.maxPixels = maxPixels;
        this.capacity = capacity;
        this.cameras = new LinkedHashMap<>(16, 0.75f, true);
    }

    /**
     * The camera's decoder, ready for {@code frame}: created if the camera is new (closing the least
     * recently used one when full), reset if the frame does not follow the camera's last one.
     */
    H264StreamDecoder decoderFor(VideoFrame frame) {
        String camera = frame.getCameraId();
        Entry e = cameras.get(camera);
        if (e == null) {
            if (cameras.size() == capacity) {
                Iterator<Map.Entry<String, Entry>> eldest = cameras.entrySet().iterator();
                eldest.next().getValue().decoder.close();
                eldest.remove();
                evictions++;
            }
            e = new Entry(new H264StreamDecoder(preprocessing, maxPixels));
            cameras.put(camera, e);
        }
        long seq = frame.getSequence();
        if (e.lastSequence != Long.MIN_VALUE && seq != e.lastSequence + 1) {
            // A gap, or a camera whose sender restarted its numbering: either way a new stream.
            gaps++;
            e.decoder.reset();
        }
        e.lastSequence = seq;
        return e.decoder;
    }

    int open() {
        return cameras.size();
    }

    long evictions() {
        return evictions;
    }

    long gaps() {
        return gaps;
    }

    @Override
    public void close() {
        for (Entry e : cameras.values()) {
            e.decoder.close();
        }
        cameras.clear();
    }
}
