package io.flotilla.cli.local;

import io.flotilla.cli.client.HostPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The layout of a local cluster: nodes 1..N on 127.0.0.1, node i on port basePort + i - 1 with
 * data directory {@code dir/node-i}.
 */
public record LocalClusterPlan(int nodeCount, Path dir, int basePort) {

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
    }

    public List<LocalNode> nodes() {
        List<LocalNode> nodes = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++) {
            nodes.add(new LocalNode(id, new HostPort(HOST, basePort + id - 1), dir.resolve("node-" + id)));
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
}
