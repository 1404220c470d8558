package io.flotilla.broker;

import io.flotilla.broker.coordinator.CoordinatorConfig;
import io.flotilla.raft.driver.DriverConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every setting of a node, with its default. The command line ({@code flotilla server}) and a
 * config file set the same names (README, "Configuration").
 *
 * @param nodeId           this node's id, 1..2^31-1 (required)
 * @param dataDir          where the node keeps its logs and RocksDB store (required)
 * @param listen           host:port of the one gRPC port serving clients and peers (required)
 * @param cluster          node id to host:port of every node of the initial cluster, this one included;
 *                         they form the controller group (required)
 * @param maxRequestBytes  largest gRPC message the node accepts (16 MiB; at most 64 MiB)
 * @param maxParkedFetches fetches waiting for records at once before THROTTLED (10,000)
 * @param maxSubscriptions Subscribe streams served at once before THROTTLED (10,000, as many as parked
 *                         fetches: each costs about as little, a small object and no thread)
 * @param fetchThreads     threads answering woken long polls (2)
 * @param fsyncThreads     threads running group-commit fsyncs (1: one disk)
 * @param produceTimeoutMs how long a produce without a deadline waits for its quorum (30,000)
 * @param driver           the Raft driver: event loops, tick, timeouts ({@link DriverConfig#DEFAULTS})
 * @param retentionIntervalMs how often every partition replica here applies its topic's retention
 *                         (30,000: admin.proto promises a changed retention takes effect within about 30 s)
 * @param leadership       status reports and the leader balancer ({@link LeadershipConfig#DEFAULTS})
 * @param groups           the consumer-group coordinator ({@link CoordinatorConfig#DEFAULTS})
 */
public record BrokerConfig(int nodeId, Path dataDir, String listen, Map<Integer, String> cluster, int maxRequestBytes,
                           int maxParkedFetches, int maxSubscriptions, int fetchThreads, int fsyncThreads, long produceTimeoutMs,
                           DriverConfig driver, long retentionIntervalMs, LeadershipConfig leadership,
                           CoordinatorConfig groups) {
    public static final int MAX_REQUEST_BYTES_LIMIT = 64 * 1024 * 1024;

    public BrokerConfig {
        if (nodeId < 1) {
            throw new IllegalArgumentException("node id must be 1 or more, got " + nodeId);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("a data directory is required");
        }
        parseHostPort("listen address", listen);
        cluster = Map.copyOf(new TreeMap<>(cluster));
        if (!cluster.containsKey(nodeId)) {
            throw new IllegalArgumentException("the cluster " + cluster.keySet() + " must include this node (" + nodeId
                    + ")");
        }
        cluster.forEach((id, address) -> {
            if (id < 1) {
                throw new IllegalArgumentException("node ids in the cluster must be 1 or more, got " + id);
            }
            parseHostPort("address of node " + id, address);
        });
        if (maxRequestBytes < 1024 * 1024 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
            throw new IllegalArgumentException("max request bytes must be 1 MiB to 64 MiB, got " + maxRequestBytes);
        }
        if (maxParkedFetches < 1 || maxSubscriptions < 1 || fetchThreads < 1 || fsyncThreads < 1
                || produceTimeoutMs < 1 || retentionIntervalMs < 1) {
            throw new IllegalArgumentException("parked fetches, subscriptions, fetch threads, fsync threads, produce"
                    + " timeout and retention interval must be positive");
        }
    }

    /** The defaults for everything but what each node must be told. */
    public static BrokerConfig of(int nodeId, Path dataDir, String listen, Map<Integer, String> cluster) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, 16 * 1024 * 1024, 10_000, 10_000, 2, 1, 30_000,
                DriverConfig.DEFAULTS, 30_000, LeadershipConfig.DEFAULTS, CoordinatorConfig.DEFAULTS);
    }

    public BrokerConfig withDriver(DriverConfig value) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, maxRequestBytes, maxParkedFetches, maxSubscriptions,
                fetchThreads, fsyncThreads, produceTimeoutMs, value, retentionIntervalMs, leadership, groups);
    }

    public BrokerConfig withMaxSubscriptions(int value) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, maxRequestBytes, maxParkedFetches, value,
                fetchThreads, fsyncThreads, produceTimeoutMs, driver, retentionIntervalMs, leadership, groups);
    }

    public BrokerConfig withRetentionIntervalMs(long value) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, maxRequestBytes, maxParkedFetches, maxSubscriptions,
                fetchThreads, fsyncThreads, produceTimeoutMs, driver, value, leadership, groups);
    }

    public BrokerConfig withLeadership(LeadershipConfig value) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, maxRequestBytes, maxParkedFetches, maxSubscriptions,
                fetchThreads, fsyncThreads, produceTimeoutMs, driver, retentionIntervalMs, value, groups);
    }

    public BrokerConfig withGroups(CoordinatorConfig value) {
        return new BrokerConfig(nodeId, dataDir, listen, cluster, maxRequestBytes, maxParkedFetches, maxSubscriptions,
                fetchThreads, fsyncThreads, produceTimeoutMs, driver, retentionIntervalMs, leadership, value);
    }

    /**
     * Parses {@code 1@host:port,2@host:port,...}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Map<Integer, String> parseCluster(String spec) {
        Map<Integer, String> out = new TreeMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int at = p.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("cluster entry '" + p + "' is not ID@HOST:PORT");
            }
            int id;
            try {
                id = Integer.parseInt(p.substring(0, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("cluster entry '" + p + "' has a node id that is not a number");
            }
            String address = p.substring(at + 1);
            parseHostPort("address of node " + id, address);
            if (out.put(id, address) != null) {
                throw new IllegalArgumentException("node " + id + " appears twice in the cluster");
            }
        }
        return out;
    }

    /** @return the port */
    static int parseHostPort(String what, String hostPort) {
        if (hostPort == null) {
            throw new IllegalArgumentException("the " + what + " is required (HOST:PORT)");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("the " + what + " '" + hostPort + "' is not HOST:PORT");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the " + what + " '" + hostPort + "' has no valid port (0..65535)");
        }
    }
}
