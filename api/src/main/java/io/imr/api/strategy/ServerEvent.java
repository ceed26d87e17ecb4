package io.imr.api.strategy;

/** The events a server half takes; see {@link Event} for which verb takes which. */
public sealed interface ServerEvent extends Event permits ServerEvent.Receive, ServerEvent.Recover,
        Event.ReadyToPersist, Event.CommitDone {

    /** The events a server half's {@code receive} takes. */
    sealed interface Receive extends ServerEvent permits Event.FrameArrived, Event.MessagesAppended {
    }

    /** The events a server half's {@code recover} takes. */
    sealed interface Recover extends ServerEvent permits Event.Started, Event.Connected, Event.Disconnected,
            Event.TimerFired, Event.CommitFailed, Event.InboxRead {
    }
}
