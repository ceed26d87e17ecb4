package io.imr.app;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop cleanly, so that a command can finish its work and exit
 * with its own code (a plain shutdown hook would leave the JVM's 143).
 */
final class Signals {

    private Signals() {
    }

    static void onTermination(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }
}
