/**
 * imr's wire format: the frames of {@link io.imr.api.frame} in Protocol Buffers
 * ({@code imr.proto}, package {@code imr.v1}, generated into {@link io.imr.wire.proto}), in an
 * envelope of a protocol version byte and a CRC32C, length-prefixed over TCP and one binary
 * message each over WebSocket. {@link io.imr.wire.FrameCodec} encodes and strictly decodes one
 * body; {@link io.imr.wire.LengthPrefixedDecoder} cuts a TCP byte stream into bodies. Pure
 * Java without I/O, so the deterministic simulator runs the same code as the transports.
 *
 * <p>{@code protocol.md} beside {@code imr.proto} describes the envelope, the frames and the
 * session rules for anyone writing a client in another language.
 */
package io.imr.wire;
