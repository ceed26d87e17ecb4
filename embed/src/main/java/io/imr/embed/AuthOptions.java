package io.imr.embed;

import io.imr.api.option.DurationOption;
import io.imr.api.option.OptionSpec;
import io.imr.engine.auth.HmacTokens;
import java.time.Duration;
import java.util.List;

/** The server's token options ({@code imr.server.NAME}): key rotation's grace, and how often the key file is read. */
public final class AuthOptions {

    /** How long after its retirement a key's tokens are still accepted (devices get new tokens meanwhile). */
    public static final DurationOption KEY_GRACE = new DurationOption("key-grace", HmacTokens.DEFAULT_GRACE,
            Duration.ZERO, Duration.ofDays(3650));
    /** How often the key file is looked at; a change (a rotation) is taken without a restart. */
    public static final DurationOption KEY_RELOAD = new DurationOption("key-reload", Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofDays(1));

    /** Every token option. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(KEY_GRACE, KEY_RELOAD);

    private AuthOptions() {
    }
}
