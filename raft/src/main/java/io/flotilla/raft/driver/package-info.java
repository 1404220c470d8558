/**
 * The multi-group driver: {@link io.flotilla.raft.driver.RaftDriver} runs every Raft group of a
 * node on a few event loops, batches messages per destination node, lets idle groups go quiet
 * and keeps node-level liveness. Its edges are small interfaces the broker implements:
 * {@link io.flotilla.raft.driver.Transport} (batches to and from peer nodes),
 * {@link io.flotilla.raft.driver.GroupPersistence} (a group's writes, made durable
 * asynchronously) and {@link io.flotilla.raft.driver.Applier} (committed entries).
 */
package io.flotilla.raft.driver;
