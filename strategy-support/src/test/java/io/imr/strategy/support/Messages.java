package io.imr.strategy.support;

import io.imr.api.Checksums;
import io.imr.api.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Messages of bob's sequence, sent by alice, for the tests. */
final class Messages {

    private Messages() {
    }

    /** The message at this seq in epoch 1, with a small payload naming its seq. */
    static Message seq(long seq) {
        return withPayload(seq, ("message " + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The message at this seq in this epoch. */
    static Message seq(long seq, long epoch) {
        byte[] payload = ("message " + seq).getBytes(StandardCharsets.UTF_8);
        return Message.of("alice", "c-" + seq, "bob", seq, epoch, 1_700_000_000_000L, payload,
                Checksums.crc32c(payload));
    }

    /** Messages from..to in epoch 1. */
    static List<Message> range(long from, long to) {
        List<Message> messages = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            messages.add(seq(s));
        }
        return messages;
    }

    /** The seqs of messages, in order. */
    static List<Long> seqs(List<Message> messages) {
        List<Long> seqs = new ArrayList<>();
        messages.forEach(m -> seqs.add(m.seq()));
        return seqs;
    }

    /** The message at this seq in epoch 1 with a payload of this many bytes. */
    static Message sized(long seq, int payloadBytes) {
        return withPayload(seq, new byte[payloadBytes]);
    }

    private static Message withPayload(long seq, byte[] payload) {
        return Message.of("alice", "c-" + seq, "bob", seq, 1, 1_700_000_000_000L, payload, Checksums.crc32c(payload));
    }
}
