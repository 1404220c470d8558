/**
 * A Flotilla node: the controller Raft group, the partition replicas hosted here, consumer
 * groups, and the gRPC services. Built under issue 4.
 */
package io.flotilla.broker;
