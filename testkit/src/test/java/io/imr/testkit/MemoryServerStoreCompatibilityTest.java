package io.imr.testkit;

import io.imr.api.store.ServerStore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;

/** The simulator's server store keeps every rule of the SPI, as the MapDB store does. */
@DisplayName("MemoryServerStore: server store compatibility kit")
class MemoryServerStoreCompatibilityTest extends ServerStoreCompatibilityKit {

    /** What survives a restart: the data the store is opened over again. */
    private final ServerDisk disk = new ServerDisk(true);
    private final AtomicBoolean failNext = new AtomicBoolean();

    @Override
    protected ServerStore open() {
        return MemoryServerStore.direct(disk, () -> failNext.getAndSet(false));
    }

    @Override
    protected void failNextWrite() {
        failNext.set(true);
    }
}
