package io.imr.bench.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a peer's broker program ({@code mosquitto}, {@code nats-server}) and, when it is missing, installs it
 * from Debian's packages with the bundled {@code install-peers.sh}.
 */
public final class PeerBinaries {

    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/local/bin");

    private PeerBinaries() {
    }

    /** The program's path on {@code PATH} or in the usual sbin folders. */
    public static Optional<Path> find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The program's path, installing its Debian package first when it is missing.
     *
     * @throws IOException naming the program and what the install script said when it cannot be had
     */
    public static Path require(String program) throws IOException, InterruptedException {
        Optional<Path> found = find(program);
        if (found.isPresent()) {
            return found.get();
        }
        Path script = Files.createTempFile("imr-install-peers-", ".sh");
        try {
            try (InputStream in = PeerBinaries.class.getResourceAsStream("install-peers.sh")) {
                if (in == null) {
                    throw new IOException("install-peers.sh is missing from the jar");
                }
                Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Process p = new ProcessBuilder("bash", script.toString(), program).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(program + " is missing and installing it took more than 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException(program + " is missing and could not be installed: " + lastLine(output));
            }
        } finally {
            Files.deleteIfExists(script);
        }
        return find(program).orElseThrow(() -> new IOException(program + " is still missing after its install"));
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines.length == 0 ? "(no output)" : lines[lines.length - 1];
    }
}
