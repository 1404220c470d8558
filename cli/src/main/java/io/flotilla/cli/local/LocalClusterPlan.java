package io.flotilla.cli.local;

import io.flotilla.cli.client.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The layout of a local cluster: nodes 1..N, node i on port basePort + i - 1 with data directory
 * {@code dir/node-i}, all on 127.0.0.1 unless {@code hosts} gives each node its own address (a
 * test harness that puts every node in a network namespace of its own).
 *
 * @param hosts empty (every node on {@link #HOST}), or node i's address at index i - 1
 */
public record LocalClusterPlan(int nodeCount, Path dir, int basePort, List<String> hosts) {

    public static final int MAX_NODES = 9;
    public static final String HOST = "127.0.0.1";

    /** @throws IllegalArgumentException naming the option to fix */
    public LocalClusterPlan {
        if (nodeCount < 1 || nodeCount > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be 1.." + MAX_NODES + ", not " + nodeCount);
        }
        if (basePort < 1 || basePort + nodeCount - 1 > 65535) {
            throw new IllegalArgumentException("--base-port must be 1.." + (65536 - nodeCount) + " so that " + nodeCount
                    + " nodes fit below port 65536, not " + basePort);
        }
        hosts = List.copyOf(hosts);
        if (!hosts.isEmpty() && hosts.size() != nodeCount) {
            throw new IllegalArgumentException(nodeCount + " nodes need " + nodeCount + " hosts, not " + hosts);
        }
    }

    /** Every node on 127.0.0.1. */
    public LocalClusterPlan(int nodeCount, Path dir, int basePort) {
        this(nodeCount, dir, basePort, List.of());
    }

    public List<LocalNode> nodes() {
        List<LocalNode> nodes = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++) {
            String host = hosts.isEmpty() ? HOST : hosts.get(id - 1);
            nodes.add(new LocalNode(id, new HostPort(host, basePort + id - 1), dir.resolve("node-" + id)));
        }
        return nodes;
    }

    /** The server's {@code --cluster} value: "1@127.0.0.1:9701,2@127.0.0.1:9702,...". */
    public String clusterSpec() {
        return nodes().stream().map(n -> n.id() + "@" + n.address()).collect(Collectors.joining(","));
    }

    /** The clients' {@code --bootstrap} value: every node's address. */
    public String bootstrap() {
        return nodes().stream().map(n -> n.address().toString()).collect(Collectors.joining(","));
    }

    /**
     * The first base port at or above {@code from} whose {@code nodeCount} consecutive ports can
     * all be bound on {@link #HOST} now, searching below 32768 (where Linux hands out ephemeral
     * ports, so a client socket does not take one a moment later); empty if none is.
     */
    public static OptionalInt freeBasePort(int nodeCount, int from) {
        for (int base = Math.max(from, 1); base + nodeCount - 1 < 32_768; base++) {
            int taken = firstTaken(base, nodeCount);
            if (taken < 0) {
                return OptionalInt.of(base);
            }
            base = taken; // no range containing the taken port fits
        }
        return OptionalInt.empty();
    }

    private static int firstTaken(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(HOST, port));
            } catch (IOException e) {
                return port;
            }
        }
        return -1;
    }
}
