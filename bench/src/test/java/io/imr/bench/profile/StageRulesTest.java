package io.imr.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules on stacks written by hand, innermost frame first, as the real ones look. */
class StageRulesTest {

    private static final String[] SERVER_EVENT_LOOP = {
            "io.netty.channel.nio.NioEventLoop.processSelectedKeys",
            "io.netty.channel.nio.NioEventLoop.run",
            "io.netty.util.concurrent.SingleThreadEventExecutor$4.run",
            "java.lang.Thread.run",
            "thread:vert.x-eventloop-thread-1"};

    private static final String[] STORE_WRITER = {
            "io.imr.store.mapdb.StoreEngine.commitGroup",
            "io.imr.store.mapdb.StoreEngine.runWriter",
            "io.imr.store.mapdb.StoreEngine$$Lambda.run",
            "java.lang.Thread.run",
            "thread:imr-server.db-data-writer"};

    private static final String[] APPLY = concat(new String[] {
            "io.imr.store.mapdb.MapDbServerStore$Group.apply"}, STORE_WRITER);

    private static final String[] TCP_READ = concat(new String[] {
            "io.imr.wire.LengthPrefixedDecoder.feed",
            "io.imr.transport.vertx.TcpConnection.onData",
            "io.vertx.core.net.impl.NetSocketImpl.handleMessage"}, SERVER_EVENT_LOOP);

    private static Stage of(String... stack) {
        return StageRules.attribute(List.of(stack));
    }

    private static String[] concat(String[] top, String... below) {
        List<String> all = new ArrayList<>(Arrays.asList(top));
        all.addAll(Arrays.asList(below));
        return all.toArray(String[]::new);
    }

    @Test
    void crcCountsAsCrcWhereverItIsCalledFrom() {
        assertThat(of(concat(new String[] {
                "java.util.zip.CRC32C.updateBytes",
                "java.util.zip.CRC32C.update",
                "io.imr.api.Checksums.crc32c",
                "io.imr.store.mapdb.MapDbServerStore.commit",
                "io.imr.engine.AppendPipeline.lambda$flushAppends$1"}, SERVER_EVENT_LOOP))).isEqualTo(Stage.CRC);
        assertThat(of(concat(new String[] {
                "java.util.zip.CRC32C.update",
                "io.imr.wire.FrameCodec.decode"}, TCP_READ))).isEqualTo(Stage.CRC);
        assertThat(of(concat(new String[] {
                "java.util.zip.Checksum.update",
                "io.imr.store.mapdb.RedoJournal.crc",
                "io.imr.store.mapdb.RedoJournal.write",
                "io.imr.store.mapdb.JournaledVolume.sync"}, STORE_WRITER))).isEqualTo(Stage.CRC);
    }

    @Test
    void theDedupPutIfAbsentIsDedupDownToTheMapDbFrames() {
        assertThat(of(concat(new String[] {
                "java.lang.String.compareTo",
                "org.mapdb.serializer.SerializerStringDelta.valueArraySearch",
                "org.mapdb.BTreeMap.findChild",
                "org.mapdb.BTreeMap.put2",
                "org.mapdb.BTreeMap.putIfAbsent"}, APPLY))).isEqualTo(Stage.DEDUP);
        // The key and the entry.
        assertThat(of(concat(new String[] {
                "io.imr.store.mapdb.Bytes$Writer.string",
                "io.imr.store.mapdb.ServerCodecs.encodeRef"}, APPLY))).isEqualTo(Stage.DEDUP);
        // A B-tree node read from the file on the way down.
        assertThat(of(concat(new String[] {
                "sun.nio.ch.FileChannelImpl.read",
                "io.imr.store.mapdb.JournaledVolume.lambda$read$3",
                "io.imr.store.mapdb.JournaledVolume$$Lambda.run",
                "io.imr.store.mapdb.JournaledVolume.io",
                "io.imr.store.mapdb.JournaledVolume.read",
                "io.imr.store.mapdb.JournaledVolume.getDataInput",
                "org.mapdb.volume.ReadOnlyVolume.getDataInput",
                "org.mapdb.StoreWAL.get",
                "org.mapdb.BTreeMap.getNode",
                "org.mapdb.BTreeMap.put2",
                "org.mapdb.BTreeMap.putIfAbsent"}, APPLY))).isEqualTo(Stage.DEDUP);
        // A duplicate: its first message read back through the helpers.
        assertThat(of(concat(new String[] {
                "io.imr.store.mapdb.MessageBatchCodec.decode",
                "io.imr.store.mapdb.ServerLayout.message",
                "io.imr.store.mapdb.ServerLayout.messageAt"}, APPLY))).isEqualTo(Stage.DEDUP);
    }

