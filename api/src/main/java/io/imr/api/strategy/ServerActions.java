package io.imr.api.strategy;

/** The actions of a server half: the shared ones, plus persisting the watermark and reading the inbox. */
public final class ServerActions extends Actions<ServerAction> {

    public ServerActions persistWatermark(long token, long epoch, long confirmed) {
        add(new Action.PersistWatermark(token, epoch, confirmed));
        return this;
    }

    public ServerActions readInbox(long token, long fromSeq, int limit) {
        add(new Action.ReadInbox(token, fromSeq, limit));
        return this;
    }
}
