package io.imr.api.store;

import io.imr.api.Message;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A device's local store: the messages it received, contiguous in its user's sequence; its
 * cursor ({@code LastReceivedSeqID}) and the id at it; its epoch; the outbox of sends the server
 * has not confirmed; the hand-over marker of the listener.
 *
 * <p>One writer per store: commits are queued to it and grouped (all commits that arrive while
 * one runs go into the next), and each returned stage completes only after the durable commit
 * (synced to disk) that holds it returned. Stages complete on the store's own threads: do not
 * block in their callbacks. Reads see committed data only.
 *
 * <p>Implementations are thread-safe.
 */
public interface ClientStore extends AutoCloseable {

    /**
     * The committed state. Reflects every commit whose stage has completed.
     *
     * @throws StoreException.ClosedException after {@link #close()}
     */
    ClientState state();

    /**
     * Commits atomically and durably.
     *
     * <p><b>Failure rule.</b> When the stage completes exceptionally, nothing of this commit is
     * stored and the committed state is as before it: with
     * {@link StoreException.RejectedException} when the commit breaks a rule of the store
     * (checked before it is grouped with others, so it fails alone); with
     * {@link StoreException} when writing failed (a full disk, an I/O error), in which case
     * commits grouped with it fail the same way, each on its own stage, and the store stays
     * usable for later commits; with {@link StoreException.ClosedException} when the store is
     * closed. A commit whose stage completed normally survives a crash or power cut.
     *
     * @return the committed state right after this commit
     */
    CompletionStage<ClientState> commit(ClientCommit commit);

    /**
     * Up to {@code limit} committed messages from {@code fromSeq} on, in seq order.
     *
     * <p><b>Failure rule.</b> Reading changes nothing; on an I/O error it throws
     * {@link StoreException}.
     */
    List<Message> read(long fromSeq, int limit);

    /**
     * The sends waiting for the server's confirmation, by counter.
     *
     * <p><b>Failure rule.</b> Reading changes nothing; on an I/O error it throws
     * {@link StoreException}.
     */
    List<OutboxEntry> outbox();

    /**
     * Waits for queued commits to finish, then closes the files. Commits submitted afterwards
     * fail with {@link StoreException.ClosedException}. Closing twice does nothing.
     */
    @Override
    void close();
}