    @Test
    void theReceivingDevicesIdIndexIsDedupToo() {
        String[] clientWriter = {
                "io.imr.store.mapdb.StoreEngine.commitGroup",
                "io.imr.store.mapdb.StoreEngine.runWriter",
                "java.lang.Thread.run",
                "thread:imr-client.db-rcv-writer"};
        assertThat(of(concat(new String[] {
                "org.mapdb.DataInput2$ByteArray.readLong",
                "org.mapdb.BTreeMap.get",
                "org.mapdb.BTreeMap.containsKey",
                "io.imr.store.mapdb.MapDbClientStore$Group.number",
                "io.imr.store.mapdb.MapDbClientStore$Group.apply"}, clientWriter))).isEqualTo(Stage.DEDUP);
        assertThat(of(concat(new String[] {
                "org.mapdb.StoreWAL.update",
                "org.mapdb.BTreeMap.put2",
                "org.mapdb.BTreeMap.put",
                "io.imr.store.mapdb.MapDbClientStore$Group.apply"}, clientWriter))).isEqualTo(Stage.DEDUP);
        // The outbox, which apply updates through OutboxIndex, is not.
        assertThat(of(concat(new String[] {
                "org.mapdb.BTreeMap.put",
                "io.imr.store.mapdb.OutboxIndex.add",
                "io.imr.store.mapdb.MapDbClientStore$Group.apply"}, clientWriter))).isEqualTo(Stage.STORE_COMMIT);
        // Nor the messages the flush appends, nor the renumbering itself.
        assertThat(of(concat(new String[] {
                "org.mapdb.BTreeMap.put",
                "io.imr.store.mapdb.ClientLayout.appendMessages",
                "io.imr.store.mapdb.MapDbClientStore$Group.flush"}, clientWriter))).isEqualTo(Stage.STORE_COMMIT);
        assertThat(of(concat(new String[] {
                "io.imr.api.Message.renumbered",
                "io.imr.store.mapdb.MapDbClientStore$Group.number",
                "io.imr.store.mapdb.MapDbClientStore$Group.apply"}, clientWriter))).isEqualTo(Stage.STORE_COMMIT);
    }

    @Test
    void theApplyStepAndItsMetaReadsAreSeqAssignment() {
        assertThat(of(APPLY)).isEqualTo(Stage.SEQ);
        assertThat(of(concat(new String[] {"io.imr.api.Message.<init>", "io.imr.api.Message.of"}, APPLY)))
                .isEqualTo(Stage.SEQ);
        assertThat(of(concat(new String[] {
                "org.mapdb.BTreeMap.get",
                "io.imr.store.mapdb.ServerLayout.readMeta",
                "io.imr.store.mapdb.MapDbServerStore$Group.meta"}, APPLY))).isEqualTo(Stage.SEQ);
        // MapDB called through a helper from apply is not the dedup descent.
        assertThat(of(concat(new String[] {
                "io.imr.store.mapdb.InboxMeta.decode",
                "io.imr.store.mapdb.ServerLayout.readMeta",
                "io.imr.store.mapdb.MapDbServerStore$Group.meta"}, APPLY))).isEqualTo(Stage.SEQ);
    }

