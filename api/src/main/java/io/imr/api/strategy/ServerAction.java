package io.imr.api.strategy;

/** What a server half may ask its driver to do. */
public sealed interface ServerAction extends Action permits Action.SendFrame, Action.PersistWatermark,
        Action.ReadInbox, Action.ScheduleTimer, Action.CancelTimer, Action.Signal, Action.Close {
}
