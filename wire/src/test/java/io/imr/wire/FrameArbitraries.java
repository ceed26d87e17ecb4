package io.imr.wire;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;

/**
 * Generators of valid frames with every field drawn from its whole allowed range (names of
 * every length and character, empty to 1 MiB payloads, seqs up to {@code Long.MAX_VALUE},
 * every error code, batches with increasing seqs). {@link #full()} reaches the limits;
 * {@link #small()} keeps frames a few hundred bytes long, for properties that try every byte.
 */
final class FrameArbitraries {

    private static final String PRINCIPAL_CHARS = "._-";
    private static final String OUTBOX_ID_CHARS = "._:";

    private final boolean small;

    private FrameArbitraries(boolean small) {
        this.small = small;
    }

    static FrameArbitraries full() {
        return new FrameArbitraries(false);
    }

    static FrameArbitraries small() {
        return new FrameArbitraries(true);
    }

    /** Any frame, each of the 14 types equally likely. */
    Arbitrary<Frame> frames() {
        return Arbitraries.oneOf(List.of(hello(), welcome(), error(), send(), sendAck(), deliver(), ack(), ackUpTo(),
                pull(), pullResult(), notifyFrame(), ping(), pong(), bye()));
    }

    /** Deliver and PullResult frames, the ones that carry messages. */
    Arbitrary<Frame> batches() {
        return Arbitraries.oneOf(List.of(deliver(), pullResult()));
    }

    // ----- names and values

    static Arbitrary<String> principal() {
        return Arbitraries.strings().alpha().numeric().withChars(PRINCIPAL_CHARS).ofMinLength(1).ofMaxLength(64);
    }

    static Arbitrary<String> outboxId() {
        return Arbitraries.strings().alpha().numeric().withChars(OUTBOX_ID_CHARS).ofMinLength(1)
                .ofMaxLength(ClientIds.MAX_OUTBOX_ID);
    }

    /** Counters: small ones, as outboxes count, and any up to the largest. */
    static Arbitrary<Long> counter() {
        return Arbitraries.oneOf(List.of(Arbitraries.longs().between(1, 10_000), atLeast(1)));
    }

