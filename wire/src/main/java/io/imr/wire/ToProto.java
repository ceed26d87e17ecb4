package io.imr.wire;

import com.google.protobuf.UnsafeByteOperations;
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
import java.util.List;

/**
 * Turns api frames into their Protocol Buffers form. The api records are valid by
 * construction, so the only thing checked here is what the records allow and the wire cannot
 * carry: text with an unpaired surrogate.
 */
final class ToProto {

    private ToProto() {
    }

    /**
     * @throws IllegalArgumentException if a text field holds an unpaired surrogate
     */
    static io.imr.wire.proto.Frame frame(Frame frame) {
        io.imr.wire.proto.Frame.Builder b = io.imr.wire.proto.Frame.newBuilder();
        // The sealed interface makes this chain exhaustive; Java 17 has no pattern switch.
        if (frame instanceof Deliver f) {
            b.setDeliver(deliver(f));
        } else if (frame instanceof PullResult f) {
            b.setPullResult(pullResult(f));
        } else if (frame instanceof Send f) {
            b.setSend(send(f));
        } else if (frame instanceof SendAck f) {
            b.setSendAck(sendAck(f));
        } else if (frame instanceof AckUpTo f) {
            b.setAckUpTo(io.imr.wire.proto.AckUpTo.newBuilder().setEpoch(f.epoch()).setSeq(f.seq()));
        } else if (frame instanceof Ack f) {
            b.setAck(ack(f));
        } else if (frame instanceof Pull f) {
            b.setPull(io.imr.wire.proto.Pull.newBuilder().setFromSeq(f.fromSeq()).setLimit(f.limit())
                    .setCommitted(f.committed()));
        } else if (frame instanceof Notify f) {
            b.setNotify(io.imr.wire.proto.Notify.newBuilder().setEpoch(f.epoch()).setMaxSeq(f.maxSeq()));
        } else if (frame instanceof Ping f) {
            b.setPing(io.imr.wire.proto.Ping.newBuilder().setNonce(f.nonce()));
        } else if (frame instanceof Pong f) {
            b.setPong(io.imr.wire.proto.Pong.newBuilder()
                    .setNonce(f.nonce()).setEpoch(f.epoch()).setMaxSeq(f.maxSeq()));
        } else if (frame instanceof Hello f) {
            b.setHello(hello(f));
        } else if (frame instanceof Welcome f) {
            b.setWelcome(welcome(f));
        } else if (frame instanceof ErrorFrame f) {
            b.setError(io.imr.wire.proto.ErrorFrame.newBuilder()
                    .setCodeValue(f.code().wire())
                    .setMessage(WireText.requireEncodable("error.message", f.message()))
                    .setRef(WireText.requireEncodable("error.ref", f.ref()))
                    .setRetryAfterMs(f.retryAfterMillis()));
        } else if (frame instanceof Bye f) {
            b.setBye(io.imr.wire.proto.Bye.newBuilder()
                    .setReason(WireText.requireEncodable("bye.reason", f.reason())));
        } else {
            throw new IllegalArgumentException("no wire form for frame " + frame.getClass().getName());
        }
        return b.build();
    }

    private static io.imr.wire.proto.Deliver deliver(Deliver f) {
        MessageMapping.Batch batch = MessageMapping.toProto(f.messages());
        return io.imr.wire.proto.Deliver.newBuilder()
                .setRecipient(batch.recipient())
                .setEpoch(batch.epoch())
                .setMaxSeq(f.maxSeq())
                .setBaseSeq(batch.baseSeq())
                .addAllOrigins(batch.origins())
                .addAllMessages(batch.messages())
                .build();
    }

    private static io.imr.wire.proto.PullResult pullResult(PullResult f) {
        MessageMapping.Batch batch = MessageMapping.toProto(f.messages());
        return io.imr.wire.proto.PullResult.newBuilder()
                .setFromSeq(f.fromSeq())
                .setMaxSeq(f.maxSeq())
                .setEpoch(f.epoch())
                .setRecipient(batch.recipient())
                .setBaseSeq(batch.baseSeq())
                .addAllOrigins(batch.origins())
                .addAllMessages(batch.messages())
                .build();
    }

    private static io.imr.wire.proto.Send send(Send f) {
        io.imr.wire.proto.Send.Builder b = io.imr.wire.proto.Send.newBuilder().setOutboxId(f.outboxId());
        io.imr.wire.proto.SendItem.Builder item = io.imr.wire.proto.SendItem.newBuilder();
        String previousTo = null;
        List<Send.Item> items = f.items();
        for (int i = 0, n = items.size(); i < n; i++) {
            Send.Item it = items.get(i);
            item.clear()
                    .setCounter(it.counter())
                    // Empty means the previous item's recipient: a batch to one user names it once.
                    .setTo(it.to().equals(previousTo) ? "" : it.to())
                    // No copy: a Send owns its payload arrays and nobody changes them.
                    .setPayload(UnsafeByteOperations.unsafeWrap(it.payload()))
                    .setPayloadChecksum(it.payloadChecksum());
            b.addItems(item.build());
            previousTo = it.to();
        }
        return b.build();
    }

    private static io.imr.wire.proto.SendAck sendAck(SendAck f) {
        io.imr.wire.proto.SendAck.Builder b = io.imr.wire.proto.SendAck.newBuilder().setOutboxId(f.outboxId());
        for (SendAck.Run r : f.runs()) {
            b.addRuns(io.imr.wire.proto.SendAckRun.newBuilder()
                    .setFirstCounter(r.firstCounter()).setCount(r.count()).setFirstSeq(r.firstSeq())
                    .setEpoch(r.epoch()));
        }
        return b.build();
    }

    private static io.imr.wire.proto.Ack ack(Ack f) {
        io.imr.wire.proto.Ack.Builder b = io.imr.wire.proto.Ack.newBuilder().setEpoch(f.epoch());
        for (Ack.Range r : f.ranges()) {
            b.addRanges(io.imr.wire.proto.SeqRange.newBuilder().setFirst(r.first()).setLast(r.last()));
        }
        return b.build();
    }

    private static io.imr.wire.proto.Hello hello(Hello f) {
        return io.imr.wire.proto.Hello.newBuilder()
                .setProtocolVersion(f.protocolVersion())
                .setToken(WireText.requireEncodable("hello.token", f.token()))
                .setUser(f.user())
                .setDevice(f.device())
                .addAllStrategies(f.strategies())
                .setEpoch(f.epoch())
                .setCursor(f.cursor())
                .setIdAtCursor(WireText.requireEncodable("hello.idAtCursor", f.idAtCursor()))
                .setServerStore(WireText.requireEncodable("hello.serverStore", f.serverStore()))
                .setIncarnation(f.incarnation())
                .build();
    }

    private static io.imr.wire.proto.Welcome welcome(Welcome f) {
        return io.imr.wire.proto.Welcome.newBuilder()
                .setProtocolVersion(f.protocolVersion())
                .setStrategy(f.strategy())
                .setUser(f.user())
                .setDevice(f.device())
                .setEpoch(f.epoch())
                .setCursor(f.cursor())
                .setMaxSeq(f.maxSeq())
                .setHeartbeatMillis(f.heartbeatMillis())
                .setServerStore(WireText.requireEncodable("welcome.serverStore", f.serverStore()))
                .setResync(f.resync())
                .build();
    }
}
