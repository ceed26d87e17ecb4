package io.imr.bench.profile;

import java.util.List;
import java.util.Objects;

/**
 * Which {@link Stage} a sampled stack counts for: the rules, in one ordered list, and how they
 * are applied.
 *
 * <p><b>A stack</b> is a list of frames, the innermost (the running method) first, each written
 * {@code "fully.qualified.Class.method"} (nested classes with {@code $}, lambda classes as
 * {@code Outer$$Lambda}), optionally followed by one pseudo-frame {@code "thread:NAME"} naming the
 * sampled thread, which thus counts last of all.
 *
 * <p><b>Attribution</b> walks the stack from the top down. At each frame the first rule of
 * {@link #RULES} that matches it decides that frame. A {@link Kind#CODE CODE} rule ends the walk:
 * the innermost recognizable code wins, so a CRC computed inside the store's commit counts as
 * CRC, and a socket write made by the engine as transport. A {@link Kind#LIBRARY LIBRARY} rule
 * (MapDB, protobuf, the store's shared helpers, file I/O) only remembers its stage and the walk
 * goes on: a library counts for the code that called it (protobuf inside {@code FrameCodec.decode}
 * is decode, MapDB inside the dedup lookup is dedup), and for its own stage only when no CODE rule
 * matches further down. A stack no rule matches is {@link Stage#OTHER}.
 */
public final class StageRules {

    /** How a rule's match counts; see the class comment. */
    public enum Kind {
        /** The innermost frame a CODE rule matches decides the stage. */
        CODE,
        /** Counts only if no CODE rule matches a frame further down (the caller says what the call was for). */
        LIBRARY
    }

    /** A test of the frame at {@code index} of a stack; it may look at the frames around it. */
    @FunctionalInterface
    public interface FrameTest {
        boolean test(List<String> stack, int index);
    }

    /**
     * One rule.
     *
     * @param stage   what the frames it matches count for
     * @param kind    whether a match decides, or defers to the code further down
     * @param catches what it catches, in words
     * @param test    the frames it matches
     */
    public record Rule(Stage stage, Kind kind, String catches, FrameTest test) {
        public Rule {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(catches, "catches");
            Objects.requireNonNull(test, "test");
        }
    }

    /** The prefix of the pseudo-frame that names the sampled thread, last in a stack. */
    public static final String THREAD = "thread:";

    private static final String STORE = "io.imr.store.mapdb.";
    private static final String GROUP = STORE + "MapDbServerStore$Group.";
    private static final String CLIENT_GROUP = STORE + "MapDbClientStore$Group.";

