package io.imr.app;

import io.imr.api.strategy.StrategyOptions;
import io.imr.embed.HostPort;
import java.time.Duration;
import picocli.CommandLine;

/** Flag values that picocli turns into types, with one-line errors. */
final class Converters {

    private Converters() {
    }

    static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration of 0 or more. */
    static final class ZeroOrMoreDurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return StrategyOptions.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration of more than 0. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = new ZeroOrMoreDurationConverter().convert(value);
            if (d.isZero()) {
                throw new CommandLine.TypeConversionException("must be more than 0, got \"" + value + "\"");
            }
            return d;
        }
    }
}
