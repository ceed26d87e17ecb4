package io.imr.api;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One message in a recipient's sequence, as the server committed it and as a device stores it.
 *
 * <p>The payload array is owned by the message once it is constructed: callers must not change
 * it afterwards (it is not copied, to keep the delivery path free of needless allocations).
 *
 * @param id              stable id, {@code sender/clientId} (see {@link Names#messageId})
 * @param sender          the user who sent it
 * @param clientId        the id the sender's outbox gave it, unique per sender
 * @param recipient       the user whose sequence it is in
 * @param seq             its place in the recipient's sequence, from 1, consecutive per epoch
 * @param epoch           the epoch of the recipient's sequence it was numbered in, from 1
 * @param serverTimeMillis when the server accepted it, wall-clock milliseconds (for display only)
 * @param payload         the application's bytes
 * @param payloadChecksum the CRC32C of the payload that the sender computed ({@link Checksums})
 */
public record Message(String id, String sender, String clientId, String recipient, long seq, long epoch,
                      long serverTimeMillis, byte[] payload, int payloadChecksum) {

    /** The largest payload a message may carry (frames add their own, larger limit). */
    public static final int MAX_PAYLOAD = 1 << 20;

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the first field that is wrong and what is allowed
     */
    public Message {
        if (sender == null || sender != checkedSender) {
            Names.principal("sender", sender);
            checkedSender = sender;
        }
        Names.clientId(clientId);
        if (recipient == null || recipient != checkedRecipient) {
            Names.principal("recipient", recipient);
            checkedRecipient = recipient;
        }
        if (!isIdOf(id, sender, clientId)) {
            throw new IllegalArgumentException("message id must be sender/clientId (" + sender + "/" + clientId
                    + "), got " + Names.quote(id));
        }
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be 1 or more, got " + seq);
        }
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be 1 or more, got " + epoch);
        }
        if (serverTimeMillis < 0) {
            throw new IllegalArgumentException("server time must not be negative, got " + serverTimeMillis);
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload must be at most " + MAX_PAYLOAD + " bytes, got "
                    + payload.length);
        }
    }

    /*
     * The sender and recipient names last found valid. Messages come in batches that share these String
     * objects (decoded once per frame, read once per record), so a name is checked once while it is the
     * same object, not once per message. Racy on purpose: Strings are immutable, so whatever a thread reads
     * here was checked; a stale read only costs a check.
     */
    private static String checkedSender;
    private static String checkedRecipient;

    /** Whether {@code id} is {@code sender + "/" + clientId}, without building that string (it runs for every message). */
    private static boolean isIdOf(String id, String sender, String clientId) {
        int s = sender.length();
        return id != null && id.length() == s + 1 + clientId.length() && id.startsWith(sender) && id.charAt(s) == '/'
                && id.endsWith(clientId);
    }

    /** Builds a message whose id is derived from sender and client id. */
    public static Message of(String sender, String clientId, String recipient, long seq, long epoch,
                             long serverTimeMillis, byte[] payload, int payloadChecksum) {
        // The constructor checks sender and client id; the id is built from them unchecked, then compared.
        String id = sender == null || clientId == null ? null : sender + "/" + clientId;
        return new Message(id, sender, clientId, recipient, seq, epoch, serverTimeMillis, payload, payloadChecksum);
    }

    /** Whether the payload still matches the checksum its sender made (G4). */
    public boolean payloadIntact() {
        return Checksums.crc32c(payload) == payloadChecksum;
    }

    /** The same message renumbered in another epoch (G10). */
    public Message renumbered(long newSeq, long newEpoch) {
        return new Message(id, sender, clientId, recipient, newSeq, newEpoch, serverTimeMillis, payload,
                payloadChecksum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && seq == m.seq && epoch == m.epoch && serverTimeMillis == m.serverTimeMillis
                && payloadChecksum == m.payloadChecksum && id.equals(m.id) && recipient.equals(m.recipient)
                && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id.hashCode() + Long.hashCode(seq)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Message[" + id + " -> " + recipient + " seq=" + seq + " epoch=" + epoch + " payload="
                + payload.length + "B crc=" + HexFormat.of().toHexDigits(payloadChecksum) + "]";
    }
}
