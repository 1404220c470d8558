package io.flotilla.broker.node;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.broker.BrokerConfig;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Real nodes in this JVM on loopback, each with its own data directory; closed by the test. */
final class TestCluster implements AutoCloseable {
    private static final int FIRST_PORT = 20_000;
    private static final int PORT_SPAN = 12_000;

    final Path root;
    final Map<Integer, String> addresses = new HashMap<>();
    final Map<Integer, BrokerNode> nodes = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final UnaryOperator<BrokerConfig> settings;

    TestCluster(Path root, int size) {
        this(root, size, UnaryOperator.identity());
    }

    /** {@code settings} changes every node's configuration from the defaults. */
    TestCluster(Path root, int size, UnaryOperator<BrokerConfig> settings) {
        this.root = root;
        this.settings = settings;
        for (int id = 1; id <= size; id++) {
            addresses.put(id, "127.0.0.1:" + freePort());
        }
    }

    /**
     * A port that is free now, below Linux's ephemeral range (32768 and up by default): a port
     * from that range may be given to some outgoing connection while its node is down, and a
     * restarted node must bind the port it had.
     */
    static int freePort() {
        int start = ThreadLocalRandom.current().nextInt(PORT_SPAN);
        for (int i = 0; i < PORT_SPAN; i++) {
            int port = FIRST_PORT + (start + i) % PORT_SPAN;
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free port in " + FIRST_PORT + ".." + (FIRST_PORT + PORT_SPAN - 1));
    }

    BrokerConfig config(int id) {
        return settings.apply(BrokerConfig.of(id, root.resolve("node-" + id), addresses.get(id), addresses));
    }

    TestCluster startAll() throws Exception {
        for (int id : addresses.keySet()) {
            start(id);
        }
        awaitReady();
        return this;
    }

    void start(int id) throws Exception {
        nodes.put(id, BrokerNode.start(config(id)));
    }

    void stop(int id) {
        BrokerNode node = nodes.remove(id);
        if (node != null) {
            node.close();
        }
    }

    /**
     * Waits until every running node is ready and every consumer-group coordinator partition has
     * a leader that loaded its state (a complete ListGroups answer), so tests start from a
     * cluster whose internal partitions no longer change on their own.
     */
    void awaitReady() {
        await(() -> nodes.values().stream().allMatch(BrokerNode::ready), 30, "every node ready");
        ManagedChannel any = channel(nodes.keySet().iterator().next());
        await(() -> {
            try {
                return ConsumerGroupsGrpc.newBlockingStub(any).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .listGroups(ListGroupsRequest.getDefaultInstance()).getComplete();
            } catch (StatusRuntimeException notYet) {
                return false;
            }
        }, 30, "every coordinator partition led and loaded");
    }

    static void await(BooleanSupplier condition, int seconds, String what) {
        await(condition, seconds, () -> what);
    }

    /** As {@link #await(BooleanSupplier, int, String)}, describing the state it timed out in. */
    static void await(BooleanSupplier condition, int seconds, Supplier<String> what) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what.get());
            }
            try {
                Thread.sleep(20); // polling an outcome with a bound, not ordering threads
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    ManagedChannel channel(int id) {
        ManagedChannel c = NettyChannelBuilder.forTarget(addresses.get(id)).usePlaintext().build();
        channels.add(c);
        return c;
    }

    BrokerGrpc.BrokerBlockingStub broker(int id) {
        return BrokerGrpc.newBlockingStub(channel(id)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    AdminGrpc.AdminBlockingStub admin(int id) {
        return AdminGrpc.newBlockingStub(channel(id)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /**
     * Creates a topic through node 1 (any node forwards to the controller) and returns it once
     * every partition is led by its preferred leader, where the leader balancers keep it.
     */
    TopicDescription createTopic(String name, int partitions, int replicationFactor) {
        admin(1).createTopic(CreateTopicRequest.newBuilder().setName(name).setPartitionCount(partitions)
                .setReplicationFactor(replicationFactor).build());
        return awaitPreferredLeaders(name);
    }

    /**
     * The topic once every partition is led by its preferred leader. The first election of a
     * new partition almost always picks it; when another replica wins, or leads after a
     * failover, the balancer hands over within a few seconds, and a test that picked the
     * leader before that would see it move.
     */
    TopicDescription awaitPreferredLeaders(String topic) {
        Supplier<TopicDescription> describe = () -> admin(nodes.keySet().iterator().next()).describeTopics(
                DescribeTopicsRequest.newBuilder().addNames(topic).build()).getTopics(0);
        await(() -> describe.get().getPartitionsList().stream()
                        .allMatch(p -> p.getLeaderNodeId() == p.getPreferredLeaderNodeId()), 20,
                () -> "every partition of " + topic + " led by its preferred leader: " + describe.get());
        return describe.get();
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (int id : new ArrayList<>(nodes.keySet())) {
            stop(id);
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? Files.createTempDirectory(shm, "flotilla-it") : Files.createTempDirectory("flotilla-it");
    }
}
