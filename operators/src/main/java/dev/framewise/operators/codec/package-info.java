/**
 * Pictures in and out of the streaming job: {@link dev.framewise.operators.codec.FrameDecoder} turns an
 * encoded frame (JPEG, PNG or raw RGB) into normalized model input with FFmpeg, rejecting bad data with a
 * {@link dev.framewise.operators.codec.FrameRejectedException} that names its dead-letter reason, and
 * {@link dev.framewise.operators.codec.H264StreamDecoder} does the same for one camera's H.264 stream, frame by
 * frame, from key frame to key frame;
 * {@link dev.framewise.operators.codec.ImageEncoder} makes JPEGs and PNGs for synthetic cameras and tests, and
 * {@link dev.framewise.operators.codec.H264Encoder} makes H.264 access units shaped like the frame topics';
 * {@link dev.framewise.operators.codec.AnnexB} converts the H.264 of MP4 and Matroska sources to that shape.
 */
package dev.framewise.operators.codec;
