package io.flotilla.jepsen.process;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.cli.local.LocalCluster;
import io.flotilla.cli.local.LocalClusterPlan;
import io.flotilla.cli.local.LocalNode;
import io.flotilla.cli.local.NodeCommand;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real {@code flotilla server} processes on loopback, started by the launcher behind
 * {@code flotilla local} from this JVM's classpath, that a test can kill with SIGKILL and start
 * again. Closing stops every node and deletes the data; on a failure the nodes' logs are kept and
 * their directory named.
 */
final class ProcessCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Small heaps: three nodes and the test share a 2-core machine with the build. */
    private static final List<String> NODE_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED");

    private final Path root;
    private final LocalClusterPlan plan;
    private final LocalCluster cluster;
    private final List<ManagedChannel> channels = new ArrayList<>();

    ProcessCluster(int nodes) throws IOException {
        Path shm = Path.of("/dev/shm");
        this.root = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "flotilla-proc")
                : Files.createTempDirectory("flotilla-proc");
        this.plan = new LocalClusterPlan(nodes, root, LocalClusterPlan.freeBasePort(nodes,
                20_000 + (int) (ProcessHandle.current().pid() % 500) * 20)
                .orElseThrow(() -> new IOException("no " + nodes + " consecutive free ports below 32768")));
        NodeCommand same = NodeCommand.sameJvm(NodeCommand.FLOTILLA_MAIN);
        this.cluster = new LocalCluster(plan, new NodeCommand(same.java(), same.classpath(), NODE_JVM,
                same.mainClass()), STOP_GRACE);
    }

    /** Starts every node and waits until all serve. */
    ProcessCluster start() throws Exception {
        cluster.start();
        cluster.awaitServing(START);
        return this;
    }

    /** Node id to client address, for {@code LeaderRouter}. */
    Map<Integer, String> addresses() {
        Map<Integer, String> addresses = new TreeMap<>();
        plan.nodes().forEach(n -> addresses.put(n.id(), n.address().toString()));
        return addresses;
    }

    void createTopic(String name, int partitions, int replicationFactor) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(addresses().get(1)).usePlaintext().build();
        channels.add(channel);
        AdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createTopic(
                CreateTopicRequest.newBuilder().setName(name).setPartitionCount(partitions)
                        .setReplicationFactor(replicationFactor).build());
    }

    /** SIGKILL, as a crash: no shutdown hook runs, nothing is flushed. Waits until the process is gone. */
    void kill(int nodeId) throws InterruptedException {
        cluster.kill(node(nodeId));
    }

    /** Starts a killed node again on its data directory and waits until it serves. */
    void restart(int nodeId) throws Exception {
        cluster.restart(node(nodeId));
        cluster.awaitServing(START);
    }

    /** The node's process exit code, or -1 while it runs. */
    int exitCode(int nodeId) {
        Process p = cluster.processes().get(node(nodeId));
        return p.isAlive() ? -1 : p.exitValue();
    }

    private LocalNode node(int nodeId) {
        return plan.nodes().get(nodeId - 1);
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        cluster.close();
        boolean allStoppedCleanly = plan.nodes().stream().allMatch(n -> exitCode(n.id()) == 0
                || exitCode(n.id()) == 143 || exitCode(n.id()) == 137);
        if (!allStoppedCleanly) {
            System.out.println("process cluster: node logs kept in " + root);
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
