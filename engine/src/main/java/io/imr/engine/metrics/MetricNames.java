package io.imr.engine.metrics;

/**
 * Every meter imr registers (section 7 of the specification): dotted, lower case, base units.
 * Tags: {@link #TAG_STRATEGY} and {@link #TAG_SIDE} on all, and never a user, device or message
 * id (unbounded tag values would blow up a monitoring system).
 */
public final class MetricNames {

    public static final String TAG_STRATEGY = "strategy";
    public static final String TAG_SIDE = "side";
    public static final String SIDE_CLIENT = "client";
    public static final String SIDE_SERVER = "server";

    /** Messages that arrived in deliveries or pull results (client), or sends accepted (server). */
    public static final String MESSAGES_RECEIVED = "imr.messages.received";
    /** Messages committed to the store. */
    public static final String MESSAGES_COMMITTED = "imr.messages.committed";
    /** Messages that arrived again and were dropped (client), or resends answered from the dedup index (server). */
    public static final String MESSAGES_DUPLICATE = "imr.messages.duplicate";
    /** Messages whose payload checksum failed; dropped. */
    public static final String MESSAGES_CORRUPT = "imr.messages.corrupt";
    /** Messages retention removed from the server's inboxes (server). */
    public static final String MESSAGES_TRIMMED = "imr.messages.trimmed";
    /** Messages a device can no longer get, recorded as expired ranges when it came back (client). */
    public static final String MESSAGES_EXPIRED = "imr.messages.expired";
    /** Holes seen in the sequence. */
    public static final String GAPS_DETECTED = "imr.gaps.detected";
    /** Pull requests (sent by the client, answered by the server). */
    public static final String PULLS = "imr.pulls";
    /** Messages carried in pull results. */
    public static final String PULL_MESSAGES = "imr.pull.messages";
    /** Confirmation frames sent (ack, ack-up-to). */
    public static final String ACKS_SENT = "imr.acks.sent";
    /** Messages sent again. */
    public static final String RETRANSMITS = "imr.retransmits";
    /** Payload bytes on the wire, each way. */
    public static final String BYTES_PAYLOAD = "imr.bytes.payload";
    /** Bytes on the wire that are not payload (headers, acks, pulls, heartbeats), each way. */
    public static final String BYTES_CONTROL = "imr.bytes.control";
    /**
     * Bytes of frames between a receiving device and the server that carry no message: ack, ack-up-to,
     * pull and notify (not send-ack, ping or pong), each way. What a strategy pays to confirm and repair.
     */
    public static final String BYTES_CONFIRMATION = "imr.bytes.confirmation";
    /** Messages per store commit. */
    public static final String COMMIT_BATCH_SIZE = "imr.commit.batch.size";
    /** How long store commits take. */
    public static final String COMMIT_DURATION = "imr.commit.duration";
    /**
     * Syncs (fsync/fdatasync) the store made to make its commits durable, from its opening on (MapDB
     * stores: 1 per commit, and 2 more at a checkpoint when the journal is full). Tagged with {@link #TAG_SIDE} only: a device's store syncs before its
     * server picks a strategy. The stores of one side that share a registry are summed.
     */
    public static final String STORE_SYNCS = "imr.store.syncs";
    /**
     * How long each of those syncs took: the disk's share of every commit. A histogram (Prometheus buckets
     * {@code imr_store_sync_duration_seconds_bucket}), tagged and summed as {@link #STORE_SYNCS}. On a disk that
     * several stores share, its tail is the tail of a durable message's latency.
     */
    public static final String STORE_SYNC_DURATION = "imr.store.sync.duration";
    /** From the server's accept to the device's commit (client side; needs comparable clocks). */
    public static final String DELIVERY_LATENCY = "imr.delivery.latency";
    /** Messages sent to devices and not yet confirmed. */
    public static final String UNCONFIRMED = "imr.unconfirmed";
    /** Sessions up now. */
    public static final String SESSIONS = "imr.sessions";
    /** Sends in the outbox, waiting for the server's confirmation. */
    public static final String OUTBOX_PENDING = "imr.outbox.pending";
    /** Frames connections handed to the engine and it has not processed yet (back-pressure, G7). */
    public static final String INBOUND_PENDING = "imr.engine.inbound.pending";
    /** Connections the engine keeps from being read now: too much of their work waits (back-pressure). */
    public static final String INBOUND_PAUSED = "imr.engine.inbound.paused";
    /** Times the engine stopped reading a connection (a running count, as a gauge). */
    public static final String INBOUND_PAUSES = "imr.engine.inbound.pauses";
    /**
     * Sessions the server started from the first message it holds because it could not vouch for the
     * device's position (G10), tagged with {@link #TAG_REASON}.
     */
    public static final String RESYNCS = "imr.resyncs";
    /** Hellos refused because a session of a later start of the same device is open (STALE_HELLO). */
    public static final String HELLOS_STALE = "imr.hellos.stale";
    /**
     * Hellos refused for their token (server), tagged with {@link #TAG_REASON}: {@code malformed},
     * {@code bad-signature}, {@code unknown-key}, {@code retired-key}, {@code expired},
     * {@code wrong-principal}, {@code revoked}.
     */
    public static final String AUTH_REFUSED = "imr.auth.refused";
    /**
     * Frames of devices the server ignored (server), tagged with {@link #TAG_REASON}: {@code not-delivered}
     * (an ack of a message not delivered to that device, or above what it was sent), {@code other-strategy} (a
     * confirmation frame the server's strategy does not use).
     */
    public static final String FRAMES_IGNORED = "imr.frames.ignored";
    /**
     * What a limit of the server held back, tagged with {@link #TAG_KIND}: {@code send} (an answer RATE_LIMITED to a
     * message, sent again later; counted on the server and on the device, resends included), {@code pull} (a pull beyond pull-rate: answered late,
     * or dropped when one already waits), {@code sessions} (a hello beyond max-sessions-per-user),
     * {@code connections} (a connection beyond max-connections-per-address), {@code connection-rate} (a connection
     * beyond connection-rate).
     */
    public static final String LIMITED = "imr.limited";
    /** The tag of {@link #LIMITED}. */
    public static final String TAG_KIND = "kind";
    /** {@link #LIMITED}'s kinds. */
    public static final String LIMITED_SEND = "send";
    public static final String LIMITED_PULL = "pull";
    public static final String LIMITED_SESSIONS = "sessions";
    public static final String LIMITED_CONNECTIONS = "connections";
    public static final String LIMITED_CONNECTION_RATE = "connection-rate";
    /** {@link #FRAMES_IGNORED}'s reason for a confirmation of seqs never delivered to the device. */
    public static final String IGNORED_NOT_DELIVERED = "not-delivered";
    /** {@link #FRAMES_IGNORED}'s reason for a frame of another strategy. */
    public static final String IGNORED_OTHER_STRATEGY = "other-strategy";
    /** Why: of a resync, one of {@code beyond-max-seq}, {@code not-vouched}, {@code other-epoch}, {@code no-id}. */
    public static final String TAG_REASON = "reason";

    private MetricNames() {
    }
}
