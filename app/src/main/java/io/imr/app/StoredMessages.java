package io.imr.app;

import io.imr.api.Message;
import io.imr.store.mapdb.MapDbClientStore;
import java.util.List;
import java.util.function.Consumer;

/** Reads a device's whole store in seq order, a page at a time. */
final class StoredMessages {

    private static final int PAGE = 1024;

    private StoredMessages() {
    }

    static void forEach(MapDbClientStore store, Consumer<Message> each) {
        long next = 1;
        while (true) {
            List<Message> page = store.read(next, PAGE);
            if (page.isEmpty()) {
                return;
            }
            for (Message m : page) {
                each.accept(m);
            }
            next = page.get(page.size() - 1).seq() + 1;
        }
    }
}
