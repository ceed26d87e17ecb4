package io.imr.app;

import io.imr.api.Message;
import io.imr.api.store.ClientState;
import io.imr.store.mapdb.MapDbClientStore;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr inspect}: what a device's store holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows what a device's store holds, as JSON.",
            "Without --messages one object: user, device, cursor, count, firstSeq, lastSeq, gaps, duplicates.",
            "With --messages one line per stored message in seq order: seq, id, from, clientId, sha256."})
final class InspectCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the device's data folder")
    Path data;

    @Option(names = "--messages", description = "one JSON line per stored message instead of the summary")
    boolean messages;

    @Option(names = "--json", description = "print JSON (the only format so far)")
    boolean json;

    /** The expired ranges as a JSON array of {"epoch","from","to"} objects. */
    private static String expired(ClientState state) {
        StringBuilder sb = new StringBuilder("[");
        for (io.imr.api.store.ExpiredRange r : state.expired()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(new Json().put("epoch", r.epoch()).put("from", r.from()).put("to", r.to()));
        }
        return sb.append(']').toString();
    }

    @Override
    public Integer call() {
        if (!Files.isDirectory(data)) {
            throw new Imr.UsageError("--data " + data + " is not a folder");
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        try (MapDbClientStore store = MapDbClientStore.openExisting(data)) {
            ClientState state = store.state();
            Summary summary = new Summary();
            StoredMessages.forEach(store, m -> {
                summary.add(m);
                if (messages) {
                    out.println(new Json().put("seq", m.seq()).put("id", m.id()).put("from", m.sender())
                            .put("clientId", m.clientId()).put("sha256", Payloads.sha256(m.payload())));
                }
            });
            if (!messages) {
                out.println(new Json().put("user", state.user()).put("device", state.device())
                        .put("cursor", state.cursor()).put("count", summary.count).put("firstSeq", summary.first)
                        .put("lastSeq", summary.last).raw("gaps", summary.gaps.append(']').toString())
                        .put("duplicates", summary.duplicates).raw("expired", expired(state)));
            }
        }
        out.flush();
        return Imr.OK;
    }

    /** Counts, holes and repeated ids of the messages it is shown in seq order. */
    private static final class Summary {
        final Set<String> ids = new HashSet<>();
        final StringBuilder gaps = new StringBuilder("[");
        long count;
        long first;
        long last;
        long duplicates;

        void add(Message m) {
            if (count == 0) {
                first = m.seq();
            } else if (m.seq() > last + 1) {
                gaps.append(gaps.length() > 1 ? "," : "").append('[').append(last + 1).append(',').append(m.seq() - 1)
                        .append(']');
            }
            if (!ids.add(m.id())) {
                duplicates++;
            }
            count++;
            last = m.seq();
        }
    }
}
