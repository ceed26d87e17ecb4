package io.imr.engine.internal;

import java.util.function.Consumer;

/**
 * One line when something starts failing and one when it works again, instead of one per failure: a store that
 * cannot write (a full disk) fails every commit until space is freed, and a log line per commit, or per message,
 * would bury the one that says why. Not thread-safe: its owner's thread only.
 */
public final class FailureEpisode {

    private final String what;
    private final Consumer<String> log;
    private long failures;

    /**
     * @param what what fails, as the start of a sentence ("storing sends")
     * @param log  where the two lines go (a WARNING logger, say)
     */
    public FailureEpisode(String what, Consumer<String> log) {
        this.what = what;
        this.log = log;
    }

    /** Something failed; logged only if it is the first failure since the last success. */
    public void failed(Throwable why, String consequence) {
        if (failures++ == 0) {
            log.accept(what + " failed (" + cause(why) + "); " + consequence);
        }
    }

    /** It worked; logs how many failures there were since the first, if any. */
    public void succeeded() {
        if (failures > 0) {
            log.accept(what + " works again, after " + failures + (failures == 1 ? " failure" : " failures"));
            failures = 0;
        }
    }

    /** Whether the last attempt failed. */
    public boolean failing() {
        return failures > 0;
    }

    /** The innermost message of a chain: "No space left on device" rather than three wrappers of it. */
    static String cause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
