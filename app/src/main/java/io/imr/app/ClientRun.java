package io.imr.app;

import io.imr.embed.ImrClient;
import io.imr.engine.ClientException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs a started client until a condition holds (exit 0), SIGTERM (exit 0), or the client stops
 * for good: refused or replaced (exit 1, one line).
 */
final class ClientRun {

    private ClientRun() {
    }

    /**
     * @param server the server's address, for the "connected" line on stderr
     * @param who    user/device, for the same line
     */
    /** One line on stderr about the commits made, for whoever measures (batch sizes matter for MapDB's cost). */
    private static void report(ImrClient client) {
        io.micrometer.core.instrument.distribution.HistogramSnapshot batches = null;
        for (io.micrometer.core.instrument.DistributionSummary d : io.micrometer.core.instrument.search.Search
                .in(client.meterRegistry()).name(io.imr.engine.metrics.MetricNames.COMMIT_BATCH_SIZE).summaries()) {
            batches = d.takeSnapshot();
        }
        if (batches != null && batches.count() > 0) {
            System.err.printf("imr: %d messages committed in %d commits (mean batch %.1f, largest %.0f)%n",
                    (long) batches.total(), batches.count(), batches.mean(), batches.max());
        }
    }

    static int until(ImrClient client, String server, String who, BooleanSupplier done) throws InterruptedException {
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        Signals.onTermination(() -> terminated.complete(null));
        CompletableFuture<Void> welcome = client.start().toCompletableFuture();
        if (welcome.isCompletedExceptionally()) {
            // Failed before connecting: the store could not be opened (locked, damaged).
            try {
                welcome.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        welcome.thenRun(() -> System.err.println("imr: connected to " + server + " as " + who));
        // Later failures (refused, replaced) complete stopped() exceptionally.
        CompletableFuture<Void> stopped = client.stopped().toCompletableFuture();
        try {
            while (true) {
                if (stopped.isDone()) {
                    stopped.get();
                    return Imr.FAILED; // stopped without being asked: cannot happen without an exception
                }
                if (terminated.isDone() || done.getAsBoolean()) {
                    return Imr.OK;
                }
                try {
                    CompletableFuture.anyOf(stopped, terminated).get(50, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // check the condition again
                } catch (ExecutionException e) {
                    // reported on the next turn through stopped.get()
                }
            }
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClientException) {
                throw (ClientException) cause;
            }
            throw new IllegalStateException(cause == null ? e.getMessage() : cause.getMessage(), cause);
        } finally {
            client.close().toCompletableFuture().join();
            report(client);
        }
    }
}
