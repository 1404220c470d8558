package io.flotilla.broker.node;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.broker.BrokerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real nodes in this JVM on loopback, each with its own data directory; closed by the test. */
final class TestCluster implements AutoCloseable {
    final Path root;
    final Map<Integer, String> addresses = new HashMap<>();
    final Map<Integer, BrokerNode> nodes = new HashMap<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    TestCluster(Path root, int size) {
        this.root = root;
        for (int id = 1; id <= size; id++) {
            addresses.put(id, "127.0.0.1:" + freePort());
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    BrokerConfig config(int id) {
        return BrokerConfig.of(id, root.resolve("node-" + id), addresses.get(id), addresses);
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

    void awaitReady() {
        await(() -> nodes.values().stream().allMatch(BrokerNode::ready), 30, "every node ready");
    }

    static void await(BooleanSupplier condition, int seconds, String what) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + what);
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
