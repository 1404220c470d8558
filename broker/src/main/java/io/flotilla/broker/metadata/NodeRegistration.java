package io.flotilla.broker.metadata;

import io.flotilla.raft.MemberId;

import java.util.Objects;
import java.util.Optional;

/**
 * A registered node: its current incarnation and where clients reach it.
 *
 * @param registeredAt the controller log offset at which this incarnation registered (a new
 *                     address under the same incarnation keeps it)
 */
public record NodeRegistration(int nodeId, long incarnation, String address, long registeredAt) {

    public NodeRegistration {
        Objects.requireNonNull(address, "address");
        problem(nodeId, incarnation, address).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        if (registeredAt < 1) {
            throw new IllegalArgumentException("registeredAt is a log offset, >= 1; got " + registeredAt);
        }
    }

    /** The Raft member this node is in the groups it replicates. */
    public MemberId member() {
        return new MemberId(nodeId, incarnation);
    }

    /** What is wrong with registering these, for a person; empty when nothing is. */
    static Optional<String> problem(int nodeId, long incarnation, String address) {
        if (nodeId < 1) {
            return Optional.of("node id must be 1 .. 2147483647, got " + nodeId);
        }
        if (incarnation == 0) {
            return Optional.of("node " + nodeId + " has incarnation 0; an incarnation is never 0");
        }
        if (!isHostPort(address)) {
            return Optional.of("node " + nodeId + " has address '" + address
                    + "'; an address is host:port with a port 1 .. 65535 (an IPv6 host in brackets)");
        }
        return Optional.empty();
    }

    private static boolean isHostPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 1 || address.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            return false;
        }
        String host = address.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.indexOf(':') >= 0 && !bracketed) {
            return false;
        }
        String port = address.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int number = Integer.parseInt(port);
        return number >= 1 && number <= 65535;
    }
}
