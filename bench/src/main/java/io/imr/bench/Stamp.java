package io.imr.bench;

import java.nio.ByteBuffer;

/**
 * What the bench writes at the start of every payload, so the receiving side can measure and check without
 * any other channel: the time the message was meant to be sent ({@link System#nanoTime()}, which on Linux is
 * the machine's monotonic clock, the same in every process), the sender's number and the message's number
 * within that sender (from 1). The rest of the payload is filler.
 */
record Stamp(long intendedNanos, int sender, int index) {

    /** Set in the sender's number of the warm-up's messages. */
    static final int WARMUP = 1 << 30;

    /** The smallest payload that holds a stamp. */
    static final int BYTES = 16;

    static byte[] payload(int size, long intendedNanos, int sender, int index) {
        byte[] p = new byte[size];
        for (int i = BYTES; i < size; i++) {
            p[i] = (byte) (i * 31 + index);
        }
        ByteBuffer.wrap(p).putLong(intendedNanos).putInt(sender).putInt(index);
        return p;
    }

    /** 1 for a warm-up message, 0 for a measured one, without a branch (see {@link ReceiveWorker}). */
    int kind() {
        return (sender & WARMUP) >>> 30;
    }

    static Stamp of(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        return new Stamp(b.getLong(), b.getInt(), b.getInt());
    }
}
