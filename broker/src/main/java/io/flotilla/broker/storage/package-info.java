/**
 * Durable storage of the Raft groups a node hosts: {@link io.flotilla.broker.storage.LogStorage}
 * (a group's {@link io.flotilla.raft.RaftStorage} over its partition log, which is at once the
 * message log and the Raft log, and the node store) and
 * {@link io.flotilla.broker.storage.LogPersistence} (its writes, with group commit), over the
 * node-wide {@link io.flotilla.broker.storage.NodeStorage}.
 */
package io.flotilla.broker.storage;
