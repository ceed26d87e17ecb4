package io.imr.testkit;

/**
 * One incarnation of a simulated process (a device's or the server's run between two crashes). Every
 * task the scheduler runs belongs to one; a crash {@link #kill()}s it, and from then on its tasks are
 * dropped unrun, exactly as a {@code kill -9} drops the threads and queues of a process.
 */
final class Life {

    /** For tasks that belong to no process: the network and the simulation's own steps. */
    static final Life WORLD = new Life("world");

    private final String name;
    private boolean alive = true;

    Life(String name) {
        this.name = name;
    }

    boolean alive() {
        return alive;
    }

    void kill() {
        alive = false;
    }

    @Override
    public String toString() {
        return name;
    }
}
