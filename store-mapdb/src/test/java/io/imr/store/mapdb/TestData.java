package io.imr.store.mapdb;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.Submission;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Messages, outbox entries and submissions whose payloads are derived from their identity, so a test can recheck them. */
final class TestData {

    static final int PAYLOAD = 256;

    /** The server store generation the tests' messages come from. */
    static final String GEN = "g1-test";

    /** A commit of messages received in a session of {@link #GEN}. */
    static io.imr.api.store.ClientCommit received(List<Message> messages) {
        return io.imr.api.store.ClientCommit.messages(GEN, messages);
    }

    private TestData() {
    }

    /** The payload of a message, the same for the same key every time. */
    static byte[] payload(String key, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(key.hashCode() * 31L + size).nextBytes(b);
        return b;
    }

    /** Messages {@code from..to} of a user's sequence in an epoch, from sender "s", client ids "USER.EPOCH-SEQ". */
    static List<Message> messages(String user, long epoch, long from, long to) {
        List<Message> out = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            out.add(message(user, epoch, seq));
        }
        return out;
    }

    static Message message(String user, long epoch, long seq) {
        String clientId = user + "." + epoch + "-" + seq;
        byte[] p = payload(clientId, PAYLOAD);
        return Message.of("s", clientId, user, seq, epoch, 1_000 + seq, p, Checksums.crc32c(p));
    }

    /** A message whose payload no longer matches its checksum. */
    static Message corrupt(Message m) {
        byte[] p = m.payload().clone();
        p[0] ^= 1;
        return new Message(m.id(), m.sender(), m.clientId(), m.recipient(), m.seq(), m.epoch(), m.serverTimeMillis(), p,
                m.payloadChecksum());
    }

    static List<OutboxEntry> entries(String to, long from, long until) {
        List<OutboxEntry> out = new ArrayList<>();
        for (long c = from; c <= until; c++) {
            out.add(entry(to, c));
        }
        return out;
    }

    static OutboxEntry entry(String to, long counter) {
        byte[] p = payload("o-" + counter, PAYLOAD);
        return new OutboxEntry(counter, to, p, Checksums.crc32c(p), 5_000 + counter);
    }

    static Submission submission(String sender, String clientId, String to) {
        byte[] p = payload(sender + "/" + clientId, PAYLOAD);
        return new Submission(sender, clientId, to, p, Checksums.crc32c(p), 7_000);
    }

    /** Waits for a stage; the store's own failure comes out unwrapped. */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The failure a stage completed with, or null if it succeeded. */
    static Throwable failureOf(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }
}
