/**
 * Consumer groups' coordinator state: the pure, deterministic state machine of a coordinator
 * partition (KIP-848: the server assigns, members heartbeat, rebalances are incremental). Each
 * state change is a {@link io.flotilla.broker.groups.GroupCommand} that a coordinator
 * partition's Raft log carries; every replica applies them in log order with {@link
 * io.flotilla.broker.groups.GroupStateMachine} and reaches the same {@link
 * io.flotilla.broker.groups.CoordinatorState}. No I/O, threads, clocks or randomness here:
 * time comes in the commands, from the coordinator leader's clock.
 *
 * <p>{@link io.flotilla.broker.groups.GroupApplier} is the transition function, {@link
 * io.flotilla.broker.groups.Reconciliation} one member's step toward its target, {@link
 * io.flotilla.broker.groups.PartitionAssignor} (uniform and range) computes targets, {@link
 * io.flotilla.broker.groups.GroupCodec} encodes commands and snapshots
 * (flotilla/internal/v1/groups.proto).
 */
package io.flotilla.broker.groups;
