package io.imr.api.strategy;

/** Providers for the registry tests; listed in services files written by the tests. */
public final class TestProviders {

    private TestProviders() {
    }

    /** A provider whose halves are never made in these tests. */
    abstract static class Base implements ReliabilityStrategyProvider {
        @Override
        public String description() {
            return "test strategy " + name();
        }

        @Override
        public ApiVersion requiredApiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ClientReliability newClient(ClientSetup setup) {
            throw new UnsupportedOperationException("not made in registry tests");
        }

        @Override
        public ServerReliability newServer(ServerSetup setup) {
            throw new UnsupportedOperationException("not made in registry tests");
        }
    }

    public static final class Alpha extends Base {
        @Override
        public String name() {
            return "alpha";
        }
    }

    public static final class Beta extends Base {
        @Override
        public String name() {
            return "beta";
        }
    }

    /** Claims Alpha's name. */
    public static final class AlphaTwin extends Base {
        @Override
        public String name() {
            return "alpha";
        }
    }

    /** Fails in its constructor, as a provider with a missing dependency would. */
    public static final class Broken extends Base {
        public Broken() {
            throw new IllegalStateException("needs a class that is not on the class path");
        }

        @Override
        public String name() {
            return "broken";
        }
    }

    /** Built for a future SPI. */
    public static final class FromTheFuture extends Base {
        @Override
        public String name() {
            return "future";
        }

        @Override
        public ApiVersion requiredApiVersion() {
            return new ApiVersion(ApiVersion.CURRENT.major() + 1, 0);
        }
    }

    /** Has a name configuration could not type. */
    public static final class BadName extends Base {
        @Override
        public String name() {
            return "Bad Name";
        }
    }
}
