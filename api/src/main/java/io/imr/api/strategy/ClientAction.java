package io.imr.api.strategy;

/** What a client half may ask its driver to do. */
public sealed interface ClientAction extends Action permits Action.SendFrame, Action.Persist, Action.PullRange,
        Action.ScheduleTimer, Action.CancelTimer, Action.Signal, Action.Close {
}
