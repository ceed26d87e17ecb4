package io.imr.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where the processes of {@code imr fuzz} run. On the internet the attackers' machines are not the server's: their
 * CPU costs the server nothing, only their traffic does. On one machine they share its cores, and a pair measured
 * beside them would report the fuzzer's own cost as the server's. So, when the machine allows it ({@code split}):
 * the server gets the first half of the CPUs this process may use, alone; the legitimate pair's process and this
 * process, whose threads are the attackers, share the other half, and every thread of this process runs at the
 * lowest priority (nice 19), so the pair, a few milliseconds of work a second, runs first when it has work, as on
 * devices of its own. The same placement holds in the quiet phase, so the two phases differ by the attack alone.
 * Linux only ({@code taskset}, {@code renice}, {@code /proc}); elsewhere, or with one CPU, or when asked, everything
 * shares every CPU ({@code shared}) and the report says so.
 */
final class Placement {

    private final List<Integer> server;
    private final List<Integer> others;

    private Placement(List<Integer> server, List<Integer> others) {
        this.server = server;
        this.others = others;
    }

    /** Every process on every CPU. */
    static Placement shared() {
        return new Placement(List.of(), List.of());
    }

    /** The split placement when this machine allows it (Linux, {@code taskset}, two CPUs or more), else shared. */
    static Placement split() {
        List<Integer> cpus = allowedCpus();
        if (cpus.size() < 2 || !onPath("taskset") || !onPath("renice")) {
            return shared();
        }
        int half = cpus.size() / 2;
        Placement p = new Placement(List.copyOf(cpus.subList(0, half)), List.copyOf(cpus.subList(half, cpus.size())));
        // Where taskset is there but may not set affinity (some sandboxes), everything shares every CPU instead.
        return run(List.of("taskset", "-c", list(p.server), "true")).isEmpty() ? p : shared();
    }

    boolean isSplit() {
        return !server.isEmpty();
    }

    /** The server's command, bound to its CPUs. */
    List<String> server(List<String> command) {
        return bound(server, command);
    }

    /** The legitimate pair's command, bound to the defenders' half. */
    List<String> defender(List<String> command) {
        return bound(others, command);
    }

    /**
     * Binds this process to the other half and lowers every one of its threads to nice 19; threads started later
     * inherit both. Call after the server and the pair started (children inherit the priority of the thread that
     * starts them).
     *
     * @return what could not be done, or an empty string
     */
    String applyToAttackers() {
        if (!isSplit()) {
            return "";
        }
        long pid = ProcessHandle.current().pid();
        List<String> renice = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> renice.add(t.getFileName().toString()));
        } catch (IOException e) {
            return "could not list this process's threads: " + e.getMessage();
        }
        String a = run(List.of("taskset", "-a", "-p", "-c", list(others), Long.toString(pid)));
        // renice fails as a whole when one thread ended between the listing and it: only this process's own, still
        // there, count.
        String b = run(renice);
        if (!b.isEmpty() && renice.stream().skip(4).allMatch(t -> !Files.exists(Path.of("/proc/self/task", t))
                || reniced(t))) {
            b = "";
        }
        return (a + " " + b).trim();
    }

    /** Whether a thread of this process runs at nice 19 (field 19 of its stat). */
    private static boolean reniced(String tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16].equals("19");
        } catch (IOException | RuntimeException gone) {
            return true;
        }
    }

    /** For the report. */
    String describe() {
        return isSplit() ? "server on CPU " + list(server) + " alone; the legitimate pair and the attackers (nice 19)"
                + " on CPU " + list(others) : "every process on every CPU (shared)";
    }

    private static List<String> bound(List<Integer> cpus, List<String> command) {
        if (cpus.isEmpty()) {
            return command;
        }
        List<String> c = new ArrayList<>(List.of("taskset", "-c", list(cpus)));
        c.addAll(command);
        return c;
    }

    private static String list(List<Integer> cpus) {
        StringBuilder b = new StringBuilder();
        for (int c : cpus) {
            b.append(b.length() == 0 ? "" : ",").append(c);
        }
        return b.toString();
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return command.get(0) + " failed: " + out;
            }
            return "";
        } catch (IOException e) {
            return command.get(0) + " failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return command.get(0) + " interrupted";
        }
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}), empty if unknown. */
    static List<Integer> allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseList(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: no placement
        }
        return List.of();
    }

    /** "0-2,5" as [0, 1, 2, 5]. */
    static List<Integer> parseList(String list) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int dash = part.indexOf('-');
            int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
            for (int c = from; c <= to; c++) {
                cpus.add(c);
            }
        }
        return new ArrayList<>(cpus);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
