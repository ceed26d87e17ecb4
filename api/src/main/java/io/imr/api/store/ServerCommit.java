package io.imr.api.store;

import java.util.List;

/**
 * What one atomic commit of the server's store holds.
 *
 * @param submissions messages to append, each to its recipient's sequence, in order; one that is
 *                    already stored under its (sender, clientId) is not stored again
 * @param devices     device states to write (a device's confirmed watermark never moves back
 *                    within an epoch: a lower one is kept as it was; nor does the time it was last seen;
 *                    a state of epoch 0, which knows no watermark, changes only that time)
 */
public record ServerCommit(List<Submission> submissions, List<DeviceState> devices) {

    public ServerCommit {
        submissions = List.copyOf(submissions);
        devices = List.copyOf(devices);
    }

    public static ServerCommit append(List<Submission> submissions) {
        return new ServerCommit(submissions, List.of());
    }

    public static ServerCommit device(DeviceState device) {
        return new ServerCommit(List.of(), List.of(device));
    }
}
