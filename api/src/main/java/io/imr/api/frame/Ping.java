package io.imr.api.frame;

/**
 * A heartbeat. Either side may send one; the other answers with a {@link Pong} of the same
 * nonce. A side that hears nothing for three heartbeat intervals treats the connection as dead
 * (half-open connections never deliver a close).
 *
 * @param nonce any number, echoed in the pong
 */
public record Ping(long nonce) implements Frame {

    @Override
    public String type() {
        return "ping";
    }
}
