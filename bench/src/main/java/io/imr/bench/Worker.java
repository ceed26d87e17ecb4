package io.imr.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a worker process: the senders or the receivers of one measurement, all in this JVM.
 *
 * <pre>Worker role=send|receive target=NAME address=A dir=D clients=USER/DEVICE,... [secret=F]
 *        [to=USER,...] [count=N] [size=BYTES] [rate=PER_SECOND] [expect=N] [warmup=N] [paced-warmup=N]
 *        [open-on-go=true]</pre>
 *
 * <p>{@code warmup} is per sender for senders and per device for receivers.
 *
 * Standard output carries the lines of {@link WorkerLink} alone: everything a client library logs goes to
 * standard error.
 */
public final class Worker {

    private Worker() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        System.setOut(System.err);
        WorkerLink link = new WorkerLink(out);
        try {
            Map<String, String> a = parse(args);
            HeapTracker heap = new HeapTracker();
            Target target = Targets.byName(a.get("target"), List.of());
            List<ClientSpec> clients = clients(a);
            if (a.get("role").equals("send")) {
                new SendWorker(target, clients, List.of(a.get("to").split(",")), Integer.parseInt(a.get("count")),
                        Integer.parseInt(a.getOrDefault("warmup", "0")),
                        Integer.parseInt(a.getOrDefault("paced-warmup", "0")), Integer.parseInt(a.get("size")),
                        Double.parseDouble(a.getOrDefault("rate", "0")), link, heap).run();
            } else {
                new ReceiveWorker(target, clients, Long.parseLong(a.get("expect")),
                        Long.parseLong(a.getOrDefault("warmup", "0")), Boolean.parseBoolean(a.getOrDefault("open-on-go", "false")), link, heap).run();
            }
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            link.error(e);
            System.exit(1);
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("worker arguments are key=value, got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        for (String required : List.of("role", "target", "address", "dir", "clients")) {
            if (!a.containsKey(required)) {
                throw new IllegalArgumentException("worker argument " + required + " is missing");
            }
        }
        return a;
    }

    private static List<ClientSpec> clients(Map<String, String> a) {
        Path dir = Path.of(a.get("dir"));
        Path secret = a.containsKey("secret") ? Path.of(a.get("secret")) : null;
        String target = a.get("target");
        String strategy = target.startsWith("imr:") ? target.substring(4) : null;
        List<ClientSpec> specs = new ArrayList<>();
        for (String c : a.get("clients").split(",")) {
            String[] ud = c.split("/");
            specs.add(new ClientSpec(a.get("address"), ud[0], ud[1], dir.resolve(ud[0] + "-" + ud[1]), secret, strategy));
        }
        return specs;
    }
}
