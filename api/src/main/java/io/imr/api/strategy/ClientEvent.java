package io.imr.api.strategy;

/** The events a client half takes; see {@link Event} for which verb takes which. */
public sealed interface ClientEvent extends Event permits ClientEvent.Recover, Event.FrameArrived,
        Event.ReadyToPersist, Event.CommitDone {

    /** The events a client half's {@code recover} takes. */
    sealed interface Recover extends ClientEvent permits Event.Started, Event.Connected, Event.Disconnected,
            Event.TimerFired, Event.CommitFailed {
    }
}
