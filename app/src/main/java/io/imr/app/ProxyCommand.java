package io.imr.app;

import io.imr.embed.HostPort;
import io.imr.transport.vertx.FaultyProxy;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imr proxy}: a TCP proxy between clients and a server that breaks things on purpose, for
 * tests and measurements: it drops whole frames at random and cuts connections by message count.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = {"Runs a faulty TCP proxy between imr clients and an imr server (TCP addresses only, not WebSocket).",
            "Prints \"proxying on HOST:PORT\" once it accepts connections (the real port when 0 was asked);"
                + " SIGTERM stops it cleanly (exit code 0) after one line of counts on stderr.",
            "--cut-every N counts each message the first time it forwards it each way (a send by its client id, a"
                + " message of a deliver or pull result by its id; resends and redeliveries do not count), so a"
                + " message sent and delivered through the proxy counts twice; it cuts the connection that carried"
                + " every N-th of them, after forwarding that frame."})
final class ProxyCommand implements Callable<Integer> {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "where clients connect (port 0: any free port)")
    HostPort listen;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "the server's TCP address")
    HostPort target;

    @Option(names = "--drop", paramLabel = "RATE", description = "drop each whole frame, each way, with this probability, 0 to 1 (default 0)")
    double drop;

    @Option(names = "--cut-every", paramLabel = "N",
            description = "cut the connection that carries every N-th new message, each way counted (default 0: never)")
    long cutEvery;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the frame drops (default 1)")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        if (!(drop >= 0 && drop <= 1)) {
            throw new Imr.UsageError("--drop must be 0 to 1, got " + drop);
        }
        if (cutEvery < 0) {
            throw new Imr.UsageError("--cut-every must be 0 or more, got " + cutEvery);
        }
        if (target.port() == 0) {
            throw new Imr.UsageError("--target needs a port other than 0, got " + target);
        }
        Vertx vertx = Vertx.vertx();
        FaultyProxy proxy;
        try {
            proxy = new FaultyProxy(vertx, listen.host(), listen.port(), target.host(), target.port(), true, seed);
        } catch (RuntimeException e) {
            vertx.close().await();
            throw new IllegalStateException("cannot listen on " + listen + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        proxy.dropRate(drop);
        proxy.cutEvery(cutEvery);
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        System.out.println("proxying on " + new HostPort(listen.host(), proxy.port()));
        System.out.flush();
        stop.await();
        String counts = String.format("imr: proxy accepted %d connections, forwarded %d frames, dropped %d, counted %d"
                + " new messages, cut %d connections", proxy.accepted(), proxy.framesForwarded(), proxy.framesDropped(),
                proxy.messagesForwarded(), proxy.cuts());
        proxy.close();
        vertx.close().await();
        System.err.println(counts);
        return Imr.OK;
    }
}
