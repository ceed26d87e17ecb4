package io.imr.transport.vertx;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One listening server per event loop on the same address, so that Vert.x spreads accepted connections over its
 * event loops (round robin) instead of serving every connection on the one event loop of the context that created
 * a single server. Found by {@code imr fuzz}: with one event loop, four authenticated clients that wrote pulls and
 * never read made the loop answer them ahead of everyone else, and a legitimate pair's p99 went from 22 ms to over a
 * second; spread over the loops it stayed at about 50 ms.
 *
 * <p>Port 0 asks for a free port shared by every instance (Vert.x shares a random port between the servers that
 * listen on the same negative port).
 */
final class EventLoopListeners {

    /** As many listeners as Vert.x has event loops by default: two per core. */
    static final int INSTANCES = Math.max(1, 2 * Runtime.getRuntime().availableProcessors());

    private EventLoopListeners() {
    }

    /**
     * Deploys {@link #INSTANCES} listeners, each made and started by {@code listen} on its own event loop with the
     * port to listen on.
     *
     * @param sharedRandom the negative port standing for "a free port shared by all", when {@code port} is 0; distinct
     *                     per kind of listener, so that two kinds get two ports
     * @param listen       starts one listener on the given port; its future gives the port it is bound to
     * @return the deployment's id and the bound port
     */
    static Future<Deployed> deploy(Vertx vertx, int port, int sharedRandom, IntFunction<Future<Integer>> listen) {
        int at = port == 0 ? sharedRandom : port;
        AtomicInteger bound = new AtomicInteger();
        return vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                listen.apply(at).onSuccess(bound::set).<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(INSTANCES)).map(id -> new Deployed(id, bound.get()));
    }

    /** A deployment of listeners, and the port they are bound to. */
    record Deployed(String id, int port) {
    }
}
