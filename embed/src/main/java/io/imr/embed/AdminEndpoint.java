package io.imr.embed;

import io.imr.engine.ServerEngine;
import io.imr.engine.auth.AuthenticationException;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.transport.vertx.Tls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * The server's admin endpoint, on its own HTTP port ({@code --admin HOST:PORT}), TLS when the server's listeners
 * are: {@code POST /admin/revoke?user=U&device=D} revokes a device (a lost phone), without device every device
 * of the user ("sign out everywhere"), {@code POST
 * /admin/delete?user=U} deletes a user and every message of the user's inbox, {@code POST
 * /admin/delete?user=U&device=D} deletes a device (as revoking it: see docs/security.md). Each request carries
 * {@code Authorization: Bearer TOKEN} with an administrator's token ({@link HmacTokens#mintAdmin}, made by {@code imr
 * admin} from the key file); a device's token is refused. Answers are one line of text: 200 when done (durable),
 * 400 for a bad request, 401 for a missing or refused token, 500 when the store failed (nothing changed
 * durably; try again).
 *
 * <p>Requests are handled on an event loop; the engine does the work on its own context and store threads, and
 * the answer is written back on the request's context. Nothing here logs a token.
 */
final class AdminEndpoint {

    private static final Logger LOG = Logger.getLogger(AdminEndpoint.class.getName());

    private final Vertx vertx;
    private final ServerEngine engine;
    private final HmacTokens tokens;
    private final EngineMetrics metrics;
    private final Tls.Server tls;
    private HttpServer server;

    AdminEndpoint(Vertx vertx, ServerEngine engine, HmacTokens tokens, Tls.Server tls) {
        this.vertx = vertx;
        this.engine = engine;
        this.tokens = tokens;
        this.metrics = engine.metrics();
        this.tls = tls;
    }

    Future<InetSocketAddress> listen(HostPort address) {
        HttpServerOptions options = new HttpServerOptions();
        if (tls != null) {
            tls.applyTo(options);
        }
        server = vertx.createHttpServer(options).requestHandler(this::handle);
        return server.listen(address.port(), address.host())
                .map(s -> new InetSocketAddress(address.host(), s.actualPort()));
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        if (!path.equals("/admin/revoke") && !path.equals("/admin/delete")) {
            answer(req, 404, "not found: POST /admin/revoke?user=U[&device=D] or /admin/delete?user=U[&device=D]");
            return;
        }
        if (req.method() != HttpMethod.POST) {
            answer(req, 405, path + " takes POST");
            return;
        }
        String auth = req.getHeader("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            metrics.authRefused("admin-missing");
            answer(req, 401, "an administrator's token is needed: Authorization: Bearer TOKEN (imr admin makes one)");
            return;
        }
        try {
            tokens.checkAdmin(auth.substring("Bearer ".length()).trim(), System.currentTimeMillis());
        } catch (AuthenticationException e) {
            metrics.authRefused("admin-" + e.reason().tag());
            answer(req, 401, e.getMessage());
            return;
        }
        String user = req.getParam("user");
        String device = req.getParam("device");
        if (user == null) {
            answer(req, 400, path.substring("/admin/".length()) + " needs user");
            return;
        }
        Context context = vertx.getOrCreateContext();
        CompletionStage<String> work;
        try {
            if (device != null) {
                String what = path.equals("/admin/revoke") ? "revoked" : "deleted";
                work = engine.revoke(user, device).thenApply(v -> what + " device " + user + "/" + device
                        + ": its tokens minted until now are refused, its session is closed");
            } else if (path.equals("/admin/revoke")) {
                work = engine.revokeUser(user).thenApply(v -> "revoked every device of user " + user
                        + ": its tokens minted until now are refused, its sessions are closed");
            } else {
                work = engine.deleteUser(user).thenApply(n -> "deleted user " + user + ": " + n
                        + " messages removed, every device revoked");
            }
        } catch (IllegalArgumentException e) {
            answer(req, 400, e.getMessage());
            return;
        }
        work.whenComplete((text, error) -> context.runOnContext(v -> {
            if (error == null) {
                LOG.info("admin: " + text);
                answer(req, 200, text);
            } else {
                answer(req, 500, "not done, the store failed: " + error.getMessage() + "; try again");
            }
        }));
    }

    private static void answer(HttpServerRequest req, int status, String text) {
        req.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(text + "\n");
    }
}