    /**
     * The rules, in the order they are tried on each frame. Only the order among rules that can
     * match the same frame matters; they are grouped by stage, in the order of {@link Stage}.
     */
    public static final List<Rule> RULES = List.of(
            // ------------------------------------------------------------------ CRC
            code(Stage.CRC, "the JDK's CRC32 and CRC32C (and Checksum's default methods): the frame CRC of every"
                            + " encode and decode, the payload checksum (G4), the redo journal's record CRC",
                    frames("java.util.zip.CRC32.", "java.util.zip.CRC32C.", "java.util.zip.Checksum.")),
            code(Stage.CRC, "imr's own checksum code: Checksums.crc32c, Message.payloadIntact,"
                            + " RedoJournal.crc",
                    frames("io.imr.api.Checksums.", "io.imr.api.Message.payloadIntact", STORE + "RedoJournal.crc")),

            // ------------------------------------------------------------------ dedup
            code(Stage.DEDUP, "the dedup index's keys and entries (ServerCodecs), and fetching the message a"
                              + " duplicate was first stored as (ServerLayout.messageAt/messageByKey, findBySender)",
                    frames(STORE + "ServerCodecs.dedupKey", STORE + "ServerCodecs.encodeRef",
                            STORE + "ServerCodecs.decodeRef", STORE + "ServerCodecs$DedupRef.",
                            STORE + "ServerLayout.messageAt", STORE + "ServerLayout.messageByKey",
                            STORE + "MapDbServerStore.findBySender")),
            code(Stage.DEDUP, "the B-tree descents into a dedup index: MapDB (and whatever it calls) entered directly"
                              + " from the server writer's apply step, which calls MapDB itself only for"
                              + " layout.dedup.putIfAbsent (its other reads go through ServerLayout); likewise the"
                              + " receiving device's index of the message ids it holds, client.ids, entered directly"
                              + " from the client store's apply and number steps (ids.put, ids.containsKey)",
                    insideCallFrom("org.mapdb.", GROUP + "apply", CLIENT_GROUP + "apply", CLIENT_GROUP + "number")),

            // ------------------------------------------------------------------ seq assignment
            code(Stage.SEQ, "the server store's apply step, which assigns seqs inside the commit (max seq + 1 of"
                            + " the inbox, the new Message, its place in the group), and reading the inbox meta for it"
                            + " (Group.meta; the ServerLayout/InboxMeta/MapDB calls under it are helpers)",
                    frames(GROUP + "apply", GROUP + "lambda$apply$", GROUP + "meta")),

            // ------------------------------------------------------------------ encode
            code(Stage.ENCODE, "imr's frame encoder: FrameCodec.encode/encodeWithLength (and its private writeBody,"
                               + " toProto, size checks), ToProto, MessageMapping.toProto/sizeInBatch, WireText",
                    frames("io.imr.wire.FrameCodec.encode", "io.imr.wire.FrameCodec.writeBody",
                            "io.imr.wire.FrameCodec.toProto", "io.imr.wire.FrameCodec.checkPayloads",
                            "io.imr.wire.FrameCodec.checkedBodySize", "io.imr.wire.FrameCodec.tooLarge",
                            "io.imr.wire.FrameCodec.writeInt", "io.imr.wire.ToProto.",
                            "io.imr.wire.MessageMapping.toProto", "io.imr.wire.MessageMapping.sizeInBatch",
                            "io.imr.wire.WireText.")),

            // ------------------------------------------------------------------ decode
            code(Stage.DECODE, "imr's frame decoder: LengthPrefixedDecoder cutting the TCP stream (the sink it hands"
                               + " frames to sits above it and wins), FrameCodec.decode/parse, FromProto,"
                               + " MessageMapping.fromProto, Strict, ProtocolException",
                    frames("io.imr.wire.LengthPrefixedDecoder.", "io.imr.wire.FrameCodec.decode",
                            "io.imr.wire.FrameCodec.parse", "io.imr.wire.FrameCodec.checkBodyLength",
                            "io.imr.wire.FrameCodec.readInt", "io.imr.wire.FromProto.",
                            "io.imr.wire.MessageMapping.fromProto", "io.imr.wire.Strict.",
                            "io.imr.wire.ProtocolException.")),

            // ------------------------------------------------------------------ store commit
            code(Stage.STORE_COMMIT, "device states, which the writer's apply step merges in the same groups as"
                                     + " appends: not seq assignment",
                    frames(STORE + "ServerLayout.device", STORE + "ServerCodecs.deviceKey",
                            STORE + "ServerCodecs.merge", STORE + "ServerCodecs.encodeDevice",
                            STORE + "ServerCodecs.decodeDevice")),
            library(Stage.STORE_COMMIT, "JournaledVolume's read path (the main file under MapDB): counted for"
                                        + " whoever reads (a dedup descent, a pull, the commit)",
                    frames(STORE + "JournaledVolume.read", STORE + "JournaledVolume.get",
                            STORE + "JournaledVolume.lambda$read$", STORE + "JournaledVolume.io",
                            STORE + "JournaledVolume.overlayHeld", STORE + "JournaledVolume$$Lambda")),
            library(Stage.STORE_COMMIT, "the store's shared helpers, counted for their caller (dedup, seq"
                                        + " assignment, the commit's flush, a read): ServerLayout's other methods"
                                        + " (readMeta, appendMessages, read, message), the record codecs Bytes,"
                                        + " InboxMeta, MessageBatchCodec",
                    frames(STORE + "ServerLayout.", STORE + "Bytes.", STORE + "Bytes$", STORE + "InboxMeta.",
                            STORE + "MessageBatchCodec.")),
            code(Stage.STORE_COMMIT, "the rest of imr's stores: MapDbServerStore/MapDbClientStore, the group's flush,"
                                     + " StoreEngine (its writer thread, group commit, completions), MapDbFile,"
                                     + " RedoJournal, JournaledVolume, the client store's outbox and rules",
                    frames(STORE)),
            code(Stage.STORE_COMMIT, "the bench's receiving store for the peers (MapDB with group commit)",
                    frames("io.imr.bench.peer.PeerStore")),
            code(Stage.STORE_COMMIT, "FileChannel.force: fsync/fdatasync (blocked in native code, so seldom in a CPU"
                                     + " sample)",
                    frames("sun.nio.ch.FileChannelImpl.force", "sun.nio.ch.FileDispatcherImpl.force")),
            code(Stage.STORE_COMMIT, "anything else on a store's writer or completion thread"
                                     + " (imr-<db>-<dir>-writer, -completion)",
                    thread("imr-", "-writer", "-completion")),

            // ------------------------------------------------------------------ strategy
            code(Stage.STRATEGY, "the reliability strategies and their support code: io.imr.strategy.*",
                    frames("io.imr.strategy.")),

            // ------------------------------------------------------------------ engine
            code(Stage.ENGINE, "the rest of the engine (sessions, devices, AppendPipeline, outbox, dispatch,"
                               + " drivers, metrics) and its wiring (io.imr.embed)",
                    frames("io.imr.engine.", "io.imr.embed.")),
            code(Stage.ENGINE, "anything else on the engine's threads (imr-<name>-engine, -read)",
                    thread("imr-", "-engine", "-read")),

            // ------------------------------------------------------------------ transport
            code(Stage.TRANSPORT, "imr's transport and its stack: io.imr.transport.*, Vert.x, Netty",
                    frames("io.imr.transport.", "io.vertx.", "io.netty.")),
            code(Stage.TRANSPORT, "the JDK's socket I/O and selectors",
                    frames("sun.nio.ch.SocketChannelImpl", "sun.nio.ch.SocketDispatcher", "sun.nio.ch.NioSocketImpl",
                            "sun.nio.ch.SocketAdaptor", "sun.nio.ch.EPoll", "sun.nio.ch.SelectorImpl",
                            "sun.nio.ch.SelectionKeyImpl", "sun.nio.ch.Net.", "java.net.Socket",
                            "java.net.ServerSocket")),
            code(Stage.TRANSPORT, "the peers' client libraries as a whole (Paho MQTT, jnats)",
                    frames("org.eclipse.paho.", "io.nats.")),
            code(Stage.TRANSPORT, "anything else on a Vert.x thread (event loops, acceptor, internal blocking)",
                    thread("vert.x-", "")),

            // ------------------------------------------------------------------ listener
            code(Stage.LISTENER, "the application, i.e. the bench's own code: its receivers' listeners (what runs"
                                 + " on each committed message), its senders' loops, and its latency recording",
                    frames("io.imr.bench.", "org.HdrHistogram.")),

            // ------------------------------------------------------------------ GC and JVM
            code(Stage.GC_JVM, "JFR's own Java code (the recorder's periodic tasks, event writing)",
                    frames("jdk.jfr.")),
            code(Stage.GC_JVM, "class loading and linking, wherever it is triggered (warm-up): class loaders,"
                               + " reading the jars, bootstrapping invokedynamic call sites (lambdas, string"
                               + " concatenation), spinning their classes",
                    frames("java.lang.ClassLoader.", "jdk.internal.loader.", "java.security.SecureClassLoader.",
                            "java.net.URLClassLoader.", "java.lang.invoke.MethodHandleNatives.link",
                            "java.lang.invoke.CallSite.makeSite", "java.lang.invoke.BootstrapMethodInvoker.",
                            "java.lang.invoke.StringConcatFactory.", "java.lang.invoke.LambdaMetafactory.",
                            "java.lang.invoke.InnerClassLambdaMetafactory.", "jdk.internal.org.objectweb.asm.")),
            code(Stage.GC_JVM, "the JVM's service threads that run Java code (GC, JIT and VM threads are never"
                               + " sampled by JFR)",
                    threadNamed("Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner",
                            "Attach Listener", "Notification Thread", "JFR ", "Service Thread")),

            // ------------------------------------------------------------------ libraries: counted for their caller
            library(Stage.STORE_COMMIT, "MapDB, when no imr code below says what for (PeerStore, the stores, the"
                                        + " dedup descent do)",
                    frames("org.mapdb.")),
            library(Stage.STORE_COMMIT, "file I/O: FileChannel reads and writes",
                    frames("sun.nio.ch.FileChannelImpl", "sun.nio.ch.FileDispatcherImpl", "java.io.RandomAccessFile")),
            library(Stage.ENCODE, "protobuf writing, when no imr code below says why",
                    frames("com.google.protobuf.CodedOutputStream", "com.google.protobuf.Utf8.encode")),
            library(Stage.DECODE, "protobuf parsing, when no imr code below says why",
                    frames("com.google.protobuf.CodedInputStream", "com.google.protobuf.Utf8.decode",
                            "com.google.protobuf.AbstractParser", "com.google.protobuf.UnsafeByteOperations")));

