package dev.framewise.operators.classify;

import dev.framewise.model.Preprocessing;
import dev.framewise.operators.codec.FrameRejectedException;
import dev.framewise.operators.codec.RgbPicture;
import dev.framewise.operators.frames.DeadLetters;
import dev.framewise.operators.frames.FrameEnvelope;
import dev.framewise.operators.inference.BatchInferenceOperator;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.VideoFrame;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * In rebalance mode, decodes H.264 frames before they are spread over the slots: a camera's frames
 * only decode in order, in one decoder, and after the shuffle they would be scattered. Each picture
 * goes on as a raw RGB frame already scaled to the model's resize size (so it is small, and the
 * classifier only crops and normalizes it). Other codecs pass through untouched.
 */
public final class DecodeH264Upstream extends ProcessFunction<FrameEnvelope, FrameEnvelope> {
    private static final long serialVersionUID = 1L;

    private final Preprocessing preprocessing;
    private final long maxPixels;
    private final int maxDecoders;
    private transient CameraDecoders decoders;
    private transient Map<DeadLetterReason, Counter> rejected;

    public DecodeH264Upstream(Preprocessing preprocessing, long maxPixels, int maxDecoders) {
        this.preprocessing = preprocessing;
        this.maxPixels = maxPixels;
        this.maxDecoders = maxDecoders;
    }

    @Override
    public void open(OpenContext context) {
        decoders = new CameraDecoders(preprocessing, maxPixels, maxDecoders);
        rejected = new EnumMap<>(DeadLetterReason.class);
        var group = getRuntimeContext().getMetricGroup();
        for (DeadLetterReason r : DeadLetterReason.values()) {
            rejected.put(r, group.addGroup("deadLetters").counter(r.name()));
        }
        group.gauge("h264Decoders", decoders::open);
        group.gauge("h264DecodersEvicted", decoders::evictions);
        group.gauge("h264StreamRestarts", decoders::gaps);
    }

    @Override
    public void processElement(FrameEnvelope envelope, Context ctx, Collector<FrameEnvelope> out) {
        VideoFrame f = envelope.frame;
        if (f.getCodec() != Codec.H264) {
            out.collect(envelope);
            return;
        }
        RgbPicture picture;
        try {
            picture = decoders.decoderFor(f).decodeScaled(f.getWidth(), f.getHeight(), f.getKeyFrame(),
                    f.getCodecConfig(), f.getPayload(), preprocessing.resizeSize());
        } catch (FrameRejectedException e) {
            rejected.get(e.reason()).inc();
            ctx.output(BatchInferenceOperator.DEAD_LETTERS, DeadLetters.rejected(envelope, e.reason(), e.getMessage()));
            return;
        }
        // Field by field: a builder copied from f would deep-copy its compressed payload only to replace it.
        VideoFrame decoded = VideoFrame.newBuilder()
                .setCameraId(f.getCameraId())
                .setSequence(f.getSequence())
                .setCaptureTime(f.getCaptureTime())
                .setHeaders(f.getHeaders())
                .setCodec(Codec.RAW_RGB24)
                .setWidth(picture.width())
                .setHeight(picture.height())
                .setPayload(ByteBuffer.wrap(picture.rgb()))
                .setKeyFrame(true)
                .setCodecConfig(null)
                .build();
        out.collect(new FrameEnvelope(envelope.topic, envelope.partition, envelope.offset, envelope.sourceTimeMicros,
                decoded));
    }

    @Override
    public void close() {
        if (decoders != null) {
            decoders.close();
        }
    }
}
