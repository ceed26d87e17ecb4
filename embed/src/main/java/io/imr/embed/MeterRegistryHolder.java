package io.imr.embed;

import com.google.inject.Inject;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The application's {@link MeterRegistry} if it bound one, else a simple registry: an optional
 * binding without {@code OptionalBinder} ceremony for users.
 */
final class MeterRegistryHolder {

    @Inject(optional = true)
    MeterRegistry registry = new SimpleMeterRegistry();
}
