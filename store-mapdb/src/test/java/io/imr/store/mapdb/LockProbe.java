package io.imr.store.mapdb;

import io.imr.api.store.StoreException;
import java.nio.file.Path;

/** Run in a child JVM: tries to open a store and prints what happened on one line. */
public final class LockProbe {

    private LockProbe() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[1]);
        try {
            AutoCloseable store = args[0].equals("server") ? MapDbServerStore.open(dir) : MapDbClientStore.openExisting(dir);
            store.close();
            System.out.println("opened");
        } catch (StoreException.LockedException e) {
            System.out.println("locked: " + e.getMessage());
        } catch (Exception e) {
            System.out.println("failed: " + e);
        }
    }
}
