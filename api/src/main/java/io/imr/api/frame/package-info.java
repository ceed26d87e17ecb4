/**
 * The frames of the imr protocol as validated Java records. See {@code wire/src/main/proto/imr.proto}
 * for their encoding and {@code wire/src/main/proto/protocol.md} for the states and rules of a session.
 */
package io.imr.api.frame;
