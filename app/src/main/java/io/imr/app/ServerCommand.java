package io.imr.app;

import io.imr.embed.HostPort;
import io.imr.embed.ImrConfig;
import io.imr.embed.ImrServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr server}: runs a server until SIGTERM (or SIGINT), then stops cleanly with exit code 0. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs an imr server.",
            "Prints \"listening on HOST:PORT\" once it accepts connections, then \"websocket on HOST:PORT\" and"
                + " \"metrics on HOST:PORT\" when those are on. SIGTERM stops it cleanly (exit code 0)."})
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "TCP address (port 0: any free port)")
    HostPort listen;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the server's data folder")
    Path data;

    @Option(names = "--ws-listen", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "WebSocket address")
    HostPort wsListen;

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "the strategy: ack, seqid, hybrid or a plug-in's name (default: " + ImrServer.DEFAULT_STRATEGY + ")")
    String strategy;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "the token secret (default DIR/secret; made, owner-only, when missing)")
    Path secretFile;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "serve Prometheus text at /metrics and the dashboard at /")
    HostPort metrics;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "a PEM certificate chain: --listen and --ws-listen speak TLS (clients use tls:// and wss://)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "the PEM private key of --tls-cert")
    Path tlsKey;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "serve the admin endpoint (imr admin revoke|delete) here; bind it to a private address")
    HostPort admin;

    @Option(names = "--config", paramLabel = "FILE", description = "a properties file of imr.* settings")
    Path config;

    @Override
    public Integer call() throws Exception {
        ImrConfig c = ImrConfig.load(config);
        if (strategy != null) {
            c = c.with(ImrConfig.STRATEGY, strategy);
        }
        c = c.with(ImrConfig.SERVER_LISTEN, listen.toString()).with(ImrConfig.SERVER_DATA, data.toString());
        if (wsListen != null) {
            c = c.with(ImrConfig.SERVER_WS_LISTEN, wsListen.toString());
        }
        if (secretFile != null) {
            c = c.with(ImrConfig.SERVER_SECRET_FILE, secretFile.toString());
        }
        if (metrics != null) {
            c = c.with(ImrConfig.SERVER_METRICS, metrics.toString());
        }
        if (admin != null) {
            c = c.with(ImrConfig.SERVER_ADMIN, admin.toString());
        }
        if (tlsCert != null) {
            c = c.with(ImrConfig.SERVER_TLS_CERT, tlsCert.toString());
        }
        if (tlsKey != null) {
            c = c.with(ImrConfig.SERVER_TLS_KEY, tlsKey.toString());
        }
        ImrServer server = ImrServer.builder().config(c).build();
        try {
            server.start().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        System.out.println("listening on " + show(server.tcpAddress()));
        if (server.webSocketAddress() != null) {
            System.out.println("websocket on " + show(server.webSocketAddress()));
        }
        if (server.metricsAddress() != null) {
            System.out.println("metrics on " + show(server.metricsAddress()));
        }
        if (server.adminAddress() != null) {
            System.out.println("admin on " + show(server.adminAddress()));
        }
        System.out.flush();
        stop.await();
        CompletableFuture<Void> closing = server.close().toCompletableFuture();
        closing.join();
        return Imr.OK;
    }

    /**
     * The settings a server reads from its {@code --config} file, the environment or system properties, each with
     * what it is and, for an option, its default and range as its spec says: for the help's footer.
     */
    static String[] settingsHelp() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Settings (--config FILE, IMR_* environment variables or -Dimr.* system properties; the flags above"
                + " win):");
        ImrConfig.KNOWN.forEach((key, what) -> {
            if (!key.startsWith(ImrConfig.CLIENT)) {
                lines.add("  " + key + "  " + what);
            }
        });
        lines.add("  " + ImrConfig.STRATEGY_OPTIONS + "STRATEGY.OPTION  an option of a strategy (see docs/strategies.md)");
        return lines.toArray(new String[0]);
    }

    static String show(InetSocketAddress a) {
        return new HostPort(a.getHostString(), a.getPort()).toString();
    }
}
