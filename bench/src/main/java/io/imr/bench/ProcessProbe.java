package io.imr.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM process on this machine holds, read from outside it: its heap after a full GC ({@code jcmd}), its
 * threads and open files ({@code /proc}), its resident memory; and the open-file limit, raised for this process
 * when it is too low for what a measurement opens.
 */
public final class ProcessProbe {

    /**
     * @param heapAfterGc heap bytes in use right after a full GC
     * @param threads     the process's threads (JVM threads included)
     * @param openFiles   its open file descriptors (sockets included)
     * @param rss         its resident memory in bytes
     */
    public record Sample(long heapAfterGc, int threads, int openFiles, long rss) {
    }

    /**
     * Each heap space's line of {@code GC.heap_info} (one for G1, young and old for the serial and parallel
     * collectors), which ends with its address range; the metaspace lines, which do not, are left out. Java 17 prints
     * "total NK, used NK [0x...", later ones "total reserved NK, committed NK, used NK [0x...".
     */
    private static final Pattern USED = Pattern.compile("used (\\d+)K \\[");
    private static final Pattern RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");
    private static final Pattern OPEN_FILES = Pattern.compile("(?m)^Max open files\\s+(\\d+|unlimited)\\s+(\\d+|unlimited)");

    private ProcessProbe() {
    }

    /** Runs a full GC in the process, then reads what it holds. */
    public static Sample sample(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String heap = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(heap);
        long heapBytes = 0;
        boolean found = false;
        while (m.find()) {
            heapBytes += Long.parseLong(m.group(1)) * 1024;
            found = true;
        }
        if (!found) {
            throw new IOException("jcmd " + pid + " GC.heap_info printed no heap use: " + heap);
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        int threads;
        int files;
        try (var t = Files.list(proc.resolve("task")); var f = Files.list(proc.resolve("fd"))) {
            threads = (int) t.count();
            files = (int) f.count();
        }
        Matcher r = RSS.matcher(Files.readString(proc.resolve("status")));
        long rss = r.find() ? Long.parseLong(r.group(1)) * 1024 : 0;
        return new Sample(heapBytes, threads, files, rss);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
        }
        return out;
    }

    /**
     * CPU time, in milliseconds, the JIT compiler threads of a JVM process ({@code C1 CompilerThread*},
     * {@code C2 CompilerThread*}) used so far, from {@code /proc/PID/task/*&#47;stat} (user and system time, in the
     * kernel's fixed 100 ticks a second); -1 where that cannot be read (not Linux).
     */
    public static long compilerCpuMillis(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (var t = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) t::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException | RuntimeException gone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 10;
    }

    /** This process's soft limit of open files. */
    public static long openFileLimit() throws IOException {
        Matcher m = OPEN_FILES.matcher(Files.readString(Path.of("/proc/self/limits")));
        if (!m.find()) {
            throw new IOException("no \"Max open files\" in /proc/self/limits");
        }
        return m.group(1).equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(m.group(1));
    }

    /**
     * Raises this process's open-file limit (soft and hard) to at least {@code needed} with {@code prlimit}, which
     * takes root where the hard limit is lower; processes started afterwards inherit it. Returns the limit it has
     * then, which a caller compares with what it needs.
     */
    public static long raiseOpenFileLimit(long needed) throws IOException, InterruptedException {
        if (openFileLimit() >= needed) {
            return openFileLimit();
        }
        try {
            Process p = new ProcessBuilder(List.of("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
                    "--nofile=" + needed + ":" + needed)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no prlimit here: the limit stays what it is, and the caller says so
        }
        return openFileLimit();
    }

    /** Bytes as MiB with one decimal. */
    public static String mib(long bytes) {
        return String.format("%,.1f MiB", bytes / 1048576.0);
    }
}
