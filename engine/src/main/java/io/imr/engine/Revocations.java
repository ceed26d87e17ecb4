package io.imr.engine;

import io.imr.api.store.DeviceState;
import io.imr.engine.auth.Principal;
import java.util.HashMap;
import java.util.Map;

/**
 * The revocations this engine made since it started, in memory: a hello whose store read began before a
 * revocation committed must still be refused. What the store keeps ({@link DeviceState#revokedBefore()}) is
 * the lasting record; this covers the time until it is read back. A revoked device's tokens minted before the
 * revocation are refused; a token minted later (the user signed in again) is accepted.
 *
 * <p>Owns: the map of revocation times, one per device revoked since the start (a few per lost phone, so it
 * stays small). Runs on the engine's context only.
 */
final class Revocations {

    private final Map<Principal, Long> revokedBefore = new HashMap<>();
    private final Map<String, Long> usersRevokedBefore = new HashMap<>();

    /** Tokens of the device minted before {@code millis} are refused from now on. */
    void revoke(Principal device, long millis) {
        revokedBefore.merge(device, millis, Math::max);
    }

    /** Tokens of every device of the user, those never seen included, minted before {@code millis} are refused. */
    void revokeUser(String user, long millis) {
        usersRevokedBefore.merge(user, millis, Math::max);
    }

    /**
     * Whether a token of the device minted at {@code issuedAtMillis} is refused.
     *
     * @param kept              what the store keeps of the device, null when not read (yet)
     * @param userRevokedBefore what the store keeps of the user's revocation of all its devices, 0 for none
     */
    boolean revokes(Principal device, DeviceState kept, long userRevokedBefore, long issuedAtMillis) {
        long here = Math.max(revokedBefore.getOrDefault(device, 0L),
                usersRevokedBefore.getOrDefault(device.user(), 0L));
        return issuedAtMillis < Math.max(here, userRevokedBefore) || (kept != null && kept.revokes(issuedAtMillis));
    }
}
