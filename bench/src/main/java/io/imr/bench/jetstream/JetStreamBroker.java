package io.imr.bench.jetstream;

import io.imr.bench.Broker;
import io.imr.bench.peer.BrokerProcess;
import io.imr.bench.peer.PeerBinaries;
import io.imr.bench.peer.PeerBroker;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@code nats-server} with JetStream on, its file store in the broker's folder, listening on 127.0.0.1 only,
 * and the stream {@value JetStreamTarget#STREAM} created before it is handed out.
 *
 * <p>The server is nats-server as configured out of the box apart from its limits: it acknowledges a publish
 * once the message is written to its file store, and syncs that file on its own timer (every two minutes in
 * v2.9, which has no {@code sync_interval} option), not per message: {@code strace} shows no {@code fsync}
 * during 20,000 acknowledged publishes.
 */
final class JetStreamBroker {

    private JetStreamBroker() {
    }

    static Broker start(Path dir) throws IOException, InterruptedException, JetStreamApiException {
        Path server = PeerBinaries.require("nats-server");
        Files.createDirectories(dir);
        int port = BrokerProcess.freePort();
        Path config = dir.resolve("nats.conf");
        Files.writeString(config, CONFIG);
        // The store goes to dir/jetstream (nats-server adds the "jetstream" itself).
        List<String> command = List.of(server.toString(), "-c", config.toString(),
                "-js", "-sd", dir.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port));
        BrokerProcess process = BrokerProcess.start(command, dir.resolve("nats.log"), port);
        Broker broker = new PeerBroker(process, "nats://127.0.0.1:" + port);
        try {
            createStream(broker.address());
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /**
     * Limits that hold a long run: 64 GB of file store (a million 256-byte messages take about 300 MB with
     * their headers), 1 GB of memory store (unused: the stream is on file), 8 MB payloads. The listen address,
     * JetStream and its folder are on the command line.
     */
    private static final String CONFIG = "max_payload: 8MB\n"
            + "jetstream {\n"
            + "  max_memory_store: 1GB\n"
            + "  max_file_store: 64GB\n"
            + "}\n";

    /** The one stream: file storage, limits retention, no age or size limit, a duplicate window. */
    static StreamConfiguration streamConfig() {
        return StreamConfiguration.builder()
                .name(JetStreamTarget.STREAM)
                .subjects(JetStreamTarget.SUBJECTS)
                .storageType(StorageType.File)
                .retentionPolicy(RetentionPolicy.Limits)
                .discardPolicy(DiscardPolicy.Old)
                .maxAge(Duration.ZERO)
                .maxMessages(-1)
                .maxBytes(-1)
                .replicas(1)
                .duplicateWindow(JetStreamTarget.DUPLICATE_WINDOW)
                .build();
    }

    private static void createStream(String address) throws IOException, InterruptedException, JetStreamApiException {
        try (Connection connection = JetStreamTarget.connect(address, "bench-setup")) {
            JetStreamManagement jsm = connection.jetStreamManagement();
            if (!jsm.getStreamNames().contains(JetStreamTarget.STREAM)) {
                jsm.addStream(streamConfig());
            }
        }
    }
}
