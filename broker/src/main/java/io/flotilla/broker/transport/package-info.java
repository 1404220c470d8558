/**
 * Raft traffic between nodes over gRPC (service {@code flotilla.internal.v1.RaftTransport}, in
 * {@code flotilla/internal/v1/raft_transport.proto}):
 * {@link io.flotilla.broker.transport.GrpcTransport} is the driver's
 * {@link io.flotilla.raft.driver.Transport}, one long-lived stream per peer node carrying batches
 * of every group; {@link io.flotilla.broker.transport.RaftTransportService} is the receiving end,
 * served on the node's one gRPC port; {@link io.flotilla.broker.transport.RaftMessageCodec} maps
 * Raft messages to and from protobuf without copying entry payloads.
 */
package io.flotilla.broker.transport;
