package io.imr.engine;

import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityHalf;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * A strategy for engine tests. Its client halves record every event and do what {@link #client}
 * says. Its server halves are named after their device and numbered in the order they are
 * made ("phone1", "phone2", ...), log what they are told ("phone2:Started 1/3"), persist the cursor
 * each session starts at as the watermark, and throw when the test says so. A half that is told the
 * outcome of a commit it did not start logs "phone2:foreign CommitDone" (a strict strategy could fail
 * on it).
 */
final class ScriptedStrategy implements ReliabilityStrategyProvider {

    static final String NAME = "scripted";

    private final String name;
    /** What every half was told, in order. */
    final List<String> log = new ArrayList<>();
    /** Halves made so far, by device. */
    private final Map<String, Integer> halves = new HashMap<>();
    /** Whether the named half throws on this event (after logging it). */
    BiPredicate<String, ServerEvent> throwWhen = (half, e) -> false;
    /** Set to a seq: each server half reads its inbox from it when its session connects. */
    long readOnConnect = -1;

    ScriptedStrategy() {
        this(NAME);
    }

    /** @param name the strategy's name (two of them show a swap of strategies) */
    ScriptedStrategy(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "logs, persists the session's cursor, throws when told";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    /** What client halves do: each event they get is recorded in {@link #clientEvents}, then handed to this. */
    volatile BiConsumer<ClientEvent, ClientActions> client = (e, out) -> { };
    /** The events client halves got, in order. */
    final List<ClientEvent> clientEvents = new ArrayList<>();
    /** Client halves made so far. */
    int clientHalves;

    /** The events of one type the client halves got, in order. */
    <T extends ClientEvent> List<T> clientEvents(Class<T> type) {
        return clientEvents.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        clientHalves++;
        return ClientReliability.of(new ReliabilityHalf<ClientEvent, ClientActions>() {
            @Override
            public void on(ClientEvent event, ClientActions out) {
                clientEvents.add(event);
                client.accept(event, out);
            }

            @Override
            public int held() {
                return 0;
            }
        });
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        int n = halves.merge(setup.device(), 1, Integer::sum);
        String halfName = setup.device() + n;
        return ServerReliability.of(new ReliabilityHalf<ServerEvent, ServerActions>() {
            final Set<Long> tokens = new HashSet<>();
            long nextToken = n * 1000L;
            long epoch;
            long toPersist = -1;

            @Override
            public void on(ServerEvent event, ServerActions out) {
                String entry = halfName + ":" + describe(event);
                if (event instanceof Event.CommitDone d && !tokens.remove(d.token())) {
                    entry = halfName + ":foreign CommitDone";
                }
                log.add(entry);
                if (throwWhen.test(halfName, event)) {
                    throw new IllegalStateException(halfName + " broke on " + event.getClass().getSimpleName());
                }
                if (event instanceof Event.Connected c) {
                    epoch = c.epoch();
                    toPersist = c.cursor();
                    if (readOnConnect >= 0) {
                        out.readInbox(++nextToken, readOnConnect, 100);
                    }
                } else if (event instanceof Event.ReadyToPersist && toPersist >= 0) {
                    long token = ++nextToken;
                    tokens.add(token);
                    out.persistWatermark(token, epoch, toPersist);
                    toPersist = -1;
                }
            }

            @Override
            public int held() {
                return 0;
            }
        });
    }

    /** How many halves the device had so far. */
    int halves(String device) {
        return halves.getOrDefault(device, 0);
    }

    /** The log's entries of one device's halves and one kind ("Started", "Connected", ...), in order. */
    List<String> logged(String device, String kind) {
        return log.stream().filter(e -> e.startsWith(device) && e.substring(e.indexOf(':') + 1).startsWith(kind))
                .toList();
    }

    private static String describe(ServerEvent event) {
        if (event instanceof Event.Started s) {
            return "Started " + s.epoch() + "/" + s.cursor();
        }
        if (event instanceof Event.Connected c) {
            return "Connected " + c.epoch() + "/" + c.cursor() + " max " + c.maxSeq();
        }
        if (event instanceof Event.MessagesAppended a) {
            return "MessagesAppended " + a.messages().size() + " max " + a.maxSeq();
        }
        if (event instanceof Event.CommitDone) {
            return "CommitDone";
        }
        if (event instanceof Event.InboxRead r) {
            return "InboxRead " + r.messages().stream().map(m -> String.valueOf(m.seq())).toList();
        }
        if (event instanceof Event.FrameArrived f) {
            return "FrameArrived " + f.frame().type();
        }
        return event.getClass().getSimpleName();
    }
}
