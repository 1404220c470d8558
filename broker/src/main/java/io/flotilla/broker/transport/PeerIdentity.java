package io.flotilla.broker.transport;

import io.flotilla.raft.MemberId;

import java.util.Objects;

/**
 * What a node answers to Identify: its id and incarnation, and the cluster it belongs to
 * ({@code ""} while it has joined none).
 */
public record PeerIdentity(MemberId member, String clusterId) {
    public PeerIdentity {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(clusterId, "clusterId");
    }
}