    static Arbitrary<String> strategy() {
        Arbitrary<Character> first = Arbitraries.chars().range('a', 'z');
        Arbitrary<String> rest = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-')
                .ofMaxLength(31);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    /** Text of any UTF-16 content that UTF-8 carries: every BMP character but surrogates, and pairs. */
    Arbitrary<String> text(int minLength, int maxLength) {
        int max = small ? Math.min(maxLength, 24) : maxLength;
        StringArbitrary bmp = Arbitraries.strings().withCharRange('\u0000', '\uD7FF')
                .withCharRange('\uE000', '\uFFFF');
        StringArbitrary ascii = Arbitraries.strings().ascii();
        Arbitrary<String> plain = Arbitraries.oneOf(List.of(bmp.ofMinLength(minLength).ofMaxLength(max),
                ascii.ofMinLength(minLength).ofMaxLength(max)));
        if (max < 2) {
            return plain;
        }
        // Surrogate pairs (emoji, musical symbols) only come as pairs: append one.
        Arbitrary<String> withPair = Combinators.combine(bmp.ofMaxLength(max - 2),
                Arbitraries.of("\uD83D\uDE00", "\uD834\uDD1E", "\uDBFF\uDFFF")).as((s, p) -> s + p);
        return Arbitraries.frequencyOf(
                Tuple.of(4, plain),
                Tuple.of(1, withPair));
    }

    static Arbitrary<Long> atLeast(long min) {
        return Arbitraries.longs().between(min, Long.MAX_VALUE);
    }

    /** Payloads: empty, small, medium and (unless small) up to {@link Message#MAX_PAYLOAD}. */
    Arbitrary<byte[]> payload() {
        Arbitrary<byte[]> tiny = Arbitraries.bytes().array(byte[].class).ofMaxSize(small ? 32 : 256);
        if (small) {
            return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(new byte[0])),
                    Tuple.of(6, tiny));
        }
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(new byte[0])),
                Tuple.of(10, tiny),
                Tuple.of(3, randomBytes(257, 64 * 1024)),
                Tuple.of(1, randomBytes(64 * 1024, Message.MAX_PAYLOAD)),
                Tuple.of(1, randomBytes(Message.MAX_PAYLOAD, Message.MAX_PAYLOAD)));
    }

    /** Payloads that many of can share one frame. */
    Arbitrary<byte[]> batchPayload() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(small ? 16 : 2048);
    }

    /** Random bytes of a size in the range, made from one seed: jqwik need not draw each byte. */
    private static Arbitrary<byte[]> randomBytes(int minSize, int maxSize) {
        return Arbitraries.integers().between(minSize, maxSize).flatMap(size -> Arbitraries.randomValue(random -> {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            return bytes;
        }));
    }

    /** The sender's checksum: mostly right, sometimes any number (the codec carries, never checks, it). */
    private static Arbitrary<Integer> checksumFor(byte[] payload) {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(Checksums.crc32c(payload))),
                Tuple.of(1, Arbitraries.integers()));
    }

    // ----- messages and batches

    /** A payload and the checksum its sender put beside it. */
    private record Signed(byte[] payload, int checksum) {
    }

    private static Arbitrary<Signed> signed(Arbitrary<byte[]> payloads) {
        return payloads.flatMap(p -> checksumFor(p).map(c -> new Signed(p, c)));
    }

    /** What a message has besides its place in the sequence and its origin. */
    private record Content(int origin, long counter, long serverTime, Signed payload) {
    }

    private static Arbitrary<Content> content(Arbitrary<byte[]> payloads) {
        // Server times: mostly close together (one commit), sometimes anywhere (the deltas go both ways).
        Arbitrary<Long> time = Arbitraries.oneOf(List.of(Arbitraries.longs().between(1_700_000_000_000L,
                1_700_000_000_010L), atLeast(0)));
        return Combinators.combine(Arbitraries.integers().between(0, 2), counter(), time, signed(payloads))
                .as(Content::new);
    }

    /** A sender and one of its outboxes. */
    private record Origin(String sender, String outboxId) {
    }

    /**
     * Batches of 0 or more messages to one recipient in one epoch, with seqs increasing by 1 to
     * 3, from up to three origins (a sender and an outbox; two may share the sender), counters in
     * any order; one message may be as large as a payload gets, several share smaller payloads.
     */
    Arbitrary<List<Message>> batch(int minSize) {
        int many = small ? 4 : 40;
        Arbitrary<List<Content>> contents = Arbitraries.frequencyOf(
                Tuple.of(1, content(payload()).list().ofMinSize(Math.max(minSize, 1)).ofMaxSize(1)),
                Tuple.of(3, content(batchPayload()).list().ofMinSize(minSize).ofMaxSize(many)));
        Arbitrary<Long> start = Arbitraries.oneOf(List.of(Arbitraries.longs().between(1, 1000),
                Arbitraries.longs().between(1, Long.MAX_VALUE - 4L * Frame.MAX_BATCH)));
        Arbitrary<List<Origin>> origins = Combinators.combine(principal(), principal(), outboxId(), outboxId(),
                outboxId()).as((s1, s2, o1, o2, o3) -> List.of(new Origin(s1, o1), new Origin(s2, o2),
                new Origin(s1, o3)));
        return Combinators.combine(contents, principal(), atLeast(1), start, Arbitraries.longs(), origins)
                .as((cs, recipient, epoch, first, gapSeed, from) -> {
                    Random gaps = new Random(gapSeed);
                    List<Message> messages = new ArrayList<>(cs.size());
                    long seq = first;
                    for (Content c : cs) {
                        Origin o = from.get(c.origin());
                        messages.add(Message.of(o.sender(), ClientIds.of(o.outboxId(), c.counter()), recipient, seq,
                                epoch, c.serverTime(), c.payload().payload(), c.payload().checksum()));
                        seq += 1 + gaps.nextInt(3);
                    }
                    return messages;
                });
    }

    /** A max seq at least the batch's last seq. */
    private static Arbitrary<Long> maxSeqFor(List<Message> messages) {
        long last = messages.isEmpty() ? 0 : messages.get(messages.size() - 1).seq();
        return Arbitraries.oneOf(List.of(Arbitraries.just(last), Arbitraries.longs().between(last, Long.MAX_VALUE)));
    }

    // ----- the 14 frames

    Arbitrary<Frame> hello() {
        Arbitrary<long[]> position = Arbitraries.oneOf(List.of(
                atLeast(0).map(epoch -> new long[] {epoch, 0}),
                Combinators.combine(atLeast(1), atLeast(1)).as((epoch, cursor) -> new long[] {epoch, cursor})));
        return Combinators.combine(Arbitraries.integers().between(1, Integer.MAX_VALUE), text(1, 4096),
                        principal(), principal(), strategy().list().ofMinSize(1).ofMaxSize(16), position, text(0, 200),
                        Combinators.combine(text(1, 64), atLeast(1)).as((store, start) -> new Object[] {store, start}))
                .as((version, token, user, device, strategies, pos, id, storeAndStart) -> new Hello(version, token,
                        user, device, strategies, pos[0], pos[1], pos[1] == 0 ? "" : id,
                        pos[1] == 0 ? "" : (String) storeAndStart[0], (Long) storeAndStart[1]));
    }

    Arbitrary<Frame> welcome() {
        return Combinators.combine(Arbitraries.integers().between(1, Integer.MAX_VALUE), strategy(), principal(),
                        principal(), atLeast(1), atLeast(0), atLeast(0), atLeast(1))
                .as((version, strategy, user, device, epoch, cursor, max, heartbeat) -> new Object[] {version, strategy,
                        user, device, epoch, cursor, max, heartbeat})
                .flatMap(w -> Combinators.combine(text(1, 64), Arbitraries.of(true, false))
                        .as((store, resync) -> (Frame) new Welcome((Integer) w[0], (String) w[1], (String) w[2],
                                (String) w[3], (Long) w[4], Math.min((Long) w[5], (Long) w[6]), (Long) w[6],
                                (Long) w[7], store, resync)));
    }

    Arbitrary<Frame> error() {
        return Combinators.combine(Arbitraries.of(ErrorFrame.Code.class), text(1, 1024), text(0, 200),
                Arbitraries.longs().between(1, Long.MAX_VALUE))
                .as((code, message, ref, retry) -> new ErrorFrame(code, message, ref,
                        code == ErrorFrame.Code.RATE_LIMITED ? retry : 0));
    }

    /** One item of a Send to be: how far its counter is from the previous one, to which recipient, what. */
    private record Step(long step, int to, Signed payload) {
    }

    /** Batches of sends from one outbox: counters increasing by 1 or more, recipients repeating or not. */
    Arbitrary<Frame> send() {
        Arbitrary<Long> steps = Arbitraries.longs().between(1, 3);
        Arbitrary<Integer> recipients = Arbitraries.integers().between(0, 2);
        Arbitrary<List<Step>> items = Arbitraries.frequencyOf(
                Tuple.of(1, Combinators.combine(steps, recipients, signed(payload())).as(Step::new).list().ofSize(1)),
                Tuple.of(3, Combinators.combine(steps, recipients, signed(batchPayload())).as(Step::new).list()
                        .ofMinSize(1).ofMaxSize(small ? 4 : 40)));
        Arbitrary<Long> start = Arbitraries.oneOf(List.of(Arbitraries.longs().between(0, 1000),
                Arbitraries.longs().between(0, Long.MAX_VALUE - 4L * Frame.MAX_BATCH)));
        Arbitrary<List<String>> to = principal().list().ofSize(3);
        return Combinators.combine(outboxId(), items, start, to).as((outbox, drawn, from, names) -> {
            List<Send.Item> batch = new ArrayList<>(drawn.size());
            long counter = from;
            for (Step step : drawn) {
                counter += step.step();
                batch.add(new Send.Item(counter, names.get(step.to()), step.payload().payload(),
                        step.payload().checksum()));
            }
            return new Send(outbox, batch);
        });
    }

    /** Runs anywhere in the range of counters and seqs. */
    Arbitrary<Frame> sendAck() {
        Arbitrary<SendAck.Run> run = Combinators.combine(Arbitraries.longs().between(1, 1L << 40),
                Arbitraries.longs().between(1, 5000), Arbitraries.longs().between(1, 1L << 40), atLeast(1))
                .as(SendAck.Run::new);
        return Combinators.combine(outboxId(), run.list().ofMinSize(1).ofMaxSize(small ? 4 : 64))
                .as(SendAck::new);
    }

    Arbitrary<Frame> deliver() {
        return batch(1).flatMap(messages -> maxSeqFor(messages).map(max -> new Deliver(messages, max)));
    }

    /** Ranges in increasing seq, apart by 1 or more, each 1 or more seqs long. */
    Arbitrary<Frame> ack() {
        Arbitrary<long[]> gapAndLength = Combinators.combine(Arbitraries.longs().between(1, 1000),
                Arbitraries.longs().between(0, 5000)).as((gap, length) -> new long[] {gap, length});
        return Combinators.combine(atLeast(1), Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
                gapAndLength.list().ofMinSize(1).ofMaxSize(small ? 4 : 64)).as((epoch, from, parts) -> {
            List<Ack.Range> ranges = new ArrayList<>(parts.size());
            long at = from;
            for (long[] part : parts) {
                long first = at + part[0];
                ranges.add(new Ack.Range(first, first + part[1]));
                at = first + part[1];
            }
            return new Ack(epoch, ranges);
        });
    }

    Arbitrary<Frame> ackUpTo() {
        return Combinators.combine(atLeast(1), atLeast(0)).as(AckUpTo::new);
    }

    Arbitrary<Frame> pull() {
        return Combinators.combine(atLeast(1), Arbitraries.integers().between(1, Frame.MAX_BATCH)).as(Pull::new);
    }

    Arbitrary<Frame> pullResult() {
        return batch(0).flatMap(messages -> {
            long firstSeq = messages.isEmpty() ? Long.MAX_VALUE : messages.get(0).seq();
            Arbitrary<Long> epochs = messages.isEmpty() ? atLeast(1) : Arbitraries.just(messages.get(0).epoch());
            return Combinators.combine(Arbitraries.longs().between(1, firstSeq), maxSeqFor(messages), epochs)
                    .as((from, max, epoch) -> new PullResult(from, messages, max, epoch));
        });
    }

    Arbitrary<Frame> notifyFrame() {
        return Combinators.combine(atLeast(1), atLeast(0)).as(Notify::new);
    }

    Arbitrary<Frame> ping() {
        return Arbitraries.longs().map(Ping::new);
    }

    Arbitrary<Frame> pong() {
        return Combinators.combine(Arbitraries.longs(), atLeast(0), atLeast(0)).as(Pong::new);
    }

    Arbitrary<Frame> bye() {
        return text(0, 1024).map(Bye::new);
    }
}
