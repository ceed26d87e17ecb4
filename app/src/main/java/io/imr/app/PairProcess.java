package io.imr.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The legitimate pair of {@code imr fuzz} in a JVM of its own, as real devices are processes of their own: the fuzzing
 * JVM's attack threads then compete with it only as much as the operating system lets them (see {@link Placement}),
 * not inside one JVM's heap, collector and thread pool.
 *
 * <p>Arguments: the pair's folder, the server's TCP address and its WebSocket address. Standard input: the sender's
 * token, the receiver's token (so that no token shows in a process listing), then one command a line, each answered
 * with one line on standard output, {@code ok ...} or {@code error ...}:
 * {@code start}, {@code offer RATE}, {@code quiet}, {@code attack}, {@code drain MILLIS} (answers true or false),
 * {@code latency PHASE QUANTILE} (milliseconds), {@code count PHASE}, {@code sent} (messages and failed sends),
 * {@code close} (answers sent, stored, lost, duplicates, out of order, foreign; then the process ends).
 * Its log goes to standard error.
 */
public final class PairProcess {

    private PairProcess() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (args.length != 3) {
            out.println("error usage: PairProcess DIR TCP WS");
            System.exit(2);
        }
        String senderToken = in.readLine();
        String receiverToken = in.readLine();
        LegitPair pair = new LegitPair(Path.of(args[0]), args[1], args[2], senderToken, receiverToken);
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            try {
                switch (w[0]) {
                    case "start" -> {
                        pair.start();
                        out.println("ok");
                    }
                    case "offer" -> {
                        pair.offer(Double.parseDouble(w[1]));
                        out.println("ok");
                    }
                    case "quiet" -> {
                        pair.quietPhase();
                        out.println("ok");
                    }
                    case "attack" -> {
                        pair.attackPhase();
                        out.println("ok");
                    }
                    case "drain" -> out.println("ok " + pair.stopAndDrain(Duration.ofMillis(Long.parseLong(w[1]))));
                    case "latency" -> out.println(String.format(Locale.ROOT, "ok %.3f",
                            pair.latencyMillis(Integer.parseInt(w[1]), Double.parseDouble(w[2]))));
                    case "count" -> out.println("ok " + pair.latencyCount(Integer.parseInt(w[1])));
                    case "sent" -> out.println("ok " + pair.sent() + " " + pair.sendFailures());
                    case "close" -> {
                        pair.close();
                        LegitPair.Delivery d = pair.delivery();
                        out.println("ok " + d.sent() + " " + d.stored() + " " + d.lost() + " " + d.duplicates() + " "
                                + d.outOfOrder() + " " + d.foreign());
                        System.exit(0);
                    }
                    default -> out.println("error unknown command: " + line);
                }
            } catch (Exception e) {
                e.printStackTrace();
                out.println("error " + e.toString().replace('\n', ' '));
            }
        }
        pair.close();
        System.exit(0);
    }
}
