/**
 * Consumer groups in the running broker: the coordinator partitions of the internal topic
 * {@value io.flotilla.broker.coordinator.CoordinatorTopic#NAME}, whose Raft logs carry the
 * {@link io.flotilla.broker.groups.GroupCommand}s of the groups they coordinate ({@link
 * io.flotilla.broker.coordinator.CoordinatorPartition}, one per replica), the node's part in
 * routing and timing them ({@link io.flotilla.broker.coordinator.GroupCoordinator}), and the
 * ConsumerGroups gRPC service ({@link io.flotilla.broker.coordinator.ConsumerGroupsService}).
 * The state machine itself is {@link io.flotilla.broker.groups}'s.
 */
package io.flotilla.broker.coordinator;