    @Test
    void theRestOfTheStoreIsStoreCommit() {
        // The same helper read for a hello is the store's, not seq assignment.
        assertThat(of(concat(new String[] {
                "org.mapdb.BTreeMap.get",
                "io.imr.store.mapdb.ServerLayout.readMeta",
                "io.imr.store.mapdb.MapDbServerStore.inbox",
                "io.imr.engine.ServerEngine.lambda$hello$3"}, SERVER_EVENT_LOOP))).isEqualTo(Stage.STORE_COMMIT);
        assertThat(of(concat(new String[] {
                "org.mapdb.StoreWAL.commit",
                "org.mapdb.DB.commit",
                "io.imr.store.mapdb.MapDbFile.commit"}, STORE_WRITER))).isEqualTo(Stage.STORE_COMMIT);
        assertThat(of(concat(new String[] {
                "io.imr.store.mapdb.MessageBatchCodec.encode",
                "io.imr.store.mapdb.ServerLayout.appendMessages",
                "io.imr.store.mapdb.MapDbServerStore$Group.lambda$flush$0",
                "io.imr.store.mapdb.MapDbServerStore$Group.flush"}, STORE_WRITER))).isEqualTo(Stage.STORE_COMMIT);
        // Device states merged in apply are not seq assignment.
        assertThat(of(concat(new String[] {
                "org.mapdb.BTreeMap.get",
                "io.imr.store.mapdb.ServerLayout.device"}, APPLY))).isEqualTo(Stage.STORE_COMMIT);
        assertThat(of("sun.nio.ch.FileChannelImpl.force", "io.imr.store.mapdb.RedoJournal.write",
                "thread:imr-server.db-data-writer")).isEqualTo(Stage.STORE_COMMIT);
        // JDK code with nothing but the writer thread to say whose it is.
        assertThat(of("java.util.ArrayList.add", "java.lang.Thread.run", "thread:imr-client.db-dev1-writer"))
                .isEqualTo(Stage.STORE_COMMIT);
        // The peers' store, even though it is the bench's code.
        assertThat(of("org.mapdb.StoreWAL.commit", "org.mapdb.DB.commit", "io.imr.bench.peer.PeerStore.commit",
                "io.imr.bench.peer.PeerStore.write")).isEqualTo(Stage.STORE_COMMIT);
        // MapDB with no imr frame below at all.
        assertThat(of("org.mapdb.BTreeMap.get", "java.lang.Thread.run")).isEqualTo(Stage.STORE_COMMIT);
    }

    @Test
    void theCodecIsEncodeOrDecodeAndProtobufCountsForItsCaller() {
        assertThat(of(concat(new String[] {
                "com.google.protobuf.CodedOutputStream$ArrayEncoder.writeBytes",
                "io.imr.wire.proto.Message.writeTo",
                "io.imr.wire.proto.Frame.writeTo",
                "io.imr.wire.FrameCodec.writeBody",
                "io.imr.wire.FrameCodec.encodeWithLength",
                "io.imr.transport.vertx.Connection.send",
                "io.imr.engine.ServerSession.send"}, SERVER_EVENT_LOOP))).isEqualTo(Stage.ENCODE);
        assertThat(of(concat(new String[] {
                "com.google.protobuf.CodedInputStream$ArrayDecoder.readBytes",
                "io.imr.wire.proto.Send$Builder.mergeFrom",
                "io.imr.wire.proto.Frame.parseFrom",
                "io.imr.wire.FrameCodec.parse",
                "io.imr.wire.FrameCodec.decode"}, TCP_READ))).isEqualTo(Stage.DECODE);
        assertThat(of(concat(new String[] {"io.imr.wire.FromProto.send", "io.imr.wire.FromProto.frame"}, TCP_READ)))
                .isEqualTo(Stage.DECODE);
        // The transport's meter encoding a received frame again is encode, though under the decoder.
        assertThat(of(concat(new String[] {
                "io.imr.wire.FrameCodec.encode",
                "io.imr.transport.vertx.TcpConnection.lambda$onData$0",
                "io.imr.wire.LengthPrefixedDecoder.hand"}, TCP_READ))).isEqualTo(Stage.ENCODE);
        // protobuf with no imr caller: by direction.
        assertThat(of("com.google.protobuf.CodedOutputStream.computeUInt64Size", "java.lang.Thread.run"))
                .isEqualTo(Stage.ENCODE);
        assertThat(of("com.google.protobuf.CodedInputStream.newInstance")).isEqualTo(Stage.DECODE);
    }

