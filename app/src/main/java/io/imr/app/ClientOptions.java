package io.imr.app;

import io.imr.embed.ImrClient;
import io.imr.engine.ClientEngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The flags {@code receive} and {@code send} share: where the server is, who the device is, where its store is. */
final class ClientOptions {

    @Option(names = "--server", required = true, paramLabel = "ADDRESS",
            description = "HOST:PORT for TCP, ws://HOST:PORT/PATH for WebSocket, tls://HOST:PORT and"
                    + " wss://HOST:PORT/PATH for the same over TLS")
    String server;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "PEM certificates to trust for tls:// and wss:// (default: the JVM's trust store)")
    Path tlsTrust;

    @Option(names = "--user", required = true, paramLabel = "USER", description = "must match the token")
    String user;

    @Option(names = "--device", required = true, paramLabel = "DEVICE", description = "must match the token")
    String device;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenSource token;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the device's data folder")
    Path data;

    /**
     * The longest wait between two connection attempts: shorter than the embedding's default
     * ({@link ClientEngineConfig#DEFAULT_RECONNECT_MAX}), so that a command run by hand or by a script notices a
     * server that came back within seconds.
     */
    static final Duration RECONNECT_MAX = Duration.ofSeconds(2);

    /**
     * A send unconfirmed this long is sent again: shorter than the default ({@link ClientEngineConfig#DEFAULT_RESEND_AFTER})
     * for the same reason (the server dedups, so a resend costs bytes, never a duplicate).
     */
    static final Duration RESEND_AFTER = Duration.ofSeconds(3);

    /** A client builder for these flags; the server is retried with backoff up to every {@link #RECONNECT_MAX}. */
    ImrClient.Builder builder() {
        try {
            io.imr.api.Names.principal("--user", user);
            io.imr.api.Names.principal("--device", device);
        } catch (IllegalArgumentException e) {
            throw new Imr.UsageError(e.getMessage());
        }
        return ImrClient.builder().server(server).user(user).device(device).token(token.read()).dataDir(data)
                .tlsTrust(tlsTrust)
                .reconnect(ClientEngineConfig.DEFAULT_RECONNECT_INITIAL, RECONNECT_MAX).resendAfter(RESEND_AFTER);
    }
}
