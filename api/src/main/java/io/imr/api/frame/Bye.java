package io.imr.api.frame;

/**
 * Either side ends the session on purpose (logout, shutdown). Nothing is lost by a bye: what was
 * not confirmed is redelivered in the next session.
 *
 * @param reason a sentence for a person
 */
public record Bye(String reason) implements Frame {

    public Bye {
        Checks.text("bye", "reason", reason, 1024);
    }

    @Override
    public String type() {
        return "bye";
    }
}
