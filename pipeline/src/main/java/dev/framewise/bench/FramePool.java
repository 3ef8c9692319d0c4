package dev.framewise.bench;

import dev.framewise.demo.SyntheticCamera;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * The benchmark's cameras: JPEG pictures encoded once, up front, and sent again and again with a
 * fresh capture time and sequence number, so that the producer costs the job as little CPU as a
 * real remote camera would. Camera ids are picked so that they spread evenly over the topic's
 * partitions (as Kafka's default partitioner hashes them): each slot then gets the same load.
 */
final class FramePool {
    private final List<String> cameras = new ArrayList<>();
    private final List<List<byte[]>> pictures = new ArrayList<>();
    private final int width;
    private final int height;

    FramePool(int cameraCount, int partitions, int width, int height, int picturesPerCamera) {
        this.width = width;
        this.height = height;
        int[] perPartition = new int[partitions];
        int quota = (cameraCount + partitions - 1) / partitions;
        for (int i = 0; cameras.size() < cameraCount; i++) {
            String id = "cam-" + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (perPartition[p] < quota) {
                perPartition[p]++;
                cameras.add(id);
            }
        }
        for (String id : cameras) {
            List<byte[]> list = new ArrayList<>();
            try (SyntheticCamera camera = new SyntheticCamera(id, width, height, 85)) {
                for (int t = 0; t < picturesPerCamera; t++) {
                    list.add(camera.jpeg(t * 3L));
                }
            }
            pictures.add(list);
        }
    }

    List<String> cameras() {
        return cameras;
    }

    /** Camera {@code c}'s frame {@code sequence}, captured now: the record value. */
    byte[] record(int c, long sequence, Instant captured) {
        List<byte[]> list = pictures.get(c);
        VideoFrame frame = VideoFrame.newBuilder()
                .setCameraId(cameras.get(c))
                .setSequence(sequence)
                .setCaptureTime(captured)
                .setCodec(Codec.JPEG)
                .setWidth(width)
                .setHeight(height)
                .setPayload(ByteBuffer.wrap(list.get((int) (sequence % list.size()))))
                .setKeyFrame(true)
                .setHeaders(Map.of())
                .build();
        return SingleObjectCodec.VIDEO_FRAME.encode(frame);
    }

    /** The average size of a picture, in bytes. */
    long averagePictureBytes() {
        long sum = 0;
        long n = 0;
        for (List<byte[]> list : pictures) {
            for (byte[] p : list) {
                sum += p.length;
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
