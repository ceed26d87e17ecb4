package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pong;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientAction;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
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
 *
 * <p>Most bugs break a rule every strategy keeps, and the kit plants them in every strategy
 * ({@link #universal()}). {@link #NO_TAIL_LOSS_HANDLING} breaks only a strategy that has nothing but
 * the announced max seq to notice a lost last message (no retransmission): its kit plants it
 * explicitly.
 */
public enum PlantedBug {

    /** The device acknowledges messages by id as they arrive, before their commit (breaks G5). */
    ACKS_BEFORE_COMMIT("acks-before-commit", "crashy"),
    /** The device sends ack-up-to for what arrived, before its commit (breaks G5). */
    ACK_UP_TO_BEFORE_COMMIT("ack-up-to-early", "lossy"),
    /** After each commit the device confirms up to the highest seq it saw, past a hole (breaks G5). */
    ACK_UP_TO_ABOVE_THE_CONTIGUOUS_PREFIX("ack-up-to-past-hole", "lossy"),
    /** The device's pulls claim the highest seq it holds in memory as committed, not its committed cursor (breaks G5). */
    PULL_FROM_THE_IN_MEMORY_CURSOR("pull-from-memory", "lossy"),
    /** Every hole the device sees is pulled at once, even while a pull is outstanding (breaks G7: a refetch storm). */
    UNMERGED_PULLS("unmerged-pulls", "lossy"),
    /** The device never learns the server's max seq, so a lost last message goes unnoticed (breaks G9, then G1). */
    NO_TAIL_LOSS_HANDLING("no-tail-loss", "lossy"),
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

    /** The bugs the kit plants in every strategy: each breaks a rule every strategy keeps. */
    public static Set<PlantedBug> universal() {
        Set<PlantedBug> all = new java.util.LinkedHashSet<>(List.of(values()));
        all.remove(NO_TAIL_LOSS_HANDLING);
        return all;
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

        /** The real strategy's: the bug is held to the bounds of the strategy it breaks. */
        @Override
        public SimulationHints simulationHints() {
            return real.simulationHints();
        }

        @Override
        public ClientReliability newClient(ClientSetup setup) {
            ClientReliability half = real.newClient(setup);
            switch (bug) {
                case ACKS_BEFORE_COMMIT:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        void after(ClientEvent event, List<ClientAction> actions, ClientActions out) {
                            List<Message> ms = messagesOf(event);
                            if (!ms.isEmpty()) {
                                out.send(ackOf(ms));
                            }
                        }
                    });
                case ACK_UP_TO_BEFORE_COMMIT:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        void after(ClientEvent event, List<ClientAction> actions, ClientActions out) {
                            List<Message> ms = messagesOf(event);
                            for (Message m : ms) {
                                if (m.seq() == contiguous + 1 && m.epoch() == epoch) {
                                    contiguous = m.seq();
                                }
                            }
                            if (!ms.isEmpty() && contiguous > committed && epoch > 0) {
                                out.send(new AckUpTo(epoch, contiguous));
                            }
                        }
                    });
                case ACK_UP_TO_ABOVE_THE_CONTIGUOUS_PREFIX:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        void after(ClientEvent event, List<ClientAction> actions, ClientActions out) {
                            if (event instanceof Event.CommitDone && highestSeen > committed && epoch > 0) {
                                out.send(new AckUpTo(epoch, highestSeen));
                            }
                        }
                    });
                case PULL_FROM_THE_IN_MEMORY_CURSOR:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        ClientAction distort(ClientAction a) {
                            if (a instanceof Action.PullRange p && highestSeen > p.committed()) {
                                return new Action.PullRange(Math.max(p.fromSeq(), highestSeen + 1), p.limit(),
                                        highestSeen);
                            }
                            return a;
                        }
                    });
                case UNMERGED_PULLS:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        void after(ClientEvent event, List<ClientAction> actions, ClientActions out) {
                            for (Message m : messagesOf(event)) {
                                if (m.seq() > committed + 1 && m.epoch() == epoch) {
                                    out.pull(committed + 1, (int) Math.min(Frame.MAX_BATCH, m.seq() - committed - 1));
                                }
                            }
                        }
                    });
                case NO_TAIL_LOSS_HANDLING:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        ClientEvent distort(ClientEvent e) {
                            return e instanceof Event.FrameArrived a ? hideMaxSeq(a) : e;
                        }
                    });
                case IGNORES_FAILED_COMMIT:
                    return Intercepting.client(new ClientBug(half) {
                        @Override
                        ClientEvent distort(ClientEvent e) {
                            return e instanceof Event.CommitFailed f ? new Event.CommitDone(f.now(), f.random(), f.token())
                                    : e;
                        }
                    });
                case STORES_PAST_A_HOLE:
                    return Intercepting.client(new StorePastHole(half));
                default:
                    return half;
            }
        }

        @Override
        public ServerReliability newServer(ServerSetup setup) {
            ServerReliability half = real.newServer(setup);
            return bug == FORGETS_AFTER_RECONNECT ? Intercepting.server(new ForgetsAfterReconnect(half)) : half;
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

    /** The frame as it would be without the server's max seq: only what the messages themselves show. */
    static Event.FrameArrived hideMaxSeq(Event.FrameArrived a) {
        Frame f = a.frame();
        Frame hidden = f;
        if (f instanceof Deliver d) {
            hidden = new Deliver(d.messages(), d.messages().get(d.messages().size() - 1).seq());
        } else if (f instanceof PullResult p) {
            long top = p.messages().isEmpty() ? 0 : p.messages().get(p.messages().size() - 1).seq();
            hidden = new PullResult(p.fromSeq(), p.messages(), top, p.epoch());
        } else if (f instanceof Notify n) {
            hidden = new Notify(n.epoch(), 0);
        } else if (f instanceof Pong p) {
            hidden = new Pong(p.nonce(), p.epoch(), 0);
        }
        return hidden == f ? a : new Event.FrameArrived(a.now(), a.random(), hidden);
    }

    /**
     * A client half whose events or actions are distorted. It keeps its own view of the device's
     * sequence from what it sees (the committed cursor from the persists that returned, the highest
     * seq that arrived), for the bugs that need one.
     */
    private static class ClientBug extends Intercepting<ClientEvent, ClientActions> {
        private final ClientActions inner = new ClientActions();
        private final TreeMap<Long, Long> persisting = new TreeMap<>();
        long epoch;
        long committed;
        long contiguous;
        long highestSeen;

        ClientBug(ClientReliability half) {
            super(half);
        }

        /** The event the real half is to see. */
        ClientEvent distort(ClientEvent event) {
            return event;
        }

        /** The action to put out instead of the real half's. */
        ClientAction distort(ClientAction action) {
            return action;
        }

        /** What the bug adds after the real half has taken the event. */
        void after(ClientEvent event, List<ClientAction> actions, ClientActions out) {
        }

        @Override
        public void on(ClientEvent event, ClientActions out) {
            track(event);
            half.on(distort(event), inner);
            List<ClientAction> actions = inner.drain();
            for (ClientAction a : actions) {
                if (a instanceof Action.Persist p) {
                    persisting.put(p.token(), p.cursor());
                }
                out.add(distort(a));
            }
            after(event, actions, out);
        }

        private void track(ClientEvent event) {
            if (event instanceof Event.Started s) {
                epoch = s.epoch();
                committed = s.cursor();
                contiguous = committed;
                highestSeen = committed;
            } else if (event instanceof Event.Connected c) {
                if (c.epoch() != epoch) {
                    highestSeen = c.cursor();
                }
                epoch = c.epoch();
                committed = Math.max(committed, c.cursor());
                contiguous = Math.max(committed, contiguous);
                highestSeen = Math.max(highestSeen, committed);
            } else if (event instanceof Event.CommitDone d) {
                Long cursor = persisting.remove(d.token());
                if (cursor != null) {
                    committed = Math.max(committed, cursor);
                }
            } else if (event instanceof Event.CommitFailed f) {
                persisting.remove(f.token());
                contiguous = committed;
            }
            for (Message m : messagesOf(event)) {
                if (m.epoch() == epoch && m.payloadIntact()) {
                    highestSeen = Math.max(highestSeen, m.seq());
                }
            }
        }
    }

    /**
     * Commits what arrived past a hole when the real half has nothing to commit, with tokens of its
     * own whose outcomes the real half never sees.
     */
    private static final class StorePastHole extends Intercepting<ClientEvent, ClientActions> {
        private final ClientActions inner = new ClientActions();
        private final TreeMap<Long, Message> beyond = new TreeMap<>();
        private final Set<Long> ownTokens = new HashSet<>();
        private long cursor;
        private long nextToken = Long.MIN_VALUE;

        StorePastHole(ClientReliability half) {
            super(half);
        }

        @Override
        public void on(ClientEvent event, ClientActions out) {
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
            boolean persisted = false;
            for (ClientAction a : inner.drain()) {
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
    private static final class ForgetsAfterReconnect extends Intercepting<ServerEvent, ServerActions> {
        private final ServerActions inner = new ServerActions();
        private long knownAtConnect;
        private int sessions;

        ForgetsAfterReconnect(ServerReliability half) {
            super(half);
        }

        @Override
        public void on(ServerEvent event, ServerActions out) {
            if (event instanceof Event.Connected c) {
                // The first session delivers normally; every later one forgets what came before it.
                sessions++;
                knownAtConnect = sessions > 1 ? c.maxSeq() : 0;
            }
            half.on(event, inner);
            for (var a : inner.drain()) {
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
    }

    /** An Ack of the seqs of these messages that are of the first one's epoch, runs merged. */
    private static Ack ackOf(List<Message> ms) {
        long epoch = ms.get(0).epoch();
        java.util.TreeSet<Long> seqs = new java.util.TreeSet<>();
        for (Message m : ms) {
            if (m.epoch() == epoch) {
                seqs.add(m.seq());
            }
        }
        List<Ack.Range> ranges = new ArrayList<>();
        long first = -1;
        long last = -1;
        for (long seq : seqs) {
            if (first != -1 && seq == last + 1) {
                last = seq;
                continue;
            }
            if (first != -1) {
                ranges.add(new Ack.Range(first, last));
            }
            first = seq;
            last = seq;
        }
        ranges.add(new Ack.Range(first, last));
        return new Ack(epoch, ranges.subList(0, Math.min(ranges.size(), Frame.MAX_RANGES)));
    }
}
