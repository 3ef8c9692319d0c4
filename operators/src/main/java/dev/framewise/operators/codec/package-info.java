/**
 * Pictures in and out of the streaming job: {@link dev.framewise.operators.codec.FrameDecoder} turns an
 * encoded frame (JPEG, PNG or raw RGB) into normalized model input with FFmpeg, rejecting bad data with a
 * {@link dev.framewise.operators.codec.FrameRejectedException} that names its dead-letter reason;
 * {@link dev.framewise.operators.codec.ImageEncoder} makes JPEGs and PNGs for synthetic cameras and tests.
 */
package dev.framewise.operators.codec;
