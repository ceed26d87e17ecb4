package io.imr.engine.auth;

import io.imr.api.Names;

/**
 * Who a session acts for (G8): one device of one user, as its token says.
 *
 * @param user   the user
 * @param device the device
 */
public record Principal(String user, String device) {
    public Principal {
        Names.principal("user", user);
        Names.principal("device", device);
    }

    @Override
    public String toString() {
        return user + "/" + device;
    }
}
