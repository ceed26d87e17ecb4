/**
 * The store SPI: a device's {@link io.imr.api.store.ClientStore} and the server's
 * {@link io.imr.api.store.ServerStore}. Every method states its failure rule: what is true after
 * it throws or its stage fails.
 */
package io.imr.api.store;
