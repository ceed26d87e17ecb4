package io.imr.app;

import io.imr.embed.ImrClient;
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

    @Option(names = "--until", paramLabel = "N", description = "exit 0 once the store holds N messages")
    Long until;

    @Override
    public Integer call() throws Exception {
        if (until != null && until < 0) {
            throw new Imr.UsageError("--until must be 0 or more, got " + until);
        }
        ImrClient c = client.builder().build();
        return ClientRun.until(c, client.server, client.user + "/" + client.device, () -> until != null && c.state().count() >= until);
    }
}
