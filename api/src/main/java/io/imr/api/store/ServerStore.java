package io.imr.api.store;

import io.imr.api.Message;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The server's store: each user's inbox (its sequence of messages, seqs assigned in the commit
 * that stores them, so that a failed commit leaves no hole), the dedup index by (sender, client
 * id) (G6), and each device's cursor and confirmed watermark.
 *
 * <p><b>Dedup rule.</b> A client id is {@code <outbox id>-<counter>} ({@link io.imr.api.ClientIds}):
 * each device store has one outbox id and numbers its sends from 1 without ever reusing a counter,
 * though it may skip some. A submission is a duplicate exactly when the same sender's submission
 * with the same outbox id and counter was stored before, by an earlier commit or earlier in the same
 * commit or group; it is then answered with the message stored first (its recipient, seq, payload
 * and time, whatever the resend says) and stores nothing. Any other submission is new, whatever
 * order its counter comes in (a counter below ones stored already, in a gap, was never stored,
 * because counters are not reused). What the index knows is kept at least as long as the message
 * is in the inbox and at least the configured time (G6); the stores of imr never forget it. A
 * store may keep the index in any form: the MapDB store keeps runs of consecutive counters of one
 * outbox stored for one recipient with consecutive seqs, one record per run.
 *
 * <p><b>Rejection rule.</b> A commit with a submission whose client id is not
 * {@code <outbox id>-<counter>}, whose payload is larger than {@link Message#MAX_PAYLOAD}, or whose
 * payload does not match its checksum (G4) is rejected with {@link StoreException.RejectedException}:
 * nothing of it is stored and no seq is used up, and it fails alone.
 *
 * <p>A user's epoch stays what it is: nothing a device says changes a user's sequence (G8, G10).
 *
 * <p>One writer, group commit, durable commits and completion on the store's own threads, as
 * for {@link ClientStore}. Thread-safe.
 */
public interface ServerStore extends AutoCloseable {

    /**
     * Commits atomically and durably. Each submission not seen before gets the next seq of its
     * recipient's sequence in the current epoch; one seen before (same sender, outbox id and
     * counter: the dedup rule above) is answered with the message stored first, and stores nothing.
     *
     * <p><b>Failure rule.</b> When the stage completes exceptionally nothing of this commit is
     * stored, no seq was used up, and the dedup index does not know its submissions: with
     * {@link StoreException.RejectedException} when it breaks a rule (the rejection rule above; it
     * fails alone); with
     * {@link StoreException} when writing failed, in which case commits grouped with it fail the
     * same way, each on its own stage, and the store stays usable; with
     * {@link StoreException.ClosedException} when closed. A resend of a failed submission is then
     * stored as new. A stage that completed normally survives a crash or power cut.
     *
     * @return one {@link Accepted} per submission, in order
     */
    CompletionStage<List<Accepted>> commit(ServerCommit commit);

    /**
     * Up to {@code limit} committed messages of a user's inbox from {@code fromSeq} on, in seq
     * order. <b>Failure rule:</b> changes nothing; an I/O error throws {@link StoreException}.
     */
    List<Message> read(String user, long fromSeq, int limit);

    /** The committed state of a user's inbox (epoch 1 and seqs 0 for a user with none). */
    InboxState inbox(String user);

    /** What is kept of a device, if it was ever written. */
    Optional<DeviceState> device(String user, String device);

    /**
     * What is kept of each device of a user that was ever written, in device name order. <b>Failure rule:</b>
     * changes nothing; an I/O error throws {@link StoreException}.
     */
    List<DeviceState> devices(String user);

    /**
     * Up to {@code limit} users with an inbox, in name order, after {@code after} (empty for the first):
     * for retention's sweeps. <b>Failure rule:</b> changes nothing; an I/O error throws {@link StoreException}.
     */
    List<String> users(String after, int limit);

    /**
     * The lowest seq the user's inbox holds whose message was stored at {@code millis} or later by the server's
     * wall clock ({@link InboxState#maxSeq()} + 1 when none): the bound below which {@link #trim} removes what
     * is older than a time. <b>Failure rule:</b> changes nothing; an I/O error throws {@link StoreException}.
     */
    long firstSeqSince(String user, long millis);

    /**
     * Removes durably the messages of the user's inbox below seq {@code below} (retention): afterwards
     * {@link #read} starts at the first seq held, {@link InboxState#firstSeq()} is that seq ({@code maxSeq + 1}
     * when nothing is left), and numbering continues where it was. A below at or under the first seq held
     * removes nothing; one above {@code maxSeq + 1} is taken as {@code maxSeq + 1}.
     *
     * <p>What the dedup index knows of the trimmed messages stays (G6): a resend of one is a duplicate,
     * answered with its seq and epoch by an {@link Accepted#trimmed} answer, and stores nothing;
     * {@link #findBySender} no longer finds it. {@link #vouches} for a trimmed seq checks what the store can
     * still check, the generation that stored it, not its id.
     *
     * <p><b>Failure rule.</b> When the stage completes exceptionally nothing was removed: with
     * {@link StoreException} when writing failed (the store stays usable), with
     * {@link StoreException.ClosedException} when closed. Trimming is idempotent: trimming again below the
     * same seq removes nothing more. A stage that completed normally survives a crash or power cut.
     *
     * @return the inbox as the trim left it
     * @throws IllegalArgumentException for a user name that is not valid or a below under 1
     */
    CompletionStage<InboxState> trim(String user, long below);

    /**
     * The message stored under this sender and client id, if any and still held (the dedup index): empty for a
     * client id that is not {@code <outbox id>-<counter>}, which is never stored, and for a message trimmed
     * since ({@link #trim}).
     *
     * @throws IllegalArgumentException if the sender is not a valid name or the client id not a valid id
     */
    Optional<Message> findBySender(String sender, String clientId);

    /**
     * The generation of this store: an id made anew each time the store is opened and recorded in it, in
     * order, with the messages each generation stored. A device echoes the generation of the session in
     * which it committed its cursor (G10). A copy of the store restored later records a generation of its
     * own when it is opened, and does not know the generations that ran on the original after the copy.
     * At most {@link io.imr.api.frame.Hello#MAX_SERVER_STORE} characters.
     */
    String generation();

    /**
     * Whether a device that committed message {@code id} at {@code seq} in a session of {@code generation}
     * holds the same sequence as this store up to it: this store holds {@code id} at the user's {@code seq},
     * stored by {@code generation} or by a generation before it, and knows {@code generation}. Anything else
     * (a generation this store never ran, such as one that ran on the original after the copy this store
     * was restored from, or of another store; another message at the seq; a seq never given) vouches for
     * nothing, and the server serves the device from the start of what it holds. For a seq trimmed since
     * ({@link #trim}) the id is not checked (it may be empty): the store vouches when the generation that
     * stored the seq was {@code generation} or one before it that it knows.
     *
     * <p><b>Failure rule:</b> changes nothing; an I/O error throws {@link StoreException}.
     */
    boolean vouches(String user, long seq, String id, String generation);

    /** As {@link ClientStore#close()}. */
    @Override
    void close();
}
