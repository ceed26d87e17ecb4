/**
 * imr's public model: messages, names and checksums. Everything in this module needs nothing
 * but the JDK, so that strategies, the wire format and the simulator can all depend on it.
 *
 * <p>Nothing here accepts or returns {@code null} unless its Javadoc says so.
 */
package io.imr.api;
