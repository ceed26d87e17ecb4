package io.imr.wire;

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
import java.util.function.Supplier;

/**
 * Turns a parsed Protocol Buffers frame into the api frame it stands for, or rejects it. What
 * Protocol Buffers lets through is checked here (exactly one body, no unknown fields, uint
 * values in range, explicit presence where 0 is not "missing"); every other field rule is the
 * api record's own, whose constructor runs on every decoded value.
 */
final class FromProto {

    private FromProto() {
    }

    /**
     * @throws ProtocolException (BAD_FRAME) naming the first thing wrong; nothing is returned then
     */
    static Frame frame(io.imr.wire.proto.Frame p) {
        if (p.getBodyCase() != io.imr.wire.proto.Frame.BodyCase.BODY_NOT_SET) {
            Strict.noUnknownFields(p, "frame");
        }
        switch (p.getBodyCase()) {
            case DELIVER:
                return deliver(p.getDeliver());
            case PULL_RESULT:
                return pullResult(p.getPullResult());
            case SEND:
                return send(p.getSend());
            case SEND_ACK:
                return sendAck(p.getSendAck());
            case ACK_UP_TO:
                return ackUpTo(p.getAckUpTo());
            case ACK:
                return ack(p.getAck());
            case PULL:
                return pull(p.getPull());
            case NOTIFY:
                return notifyFrame(p.getNotify());
            case PING:
                return ping(p.getPing());
            case PONG:
                return pong(p.getPong());
            case HELLO:
                return hello(p.getHello());
            case WELCOME:
                return welcome(p.getWelcome());
            case ERROR:
                return error(p.getError());
            case BYE:
                return bye(p.getBye());
            case BODY_NOT_SET:
            default:
                // A body this build does not know (a newer peer's frame type) also lands here,
                // as an unknown field of the envelope.
                String which = p.getUnknownFields().isEmpty() ? "no body is set"
                        : "body field number " + p.getUnknownFields().asMap().keySet().iterator().next()
                                + " is not one this side knows";
                throw bad("unknown frame type: " + which);
        }
    }

    private static Deliver deliver(io.imr.wire.proto.Deliver p) {
        Strict.noUnknownFields(p, "deliver");
        long maxSeq = Strict.u64(p.getMaxSeq(), "deliver", "maxSeq");
        if (p.getMessagesCount() == 0) {
            throw bad("deliver.messages must hold at least one message");
        }
        List<Message> messages = MessageMapping.fromProto(p.getRecipient(), p.getEpoch(), p.getBaseSeq(),
                p.getOriginsList(), p.getMessagesList(), "deliver");
        return build("deliver", () -> new Deliver(messages, maxSeq));
    }

    private static PullResult pullResult(io.imr.wire.proto.PullResult p) {
        Strict.noUnknownFields(p, "pull-result");
        long fromSeq = Strict.u64(p.getFromSeq(), "pull-result", "fromSeq");
        long maxSeq = Strict.u64(p.getMaxSeq(), "pull-result", "maxSeq");
        long epoch = Strict.u64(p.getEpoch(), "pull-result", "epoch");
        List<Message> messages = MessageMapping.fromProto(p.getRecipient(), epoch, p.getBaseSeq(),
                p.getOriginsList(), p.getMessagesList(), "pull-result");
        return build("pull-result", () -> new PullResult(fromSeq, messages, maxSeq, epoch));
    }

    private static Send send(io.imr.wire.proto.Send p) {
        Strict.noUnknownFields(p, "send");
        int n = p.getItemsCount();
        if (n > Frame.MAX_BATCH) {
            throw bad("send.items must hold at most " + Frame.MAX_BATCH + " items, got " + n);
        }
        List<Send.Item> items = new ArrayList<>(n);
        String to = null;
        for (int i = 0; i < n; i++) {
            io.imr.wire.proto.SendItem item = p.getItems(i);
            // The item's place is named only when something is wrong: it costs a string per item.
            if (!item.getUnknownFields().isEmpty()) {
                Strict.noUnknownFields(item, "send.items[" + i + "]");
            }
            if (!item.hasPayloadChecksum()) {
                throw bad("send.items[" + i + "].payloadChecksum is missing");
            }
            long counter = item.getCounter();
            if (counter < 0) {
                Strict.u64(counter, "send.items[" + i + "]", "counter");
            }
            if (!item.getTo().isEmpty()) {
                to = item.getTo();
            } else if (to == null) {
                throw bad("send.items[" + i + "].to is empty, but the first item must name its recipient");
            }
            String recipient = to;
            items.add(build("send", () -> new Send.Item(counter, recipient, item.getPayload().toByteArray(),
                    item.getPayloadChecksum())));
        }
        return build("send", () -> new Send(p.getOutboxId(), items));
    }

