package io.imr.bench.profile;

/**
 * The stages of delivering a message that a profile attributes CPU samples to, in the order the
 * profile shows them. {@link StageRules} says which code counts for which stage.
 */
public enum Stage {
    /** Frames into bytes: imr's wire codec ({@code FrameCodec.encode}, {@code ToProto}, protobuf writing). */
    ENCODE("encode"),
    /** Bytes into frames: {@code LengthPrefixedDecoder}, {@code FrameCodec.decode}, {@code FromProto}, protobuf parsing. */
    DECODE("decode"),
    /** Checksums: the JDK's {@code CRC32}/{@code CRC32C}, imr's {@code Checksums}, the redo journal's record CRC. */
    CRC("CRC"),
    /**
     * The dedup indexes: the server store's ({@code server.dedup}: its keys, entries and B-tree
     * descents) and a receiving device's index of the message ids it holds ({@code client.ids}).
     */
    DEDUP("dedup"),
    /** The server store's writer assigning each new message its seq (the store assigns seqs inside its commit). */
    SEQ("seq assignment"),
    /** The stores: MapDB, the redo journal, {@code FileChannel.force}, the stores' writer and completion threads. */
    STORE_COMMIT("store commit"),
    /** The reliability strategies, {@code io.imr.strategy.*}. */
    STRATEGY("strategy"),
    /** The rest of {@code io.imr.engine} (and its wiring, {@code io.imr.embed}). */
    ENGINE("engine"),
    /** Vert.x, Netty, socket I/O; imr's {@code transport-vertx}; the peers' client libraries. */
    TRANSPORT("transport"),
    /** The application: in the bench, the bench's own code (its receiver's listener, its sender loop). */
    LISTENER("listener"),
    /**
     * The JVM's own work in Java code: class loading and linking (warm-up), JFR, reference handling.
     * JFR never samples GC or JIT threads themselves.
     */
    GC_JVM("GC and JVM"),
    /** Everything no rule recognizes. */
    OTHER("other");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    /** The name the tables and the JSON use. */
    public String label() {
        return label;
    }
}
