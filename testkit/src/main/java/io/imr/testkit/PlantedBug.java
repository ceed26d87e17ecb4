package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Actions;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Deliberately broken variants of a strategy (or of the server's store), to prove that the checkers
 * are not vacuous: each must make a simulation fail within a bounded number of seeds. Strategy bugs
 * are decorators that distort the events a correct half sees or the actions it puts out, so they
 * apply to any strategy; each is registered under its own name, {@code <strategy>-<suffix>}.
 */
public enum PlantedBug {

    /** The device acknowledges messages as they arrive, before their commit (breaks G5). */
    ACKS_BEFORE_COMMIT("acks-before-commit", "crashy"),
    /** The server half never sends again what existed before a reconnect, not even to a pull (breaks G1). */
    FORGETS_AFTER_RECONNECT("forgets-after-reconnect", "flaky-mobile"),
    /** The device commits messages that arrived past a hole (breaks G3). */
    STORES_PAST_A_HOLE("stores-past-a-hole", "lossy"),
    /** The server's store keeps no dedup index: a resent send is stored again (breaks G2). */
    DROPS_SEND_DEDUP("drops-send-dedup", "lossy"),
    /** The device takes a failed commit for a done one (breaks G5, then G1). */
    IGNORES_FAILED_COMMIT("ignores-failed-commit", "crashy");

    private final String suffix;
    private final String profile;

    PlantedBug(String suffix, String profile) {
        this.suffix = suffix;
        this.profile = profile;
    }

    /** The suffix of the broken strategy's name. */
    public String suffix() {
        return suffix;
    }

    /** The fault profile under which the bug shows: it needs the faults that exercise the broken code. */
    public FaultProfile profile() {
        return FaultProfile.named(profile);
    }

    /** Whether the bug is the server store's rather than the strategy's. */
    boolean inServerStore() {
        return this == DROPS_SEND_DEDUP;
    }

    /** The broken variant of a strategy, named {@code <name>-<suffix>}. */
    public ReliabilityStrategyProvider wrap(ReliabilityStrategyProvider real) {
        return new Broken(real, this);
    }

    private static final class Broken implements ReliabilityStrategyProvider {
        private final ReliabilityStrategyProvider real;
        private final PlantedBug bug;

        Broken(ReliabilityStrategyProvider real, PlantedBug bug) {
            this.real = real;
            this.bug = bug;
        }

        @Override
        public String name() {
            return real.name() + "-" + bug.suffix;
        }

        @Override
        public String description() {
            return real.description() + " (with the planted bug " + bug.suffix + ")";
        }

        @Override
        public ApiVersion requiredApiVersion() {
            return real.requiredApiVersion();
        }

        @Override
        public Set<String> optionNames() {
            return real.optionNames();
        }

        @Override
        public void validate(StrategyOptions options) {
            real.validate(options);
        }

        @Override
        public ClientReliability newClient(ClientSetup setup) {
            ClientReliability half = real.newClient(setup);
            switch (bug) {
                case ACKS_BEFORE_COMMIT:
                    return new ClientBug(half) {
                        @Override
                        void on(Event event, Actions inner, Actions out) {
                            half.on(event, inner);
                            inner.drain().forEach(out::add);
                            List<String> ids = new ArrayList<>();
                            messagesOf(event).forEach(m -> ids.add(m.id()));
                            if (!ids.isEmpty()) {
                                out.send(new Ack(ids.subList(0, Math.min(ids.size(), Frame.MAX_ACK_IDS))));
                            }
                        }
                    };
                case IGNORES_FAILED_COMMIT:
                    return new ClientBug(half) {
                        @Override
                        void on(Event event, Actions inner, Actions out) {
                            Event e = event instanceof Event.CommitFailed f
                                    ? new Event.CommitDone(f.now(), f.random(), f.token()) : event;
                            half.on(e, inner);
                            inner.drain().forEach(out::add);
                        }
                    };
                case STORES_PAST_A_HOLE:
                    return new StorePastHole(half);
                default:
                    return half;
            }
        }

        @Override
        public ServerReliability newServer(ServerSetup setup) {
            ServerReliability half = real.newServer(setup);
            return bug == FORGETS_AFTER_RECONNECT ? new ForgetsAfterReconnect(half) : half;
        }
    }

    static List<Message> messagesOf(Event event) {
        if (event instanceof Event.FrameArrived a) {
            if (a.frame() instanceof Deliver d) {
                return d.messages();
            }
            if (a.frame() instanceof PullResult p) {
                return p.messages();
            }
        }
        return List.of();
    }

    /** A client half whose events or actions are distorted. */
    private abstract static class ClientBug extends Intercepting.Client {
        final ClientReliability half;
        private final Actions inner = new Actions();

        ClientBug(ClientReliability half) {
            this.half = half;
        }

        abstract void on(Event event, Actions inner, Actions out);

        @Override
        public void on(Event event, Actions out) {
            on(event, inner, out);
        }

        @Override
        public int buffered() {
            return half.buffered();
        }
    }

    /**
     * Commits what arrived past a hole when the real half has nothing to commit, with tokens of its
     * own whose outcomes the real half never sees.
     */
    private static final class StorePastHole extends ClientBug {
        private final TreeMap<Long, Message> beyond = new TreeMap<>();
        private final Set<Long> ownTokens = new HashSet<>();
        private long cursor;
        private long nextToken = Long.MIN_VALUE;

        StorePastHole(ClientReliability half) {
            super(half);
        }

        @Override
        void on(Event event, Actions inner, Actions out) {
            if (event instanceof Event.CommitDone d && ownTokens.remove(d.token())
                    || event instanceof Event.CommitFailed f && ownTokens.remove(f.token())) {
                return;
            }
            if (event instanceof Event.Started s) {
                cursor = s.cursor();
            }
            for (Message m : messagesOf(event)) {
                if (m.seq() > cursor + 1 && m.payloadIntact()) {
                    beyond.put(m.seq(), m);
                }
            }
            half.on(event, inner);
            List<Action> actions = inner.drain();
            boolean persisted = false;
            for (Action a : actions) {
                if (a instanceof Action.Persist p) {
                    persisted = true;
                    cursor = Math.max(cursor, p.cursor());
                }
                out.add(a);
            }
            beyond.headMap(cursor + 2).clear();
            if (event instanceof Event.ReadyToPersist && !persisted && !beyond.isEmpty()) {
                List<Message> run = new ArrayList<>();
                for (Message m : beyond.values()) {
                    if (!run.isEmpty() && m.seq() != run.get(run.size() - 1).seq() + 1) {
                        break;
                    }
                    run.add(m);
                }
                long token = nextToken++;
                ownTokens.add(token);
                out.persist(token, run);
            }
        }
    }

    /** Strips from what the server half sends every message that existed when the session started. */
    private static final class ForgetsAfterReconnect extends Intercepting.Server {
        private final ServerReliability half;
        private final Actions inner = new Actions();
        private long knownAtConnect;
        private int sessions;

        ForgetsAfterReconnect(ServerReliability half) {
            this.half = half;
        }

        @Override
        public void on(Event event, Actions out) {
            if (event instanceof Event.Connected c) {
                // The first session delivers normally; every later one forgets what came before it.
                sessions++;
                knownAtConnect = sessions > 1 ? c.maxSeq() : 0;
            }
            half.on(event, inner);
            for (Action a : inner.drain()) {
                if (a instanceof Action.SendFrame f && f.frame() instanceof Deliver d) {
                    List<Message> kept = newer(d.messages());
                    if (!kept.isEmpty()) {
                        out.send(new Deliver(kept, d.maxSeq()));
                    }
                } else if (a instanceof Action.SendFrame f && f.frame() instanceof PullResult p) {
                    out.send(new PullResult(p.fromSeq(), newer(p.messages()), p.maxSeq(), p.epoch()));
                } else {
                    out.add(a);
                }
            }
        }

        private List<Message> newer(List<Message> messages) {
            List<Message> kept = new ArrayList<>();
            for (Message m : messages) {
                if (m.seq() > knownAtConnect) {
                    kept.add(m);
                }
            }
            return kept;
        }

        @Override
        public int unconfirmed() {
            return half.unconfirmed();
        }
    }
}