    private static SendAck sendAck(io.imr.wire.proto.SendAck p) {
        Strict.noUnknownFields(p, "send-ack");
        int n = p.getRunsCount();
        if (n > Frame.MAX_RUNS) {
            throw bad("send-ack.runs must hold at most " + Frame.MAX_RUNS + " items, got " + n);
        }
        List<SendAck.Run> runs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            io.imr.wire.proto.SendAckRun r = p.getRuns(i);
            String at = "send-ack.runs[" + i + "]";
            Strict.noUnknownFields(r, at);
            long firstCounter = Strict.u64(r.getFirstCounter(), at, "firstCounter");
            long count = Strict.u64(r.getCount(), at, "count");
            long firstSeq = Strict.u64(r.getFirstSeq(), at, "firstSeq");
            long epoch = Strict.u64(r.getEpoch(), at, "epoch");
            runs.add(build("send-ack", () -> new SendAck.Run(firstCounter, count, firstSeq, epoch)));
        }
        return build("send-ack", () -> new SendAck(p.getOutboxId(), runs));
    }

    private static AckUpTo ackUpTo(io.imr.wire.proto.AckUpTo p) {
        Strict.noUnknownFields(p, "ack-up-to");
        long epoch = Strict.u64(p.getEpoch(), "ack-up-to", "epoch");
        long seq = Strict.u64(p.getSeq(), "ack-up-to", "seq");
        return build("ack-up-to", () -> new AckUpTo(epoch, seq));
    }

    private static Ack ack(io.imr.wire.proto.Ack p) {
        Strict.noUnknownFields(p, "ack");
        long epoch = Strict.u64(p.getEpoch(), "ack", "epoch");
        int n = p.getRangesCount();
        if (n > Frame.MAX_RANGES) {
            throw bad("ack.ranges must hold at most " + Frame.MAX_RANGES + " items, got " + n);
        }
        List<Ack.Range> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            io.imr.wire.proto.SeqRange r = p.getRanges(i);
            String at = "ack.ranges[" + i + "]";
            Strict.noUnknownFields(r, at);
            long first = Strict.u64(r.getFirst(), at, "first");
            long last = Strict.u64(r.getLast(), at, "last");
            ranges.add(build("ack", () -> new Ack.Range(first, last)));
        }
        return build("ack", () -> new Ack(epoch, ranges));
    }

    private static Pull pull(io.imr.wire.proto.Pull p) {
        Strict.noUnknownFields(p, "pull");
        long fromSeq = Strict.u64(p.getFromSeq(), "pull", "fromSeq");
        int limit = Strict.u32(p.getLimit(), "pull", "limit");
        long committed = Strict.u64(p.getCommitted(), "pull", "committed");
        return build("pull", () -> new Pull(fromSeq, limit, committed));
    }

    private static Notify notifyFrame(io.imr.wire.proto.Notify p) {
        Strict.noUnknownFields(p, "notify");
        long epoch = Strict.u64(p.getEpoch(), "notify", "epoch");
        long maxSeq = Strict.u64(p.getMaxSeq(), "notify", "maxSeq");
        return build("notify", () -> new Notify(epoch, maxSeq));
    }

    private static Ping ping(io.imr.wire.proto.Ping p) {
        Strict.noUnknownFields(p, "ping");
        return new Ping(p.getNonce());
    }

    private static Pong pong(io.imr.wire.proto.Pong p) {
        Strict.noUnknownFields(p, "pong");
        long epoch = Strict.u64(p.getEpoch(), "pong", "epoch");
        long maxSeq = Strict.u64(p.getMaxSeq(), "pong", "maxSeq");
        return build("pong", () -> new Pong(p.getNonce(), epoch, maxSeq));
    }

    private static Hello hello(io.imr.wire.proto.Hello p) {
        Strict.noUnknownFields(p, "hello");
        int version = Strict.u32(p.getProtocolVersion(), "hello", "protocolVersion");
        long epoch = Strict.u64(p.getEpoch(), "hello", "epoch");
        long cursor = Strict.u64(p.getCursor(), "hello", "cursor");
        long incarnation = Strict.u64(p.getIncarnation(), "hello", "incarnation");
        return build("hello", () -> new Hello(version, p.getToken(), p.getUser(), p.getDevice(), p.getStrategiesList(), epoch, cursor,
                p.getIdAtCursor(), p.getServerStore(), incarnation));
    }

    private static Welcome welcome(io.imr.wire.proto.Welcome p) {
        Strict.noUnknownFields(p, "welcome");
        int version = Strict.u32(p.getProtocolVersion(), "welcome", "protocolVersion");
        long epoch = Strict.u64(p.getEpoch(), "welcome", "epoch");
        long cursor = Strict.u64(p.getCursor(), "welcome", "cursor");
        long maxSeq = Strict.u64(p.getMaxSeq(), "welcome", "maxSeq");
        long heartbeat = Strict.u64(p.getHeartbeatMillis(), "welcome", "heartbeatMillis");
        return build("welcome", () -> new Welcome(version, p.getStrategy(), p.getUser(), p.getDevice(), epoch, cursor,
                maxSeq, heartbeat, p.getServerStore(), p.getResync()));
    }

    private static ErrorFrame error(io.imr.wire.proto.ErrorFrame p) {
        Strict.noUnknownFields(p, "error");
        // The open proto3 enum keeps any number; the api's list of codes is the authority.
        int wire = p.getCodeValue();
        if (wire == 0) {
            throw bad("error.code is missing");
        }
        return build("error", () -> new ErrorFrame(ErrorFrame.Code.ofWire(wire), p.getMessage(), p.getRef(),
                p.getRetryAfterMs()));
    }

    private static Bye bye(io.imr.wire.proto.Bye p) {
        Strict.noUnknownFields(p, "bye");
        return build("bye", () -> new Bye(p.getReason()));
    }

    /**
     * Runs an api constructor, turning its rule violation into a protocol error that names the
     * frame (the api's messages mostly do already; {@link io.imr.api.Names}' do not).
     */
    private static <T> T build(String type, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (!message.startsWith(type + ".")) {
                message = type + ": " + message;
            }
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, message, e);
        }
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(ErrorFrame.Code.BAD_FRAME, message);
    }
}
