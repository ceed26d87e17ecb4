package io.imr.app;

import io.imr.api.strategy.StrategyRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr soak}: a crash soak of real processes, checked message by message at the end. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Runs a server, three receiving devices (two of one user) and three senders as processes,"
            + " kills any of them with SIGKILL at seeded moments (the server one time in three, restarted with any of"
            + " the strategies), and at the end checks every device's store against the senders' manifests: nothing"
            + " lost, nothing twice, no hole, in order, unaltered.",
            "Prints its seed; the same seed gives the same kills. Exits 0 if every check passed, 1 if one failed"
                + " (the data folder is then kept)."})
final class SoakCommand implements Callable<Integer> {

    @Option(names = "--kills", paramLabel = "N", description = "how many kills (default 100)")
    int kills = 100;

    @Option(names = "--every", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "the mean time between two kills, like 800ms or 2s (default 1s)")
    Duration every = Duration.ofSeconds(1);

    @Option(names = "--seed", paramLabel = "S", description = "the seed of the kills (default: a random one, printed)")
    Long seed;

    @Option(names = "--strategy", paramLabel = "NAME|all", split = ",",
            description = "the strategies the server runs, swapped at its restarts (default all)")
    List<String> strategies = List.of("all");

    @Option(names = "--messages", paramLabel = "N",
            description = "messages per sender device; a sender that sent them is followed by a new device of the"
                    + " same user while the kills go on (default 2000)")
    long messages = 2_000;

    @Option(names = "--rate", paramLabel = "MSG/S", description = "each sender's rate (default 300)")
    double rate = 300;

    @Option(names = "--size", paramLabel = "BYTES", description = "payload bytes (default 256)")
    int size = 256;

    @Option(names = "--data", paramLabel = "DIR",
            description = "where the processes keep their stores and logs (default: a new temporary folder)")
    Path data;

    @Option(names = "--keep", description = "keep the data folder after a soak that passed")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        if (kills < 0 || messages < 1 || !(rate > 0) || every.toMillis() < 1) {
            throw new Imr.UsageError("--kills must be 0 or more, --messages 1 or more, --rate and --every more than 0");
        }
        if (size < 32 || size > io.imr.api.Message.MAX_PAYLOAD) {
            throw new Imr.UsageError("--size must be 32 to " + io.imr.api.Message.MAX_PAYLOAD + ", got " + size);
        }
        StrategyRegistry registry = StrategyRegistry.load();
        List<String> names = new ArrayList<>();
        for (String s : strategies) {
            if (s.equals("all")) {
                names.addAll(registry.names());
            } else {
                registry.get(s); // an unknown name is a usage error listing the names available
                names.add(s);
            }
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1L << 40);
        Path dir = data != null ? Files.createDirectories(data) : Files.createTempDirectory("imr-soak-");
        if (data != null) {
            try (var in = Files.list(dir)) {
                if (in.findAny().isPresent()) {
                    throw new Imr.UsageError("--data " + dir + " is not empty: a soak starts from nothing");
                }
            }
        }
        System.out.printf("imr soak: seed %d, %,d kills about every %,d ms, strategies %s, %,d messages per sender at"
                + " %,.0f msg/s; data in %s%n", s, kills, every.toMillis(), String.join(",", names), messages, rate, dir);
        System.out.flush();
        Soak.Result r = new Soak(new Soak.Settings(s, kills, every, names, messages, rate, size, dir), System.out).run();
        if (r.passed()) {
            System.out.printf("imr soak: passed (seed %d)%n", s);
            if (!keep) {
                Folders.deleteTree(dir);
            }
            return Imr.OK;
        }
        System.out.printf("imr soak: FAILED (seed %d); data and logs kept in %s%n", s, dir);
        return Imr.FAILED;
    }
}
