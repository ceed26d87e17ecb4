package io.imr.app;

import io.imr.embed.ImrClient;
import io.imr.engine.SendConfirmation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
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
        if (rate != null && !(rate > 0 && rate < Double.POSITIVE_INFINITY)) {
            throw new Imr.UsageError("--rate must be a number more than 0, got " + rate);
        }
        new SendJob(to, count, size).claim(client.data);
        Manifest manifest = manifestFile == null ? null : new Manifest(manifestFile);
        Consumer<SendConfirmation> onConfirmed = c -> {
            if (manifest != null) {
                manifest.confirmed(c.clientId(), c.seq(), Payloads.sha256(Payloads.payload(c.counter(), size)));
            }
        };
        ImrClient c = client.builder().sendListener(onConfirmed).build();
        Feeder feeder = new Feeder(new Feeder.Outbox() {
            @Override
            public long lastStored() {
                return c.state().lastCounter();
            }

            @Override
            public long room() {
                return c.engineConfig().maxOutbox() - (long) c.state().outboxSize();
            }

            @Override
            public CompletionStage<Long> send(long counter) {
                return c.send(counter, to, Payloads.payload(counter, size));
            }
        }, count, new Pacing(rate), line -> System.err.println("imr: " + line));
        try {
            return ClientRun.until(c, client.server, client.user + "/" + client.device, () -> {
                feeder.feed(System.nanoTime());
                return feeder.allHandedOver() && c.state().lastCounter() >= count && c.state().outboxSize() == 0;
            });
        } finally {
            if (manifest != null) {
                manifest.close();
            }
        }
    }

    /**
     * Hands messages 1..N to the outbox in counter order, each batch only once every earlier message is in the
     * store's outbox, so that an enqueue commit that fails (a full disk: the engine then fails every send after it
     * too, and frees their counters) is never overtaken by a later one: messages are numbered without a gap. After
     * a failure it says so in one line, waits a second, and hands over again from the store's last counter; once one
     * is stored again, it says that too.
     */
    static final class Feeder {

        /** The client, as far as the feeder sees it. */
        interface Outbox {
            /** The highest counter committed to the store's outbox. */
            long lastStored();

            /** How many more sends the outbox takes now (its limit less what it holds). */
            long room();

            CompletionStage<Long> send(long counter);
        }

        static final long RETRY_NANOS = 1_000_000_000L;

        private final Outbox outbox;
        private final long count;
        private final Pacing pacing;
        private final Consumer<String> say;
        private final AtomicReference<Throwable> failed = new AtomicReference<>();
        /** The lowest counter whose send failed since the last retry, or MAX_VALUE. */
        private final java.util.concurrent.atomic.AtomicLong failedFrom = new java.util.concurrent.atomic.AtomicLong(
                Long.MAX_VALUE);
        private long next = -1;
        private long retryAt = -1;
        /** The last counter stored when an enqueue failed, while no later one has been; -1 when none failed. */
        private long stalledAt = -1;
        /** When the last "could not be stored" line was said, and whether its "stores again" is still due. */
        private long saidAt = Long.MIN_VALUE / 2;
        private boolean recoveryDue;
        /** A disk nearly full stores a few messages, then fails again: one line about it a minute at most. */
        static final long QUIET_NANOS = 60_000_000_000L;

        Feeder(Outbox outbox, long count, Pacing pacing, Consumer<String> say) {
            this.outbox = outbox;
            this.count = count;
            this.pacing = pacing;
            this.say = say;
        }

        /** Hands over what is due now, unless a failure is being waited out or an enqueue is still running. */
        void feed(long nanos) {
            if (next < 0) {
                // The outbox holds what an earlier run put there; the rest is numbered on from its last counter.
                next = outbox.lastStored() + 1;
            }
            Throwable f = failed.get();
            if (f != null) {
                if (retryAt < 0) {
                    retryAt = nanos + RETRY_NANOS;
                    if (stalledAt < 0) {
                        stalledAt = outbox.lastStored();
                        if (nanos - saidAt >= QUIET_NANOS) {
                            saidAt = nanos;
                            recoveryDue = true;
                            say.accept("message " + (stalledAt + 1) + " and after could not be stored in the outbox ("
                                    + rootMessage(f) + "); trying again every second");
                        }
                    }
                }
                if (nanos < retryAt) {
                    return;
                }
                failed.set(null);
                retryAt = -1;
                long from = failedFrom.getAndSet(Long.MAX_VALUE);
                long last = outbox.lastStored();
                if (last >= from) {
                    // Cannot happen with the engine's outbox (it refuses a send that would leave a gap); were it to,
                    // message `from` would never be sent: say so rather than exit 0 without it.
                    throw new IllegalStateException("message " + from + " could not be stored in the outbox and a"
                            + " later one was (up to " + last + "): it would never be sent");
                }
                next = last + 1;
            }
            long stored = outbox.lastStored();
            if (stored != next - 1) {
                return; // an enqueue is still running: what comes next waits for it
            }
            if (stalledAt >= 0 && stored > stalledAt) {
                stalledAt = -1;
            }
            if (recoveryDue && stalledAt < 0) {
                recoveryDue = false;
                say.accept("the outbox stores again (up to message " + stored + ")");
            }
            // Never more than the outbox takes: a send it refuses as full would leave a gap behind the next one.
            long due = Math.min(Math.min(count, next - 1 + outbox.room()), next - 1 + pacing.due(nanos));
            for (; next <= due; next++) {
                long counter = next;
                outbox.send(counter).whenComplete((seq, e) -> {
                    if (e != null && retried(e)) {
                        failedFrom.accumulateAndGet(counter, Math::min);
                        failed.compareAndSet(null, e);
                    }
                });
            }
        }

        boolean allHandedOver() {
            return next > count;
        }

        /**
         * Whether a failed send is handed over again: yes for anything that kept it out of the outbox (a store that
         * could not write, a full outbox, a counter refused because an earlier one failed); no for a send the server
         * refused (it was stored, and answered) or one failed because the client closes.
         */
        private static boolean retried(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof io.imr.engine.ClientException.SendRefusedException
                        || t instanceof io.imr.engine.ClientException.ClosedException
                        || t instanceof io.imr.api.store.StoreException.ClosedException) {
                    return false;
                }
            }
            return true;
        }

        private static String rootMessage(Throwable t) {
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            return t.getMessage() == null ? t.toString() : t.getMessage();
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
