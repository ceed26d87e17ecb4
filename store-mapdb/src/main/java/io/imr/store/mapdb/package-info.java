/**
 * The client and server stores on MapDB 3.1 files: {@link io.imr.store.mapdb.MapDbClientStore}
 * and {@link io.imr.store.mapdb.MapDbServerStore}.
 *
 * <p>Both share one design: one writer thread per store that groups queued commits into one
 * MapDB transaction and one durable commit; messages stored as batch records, one per commit
 * group, with values outside the B-tree nodes (MapDB's cost is per record); our own versioned
 * record encoding with explicit serializers; an append-only redo journal under MapDB's main file
 * that makes each commit durable with one sync of the bytes it changes, and atomic across a crash
 * (MapDB 3.1.0 does not replay its own write-ahead log); an
 * exclusive lock on the store directory; and, after a failed commit, rollback, close and reopen
 * of the files with every in-memory cache rebuilt from disk.
 *
 * <p>Only the two store classes and {@link io.imr.store.mapdb.SyncingStore}, through which they
 * count their syncs, are public. Everything here is non-null unless documented
 * otherwise.
 */
package io.imr.store.mapdb;