    private StageRules() {
    }

    /** The stage a stack counts for; see the class comment. */
    public static Stage attribute(List<String> stack) {
        Stage library = null;
        for (int i = 0; i < stack.size(); i++) {
            Rule rule = firstMatch(stack, i);
            if (rule == null) {
                continue;
            }
            if (rule.kind() == Kind.CODE) {
                return rule.stage();
            }
            if (library == null) {
                library = rule.stage();
            }
        }
        return library != null ? library : Stage.OTHER;
    }

    /** The rule that decides the frame at {@code index}, or null if none matches it. */
    public static Rule firstMatch(List<String> stack, int index) {
        for (Rule rule : RULES) {
            if (rule.test().test(stack, index)) {
                return rule;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- building rules

    private static Rule code(Stage stage, String catches, FrameTest test) {
        return new Rule(stage, Kind.CODE, catches, test);
    }

    private static Rule library(Stage stage, String catches, FrameTest test) {
        return new Rule(stage, Kind.LIBRARY, catches, test);
    }

    /** A frame (not the thread pseudo-frame) that starts with one of the prefixes. */
    static FrameTest frames(String... prefixes) {
        List<String> list = List.of(prefixes);
        return (stack, i) -> {
            String frame = stack.get(i);
            for (String p : list) {
                if (frame.startsWith(p)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The thread pseudo-frame of a thread whose name starts with {@code prefix} and ends with one of the suffixes. */
    static FrameTest thread(String prefix, String... suffixes) {
        List<String> list = List.of(suffixes);
        return (stack, i) -> {
            String frame = stack.get(i);
            if (!frame.startsWith(THREAD) || !frame.startsWith(prefix, THREAD.length())) {
                return false;
            }
            for (String s : list) {
                if (frame.endsWith(s)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** The thread pseudo-frame of a thread whose name starts with one of the prefixes. */
    static FrameTest threadNamed(String... prefixes) {
        List<String> list = List.of(prefixes);
        return (stack, i) -> {
            String frame = stack.get(i);
            if (!frame.startsWith(THREAD)) {
                return false;
            }
            for (String p : list) {
                if (frame.startsWith(p, THREAD.length())) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * A frame inside a call into {@code library} that one of {@code callers} made itself: below the
     * frame lie only frames that are not imr's ({@code io.imr.*}) down to the first imr frame, which
     * starts with one of the callers, and the frame just above that one, the call's entry, starts with
     * {@code library}. A call that passes through other imr code on the way (MapDB calling imr's
     * {@code JournaledVolume}) stops at that code.
     */
    static FrameTest insideCallFrom(String library, String... callers) {
        FrameTest caller = frames(callers);
        return (stack, i) -> {
            if (isImr(stack.get(i))) {
                return false;
            }
            int j = i + 1;
            while (j < stack.size() && !isImr(stack.get(j))) {
                j++;
            }
            return j < stack.size() && caller.test(stack, j) && stack.get(j - 1).startsWith(library);
        };
    }

    private static boolean isImr(String frame) {
        return frame.startsWith("io.imr.");
    }
}
