package io.imr.store.mapdb;

import io.imr.api.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.mapdb.DB;

/**
 * Creating a store's database file so that a crash while creating it leaves either no store or a
 * complete one: the file and its journal are built and committed under temporary names, then
 * renamed into place (the journal first) and the directory synced. Without this, a store killed
 * while MapDB writes its first header would leave a file that exists but cannot be opened.
 */
final class StoreFiles {

    private StoreFiles() {
    }

    /**
     * Creates {@code dir/fileName} with what {@code init} puts into it, committed.
     *
     * @param syncs counts the syncs: those of the file under its temporary name and of the directory
     * @throws StoreException if it cannot be created; nothing is left under the final name
     */
    static void create(Path dir, String fileName, Consumer<DB> init, SyncCounter syncs) {
        Path target = dir.resolve(fileName);
        Path staging = dir.resolve(fileName + ".new");
        try {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(RedoJournal.pathFor(staging));
            Files.deleteIfExists(RedoJournal.pathFor(target));
            try (MapDbFile file = MapDbFile.open(staging, StoreFaults.NONE, RedoJournal.KEEP_ALL,
                    RedoJournal.DEFAULT_BYTES, syncs)) {
                init.accept(file.db());
                file.commit();
            }
            // The main file is not synced, its journal is: they go together. Should a crash come
            // between the two renames, the database file is missing and the store is created anew.
            Files.move(RedoJournal.pathFor(staging), RedoJournal.pathFor(target), StandardCopyOption.ATOMIC_MOVE);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir, syncs);
        } catch (IOException | RuntimeException e) {
            throw new StoreException("cannot create a store in " + dir + ": " + e, e);
        }
    }

    /** Makes the directory's entries (a created or renamed file) durable. */
    static void syncDirectory(Path dir, SyncCounter syncs) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            syncs.force(ch, true);
        }
    }

    /**
     * Creates the directory if needed.
     *
     * @throws StoreException if it cannot be created
     */
    static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create store directory " + dir + ": " + e, e);
        }
    }
}