    @Test
    void theInnermostOfStrategyEngineTransportAndListenerWins() {
        assertThat(of(concat(new String[] {
                "io.imr.strategy.support.UnackedWindow.ack",
                "io.imr.strategy.ack.AckServer.onEvent",
                "io.imr.engine.internal.HalfDriver.feed",
                "io.imr.engine.ServerDevice.onFrame"}, TCP_READ))).isEqualTo(Stage.STRATEGY);
        assertThat(of(concat(new String[] {
                "java.util.HashMap.get",
                "io.imr.engine.ServerSession.onFrame",
                "io.imr.transport.vertx.TcpConnection.lambda$onData$0",
                "io.imr.wire.LengthPrefixedDecoder.hand"}, TCP_READ))).isEqualTo(Stage.ENGINE);
        assertThat(of(concat(new String[] {
                "sun.nio.ch.SocketDispatcher.write",
                "sun.nio.ch.SocketChannelImpl.write",
                "io.netty.channel.socket.nio.NioSocketChannel.doWrite",
                "io.imr.transport.vertx.Connection.send",
                "io.imr.engine.ServerSession.send"}, SERVER_EVENT_LOOP))).isEqualTo(Stage.TRANSPORT);
        assertThat(of(SERVER_EVENT_LOOP)).isEqualTo(Stage.TRANSPORT);
        assertThat(of("java.util.ArrayDeque.poll", "thread:vert.x-eventloop-thread-0")).isEqualTo(Stage.TRANSPORT);
        assertThat(of(concat(new String[] {
                "org.HdrHistogram.AbstractHistogram.recordValue",
                "io.imr.bench.imr.ImrReceiver.lambda$open$1",
                "io.imr.engine.ClientSession.deliver"}, SERVER_EVENT_LOOP))).isEqualTo(Stage.LISTENER);
        assertThat(of("java.util.ArrayList.add", "io.imr.engine.ThreadedRuntime$$Lambda.run",
                "thread:imr-alice-engine")).isEqualTo(Stage.ENGINE);
    }

    @Test
    void jvmThreadsAreGcAndJvmAndTheUnknownIsOther() {
        assertThat(of("jdk.jfr.internal.PlatformRecorder.periodicTask", "java.lang.Thread.run",
                "thread:JFR Periodic Tasks")).isEqualTo(Stage.GC_JVM);
        assertThat(of("java.lang.ref.Reference.processPendingReferences", "thread:Reference Handler"))
                .isEqualTo(Stage.GC_JVM);
        // Class loading and call-site linking where the engine or the store first runs some code.
        assertThat(of(concat(new String[] {
                "java.util.Arrays.copyOf",
                "jdk.internal.loader.Resource.getBytes",
                "jdk.internal.loader.BuiltinClassLoader.defineClass",
                "java.lang.ClassLoader.loadClass",
                "org.eclipse.collections.impl.block.factory.Functions0.<clinit>",
                "org.mapdb.StoreWAL.longStackTake",
                "io.imr.store.mapdb.MapDbServerStore$Group.lambda$flush$1"}, STORE_WRITER))).isEqualTo(Stage.GC_JVM);
        assertThat(of(concat(new String[] {
                "java.lang.invoke.MethodType.makeImpl",
                "java.lang.invoke.StringConcatFactory.generateMHInlineCopy",
                "java.lang.invoke.StringConcatFactory.makeConcatWithConstants",
                "java.lang.invoke.CallSite.makeSite",
                "java.lang.invoke.MethodHandleNatives.linkCallSite",
                "io.imr.api.Names.messageId",
                "io.imr.api.Message.of"}, APPLY))).isEqualTo(Stage.GC_JVM);
        assertThat(of("java.util.HashMap.resize", "com.example.Thing.run", "thread:main")).isEqualTo(Stage.OTHER);
        assertThat(of()).isEqualTo(Stage.OTHER);
        assertThat(of("thread:main")).isEqualTo(Stage.OTHER);
    }

    @Test
    void everyStageButOtherHasARuleAndEveryRuleSaysWhatItCatches() {
        Set<Stage> ruled = EnumSet.noneOf(Stage.class);
        StageRules.RULES.forEach(r -> {
            ruled.add(r.stage());
            assertThat(r.catches()).isNotBlank();
        });
        assertThat(ruled).isEqualTo(EnumSet.complementOf(EnumSet.of(Stage.OTHER)));
    }

    @Test
    void hiddenClassNamesLoseTheirAddresses() {
        assertThat(StageProfiler.className("io.imr.engine.AppendPipeline$$Lambda$112/0x0000000800c10b00"))
                .isEqualTo("io.imr.engine.AppendPipeline$$Lambda");
        assertThat(StageProfiler.className("io.imr.engine.AppendPipeline$$Lambda$112.0x0000000800c10b00"))
                .isEqualTo("io.imr.engine.AppendPipeline$$Lambda");
        assertThat(StageProfiler.className("io.imr.store.mapdb.StoreEngine$$Lambda$175+0x00007fc9041549c8.1440738283"))
                .isEqualTo("io.imr.store.mapdb.StoreEngine$$Lambda");
        assertThat(StageProfiler.className("java.lang.invoke.LambdaForm$MH/0x0000000800c0c400"))
                .isEqualTo("java.lang.invoke.LambdaForm$MH");
        assertThat(StageProfiler.className("io.imr.wire.FrameCodec")).isEqualTo("io.imr.wire.FrameCodec");
    }
}
