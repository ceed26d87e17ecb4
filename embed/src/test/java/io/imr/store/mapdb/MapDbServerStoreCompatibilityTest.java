package io.imr.store.mapdb;

import io.imr.api.store.ServerStore;
import io.imr.testkit.ServerStoreCompatibilityKit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MapDB server store keeps every rule of the SPI: {@link ServerStoreCompatibilityKit} on real files.
 *
 * <p>It lives in this module's tests, in the store's package, because store-mapdb cannot depend on the
 * testkit (the testkit depends on the engine, whose tests depend on store-mapdb: Maven refuses the
 * cycle). A write failure is injected through the store's {@link StoreFaults}, after the group was
 * applied to MapDB's transaction and before {@code DB.commit()}: the path a full disk takes.
 */
@DisplayName("MapDbServerStore: server store compatibility kit")
class MapDbServerStoreCompatibilityTest extends ServerStoreCompatibilityKit {

    @TempDir
    Path dir;

    private final AtomicBoolean failNext = new AtomicBoolean();

    private final StoreFaults faults = new StoreFaults() {
        @Override
        public void at(Point point) throws IOException {
            if (point == Point.AFTER_APPLY && failNext.getAndSet(false)) {
                throw new IOException("No space left on device (injected)");
            }
        }
    };

    @Override
    protected ServerStore open() {
        return MapDbServerStore.open(dir, StoreOptions.DEFAULTS.withFaults(faults));
    }

    @Override
    protected void failNextWrite() {
        failNext.set(true);
    }
}
