package io.imr.api.strategy;

import io.imr.api.Message;
import java.util.List;

/** The actions of a client half: the shared ones, plus persisting messages and pulling. */
public final class ClientActions extends Actions<ClientAction> {

    public ClientActions persist(long token, List<Message> messages) {
        add(new Action.Persist(token, messages));
        return this;
    }

    public ClientActions pull(long fromSeq, int limit) {
        add(new Action.PullRange(fromSeq, limit));
        return this;
    }
}
