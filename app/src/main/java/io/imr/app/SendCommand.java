package io.imr.app;

import io.imr.embed.ImrClient;
import io.imr.engine.SendConfirmation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code imr send}: sends N numbered messages reliably and exits 0 once the server confirmed all. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Sends N messages through a persistent outbox in DIR; exits 0 once the server confirmed all.",
            "Messages are numbered 1..N within DIR: a rerun with the same DIR and N after a crash resumes and sends"
                + " nothing twice; a rerun with another --to, --count or --size is refused (exit 2)."})
final class SendCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--to", required = true, paramLabel = "USER", description = "the recipient")
    String to;

    @Option(names = "--count", required = true, paramLabel = "N", description = "how many messages")
    long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "payload size (default 256)")
    int size = 256;

    @Option(names = "--rate", paramLabel = "MSG/S",
            description = "hand messages to the outbox at this average rate (default: all at once)")
    Double rate;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "append {\"clientId\",\"seq\",\"sha256\"} as a JSON line per confirmed message")
    Path manifestFile;

    @Override
    public Integer call() throws Exception {
        if (count < 0) {
            throw new Imr.UsageError("--count must be 0 or more, got " + count);
        }
        if (size < 0 || size > io.imr.api.Message.MAX_PAYLOAD) {
            throw new Imr.UsageError("--size must be 0 to " + io.imr.api.Message.MAX_PAYLOAD + ", got " + size);
        }
        try {
            io.imr.api.Names.principal("--to", to);
        } catch (IllegalArgumentException e) {
            throw new Imr.UsageError(e.getMessage());
        }
        if (rate != null && !(rate > 0)) {
            throw new Imr.UsageError("--rate must be more than 0, got " + rate);
        }
        new SendJob(to, count, size).claim(client.data);
        Manifest manifest = manifestFile == null ? null : new Manifest(manifestFile);
        Consumer<SendConfirmation> onConfirmed = c -> {
            if (manifest != null) {
                manifest.confirmed(c.clientId(), c.seq(), Payloads.sha256(Payloads.payload(c.counter(), size)));
            }
        };
        ImrClient c = client.builder().sendListener(onConfirmed).build();
        Pacing pacing = new Pacing(rate);
        long[] next = {-1};
        try {
            return ClientRun.until(c, client.server, client.user + "/" + client.device, () -> {
                if (next[0] < 0) {
                    // The outbox holds what an earlier run put there; the rest is numbered on from its last counter.
                    next[0] = c.state().lastCounter() + 1;
                }
                long due = Math.min(count, next[0] - 1 + pacing.due(System.nanoTime()));
                for (; next[0] <= due; next[0]++) {
                    c.send(next[0], to, Payloads.payload(next[0], size));
                }
                return next[0] > count && c.state().lastCounter() >= count && c.state().outboxSize() == 0;
            });
        } finally {
            if (manifest != null) {
                manifest.close();
            }
        }
    }

    /**
     * How many more messages are due: all of them without a rate; with one, as many as the rate allows since the
     * last call (at most a second's worth at once, so a pause does not end in a burst).
     */
    static final class Pacing {
        private final Double rate;
        private long last = -1;
        private double credit;

        Pacing(Double rate) {
            this.rate = rate;
        }

        long due(long nanos) {
            if (rate == null) {
                return Long.MAX_VALUE / 2;
            }
            if (last < 0) {
                last = nanos;
                credit = 1;
            }
            credit = Math.min(Math.max(rate, 1), credit + (nanos - last) / 1e9 * rate);
            last = nanos;
            long n = (long) credit;
            credit -= n;
            return n;
        }
    }
}
