package io.imr.strategy.ack;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Frame;
import io.imr.api.strategy.Action;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Messages of bob's sequence and helpers to read action lists, for the tests. */
final class Fixtures {

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;

    private Fixtures() {
    }

    /** The message at this seq in epoch 1. */
    static Message msg(long seq) {
        return msg(seq, 1);
    }

    /** The message at this seq in this epoch. */
    static Message msg(long seq, long epoch) {
        byte[] payload = ("message " + seq).getBytes(StandardCharsets.UTF_8);
        return Message.of("alice", "c-" + seq, "bob", seq, epoch, 1_700_000_000_000L, payload,
                Checksums.crc32c(payload));
    }

    /** The message at this seq with a payload of this many bytes. */
    static Message sized(long seq, int bytes) {
        byte[] payload = new byte[bytes];
        return Message.of("alice", "c-" + seq, "bob", seq, 1, 0, payload, Checksums.crc32c(payload));
    }

    /** The same message with one payload bit flipped after its sender made the checksum. */
    static Message corrupted(Message m) {
        byte[] payload = m.payload().clone();
        payload[0] ^= 0x01;
        return new Message(m.id(), m.sender(), m.clientId(), m.recipient(), m.seq(), m.epoch(), m.serverTimeMillis(),
                payload, m.payloadChecksum());
    }

    /** Messages from..to in epoch 1. */
    static List<Message> range(long from, long to) {
        List<Message> ms = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            ms.add(msg(s));
        }
        return ms;
    }

    /** The actions of a type, in order. */
    static <T extends Action> List<T> only(List<Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action a : actions) {
            if (type.isInstance(a)) {
                found.add(type.cast(a));
            }
        }
        return found;
    }

    /** The frames of a type sent, in order. */
    static <T extends Frame> List<T> sent(List<Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action.SendFrame s : only(actions, Action.SendFrame.class)) {
            if (type.isInstance(s.frame())) {
                found.add(type.cast(s.frame()));
            }
        }
        return found;
    }

    /** The sum of the signals of a kind. */
    static long signalled(List<Action> actions, Action.Signal.Kind kind) {
        long sum = 0;
        for (Action.Signal s : only(actions, Action.Signal.class)) {
            if (s.kind() == kind) {
                sum += s.amount();
            }
        }
        return sum;
    }

    /** The delay of the last scheduling of a timer, or -1 when it was not scheduled. */
    static long scheduled(List<Action> actions, String timer) {
        long delay = -1;
        for (Action.ScheduleTimer t : only(actions, Action.ScheduleTimer.class)) {
            if (t.timer().equals(timer)) {
                delay = t.delayNanos();
            }
        }
        return delay;
    }

    /** The seqs of messages. */
    static List<Long> seqs(List<Message> messages) {
        List<Long> seqs = new ArrayList<>();
        messages.forEach(m -> seqs.add(m.seq()));
        return seqs;
    }

    /** The ids of messages. */
    static List<String> ids(List<Message> messages) {
        List<String> ids = new ArrayList<>();
        messages.forEach(m -> ids.add(m.id()));
        return ids;
    }

    /** An Ack of these messages' seqs (of the first one's epoch), each run of consecutive seqs one range. */
    static Ack ackOf(List<Message> messages) {
        List<Ack.Range> ranges = new ArrayList<>();
        long first = messages.get(0).seq();
        long last = first;
        for (Message m : messages.subList(1, messages.size())) {
            if (m.seq() == last + 1) {
                last = m.seq();
            } else {
                ranges.add(new Ack.Range(first, last));
                first = m.seq();
                last = first;
            }
        }
        ranges.add(new Ack.Range(first, last));
        return new Ack(messages.get(0).epoch(), ranges);
    }

    /** Every seq the acks name, range by range. */
    static List<Long> ackedSeqs(List<Ack> acks) {
        List<Long> seqs = new ArrayList<>();
        for (Ack a : acks) {
            for (Ack.Range r : a.ranges()) {
                for (long s = r.first(); s <= r.last(); s++) {
                    seqs.add(s);
                }
            }
        }
        return seqs;
    }
}
