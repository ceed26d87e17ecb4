package io.imr.api.strategy;

/**
 * The version of the strategy SPI. A provider states the version it was built against; the
 * registry accepts it when the major versions are equal and the provider's minor is not newer
 * than this API's.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

    /**
     * The version of the SPI in this build. 2.0: events and actions typed by side
     * ({@link ClientEvent}, {@link ServerEvent}, {@link ClientActions}, {@link ServerActions}), one routing
     * point ({@link ReliabilityHalf}), {@link Event.Started} for server halves too, and
     * {@link ReliabilityStrategyProvider#simulationHints()}.
     */
    public static final ApiVersion CURRENT = new ApiVersion(2, 0);

    public ApiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("API version numbers must not be negative");
        }
    }

    /** Whether a provider that needs {@code required} runs on this API. */
    public boolean supports(ApiVersion required) {
        return required.major == major && required.minor <= minor;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
