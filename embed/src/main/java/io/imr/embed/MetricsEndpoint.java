package io.imr.embed;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves Prometheus text at {@code /metrics} and the dashboard page at {@code /}, on its own
 * HTTP port. Scraping runs on an event loop: it only reads meters, it never blocks.
 */
final class MetricsEndpoint {

    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final String dashboard;
    private HttpServer server;

    MetricsEndpoint(Vertx vertx, PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.registry = registry;
        try (InputStream in = MetricsEndpoint.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the imr-embed jar");
            }
            this.dashboard = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Future<InetSocketAddress> listen(HostPort address) {
        server = vertx.createHttpServer(new HttpServerOptions()).requestHandler(req -> {
            switch (req.path()) {
                case "/metrics":
                    req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                            .end(registry.scrape());
                    break;
                case "/":
                    req.response().putHeader("content-type", "text/html; charset=utf-8").end(dashboard);
                    break;
                default:
                    req.response().setStatusCode(404).putHeader("content-type", "text/plain")
                            .end("not found: try /metrics or /\n");
            }
        });
        return server.listen(address.port(), address.host())
                .map(s -> new InetSocketAddress(address.host(), s.actualPort()));
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
