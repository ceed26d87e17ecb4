package io.imr.testkit;

import io.imr.api.strategy.Actions;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerReliability;

/**
 * Strategy halves whose four verbs all go through {@code on(event, out)}: the base of the
 * decorators that watch every event ({@link ObservedProvider}) or distort it ({@link PlantedBug}).
 */
final class Intercepting {

    private Intercepting() {
    }

    /** A client half that sees every event in one place. */
    abstract static class Client implements ClientReliability {

        @Override
        public abstract void on(Event event, Actions out);

        @Override
        public final void receive(Event.Receive event, Actions out) {
            on(event, out);
        }

        @Override
        public final void persist(Event.ReadyToPersist event, Actions out) {
            on(event, out);
        }

        @Override
        public final void confirm(Event.CommitDone event, Actions out) {
            on(event, out);
        }

        @Override
        public final void recover(Event.Recover event, Actions out) {
            on(event, out);
        }
    }

    /** A server half that sees every event in one place. */
    abstract static class Server implements ServerReliability {

        @Override
        public abstract void on(Event event, Actions out);

        @Override
        public final void receive(Event.Receive event, Actions out) {
            on(event, out);
        }

        @Override
        public final void persist(Event.ReadyToPersist event, Actions out) {
            on(event, out);
        }

        @Override
        public final void confirm(Event.CommitDone event, Actions out) {
            on(event, out);
        }

        @Override
        public final void recover(Event.Recover event, Actions out) {
            on(event, out);
        }
    }
}
