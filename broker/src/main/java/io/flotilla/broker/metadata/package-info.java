/**
 * The controller's replicated metadata: nodes, topics, partitions and their replicas, producer
 * id blocks. The controller Raft group (group id 0) replicates {@link
 * io.flotilla.broker.metadata.MetadataCommand}s; every node applies them in log order with
 * {@link io.flotilla.broker.metadata.MetadataStateMachine} and reaches the same {@link
 * io.flotilla.broker.metadata.ClusterMetadata}. Everything here is pure and deterministic: no
 * I/O, threads, clocks or randomness, so the same log gives the same state on every node.
 *
 * <p>Before proposing, a node checks what it can without the state ({@link
 * io.flotilla.broker.metadata.TopicRules}) and chooses replicas ({@link
 * io.flotilla.broker.metadata.Placement}); applying checks everything again, since only the
 * log's order decides what the state is when a command applies.
 */
package io.flotilla.broker.metadata;
