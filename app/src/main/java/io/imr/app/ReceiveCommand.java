package io.imr.app;

import io.imr.api.Message;
import io.imr.embed.ImrClient;
import io.imr.engine.MessageListener;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code imr receive}: a receiving device storing into its data folder. */
@Command(name = "receive", mixinStandardHelpOptions = true,
        description = {"Runs a receiving device that stores into DIR.",
            "Runs until killed, or exits 0 once its store holds N messages in all (--until). A newer session of"
                + " the same device replaces this one, which then exits 1."})
final class ReceiveCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--until", paramLabel = "N", description = "exit 0 once the store holds N messages (messages"
            + " recorded as expired, which the server trimmed while this device was away, are not held and do not count)")
    Long until;

    @Override
    public Integer call() throws Exception {
        if (until != null && until < 0) {
            throw new Imr.UsageError("--until must be 0 or more, got " + until);
        }
        ImrClient c = client.builder().listener(new MessageListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void expired(long from, long to) {
                System.err.println("imr: " + (to - from + 1) + " messages expired before this device got them: seqs "
                        + from + ".." + to + " of the server's sequence were trimmed while it was away (recorded in its"
                        + " store; see imr inspect)");
            }
        }).build();
        return ClientRun.until(c, client.server, client.user + "/" + client.device, () -> until != null && c.state().count() >= until);
    }
}
