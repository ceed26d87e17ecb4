package io.imr.app;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * What an {@code imr send} run in a data folder was asked to do, kept in {@code DIR/send-job.properties}
 * so that a rerun resumes the same job and a rerun with other arguments is refused.
 */
record SendJob(String to, long count, int size) {

    static final String FILE = "send-job.properties";

    /**
     * Records this job in the folder, or checks it matches the one recorded.
     *
     * @throws Imr.UsageError when the folder holds another job
     */
    void claim(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            SendJob recorded;
            try {
                recorded = new SendJob(p.getProperty("to"), Long.parseLong(p.getProperty("count")),
                        Integer.parseInt(p.getProperty("size")));
            } catch (RuntimeException e) {
                throw new IllegalStateException(file + " is damaged; use another --data folder");
            }
            if (!recorded.equals(this)) {
                throw new Imr.UsageError(dir + " holds a send of --to " + recorded.to + " --count " + recorded.count
                        + " --size " + recorded.size + "; rerun with those, or use another --data folder");
            }
            return;
        }
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("to", to);
        p.setProperty("count", Long.toString(count));
        p.setProperty("size", Integer.toString(size));
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "imr send: the job of this folder");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
