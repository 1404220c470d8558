package io.flotilla.jepsen.process;

import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.TopicConfig;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.cli.local.LocalCluster;
import io.flotilla.cli.local.LocalClusterPlan;
import io.flotilla.cli.local.LocalNode;
import io.flotilla.cli.local.NodeCommand;
import io.flotilla.cli.local.NodeLauncher;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real {@code flotilla server} processes, started by the launcher behind {@code flotilla local}
 * from this JVM's classpath, that a test can kill with SIGKILL, pause with SIGSTOP, and start
 * or continue again. On loopback, or each in its own network namespace of a {@link NodeNetwork}.
 * Closing stops every node and deletes the data; on a failure the nodes' logs are kept and their
 * directory named.
 */
final class ProcessCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration THREAD_DUMP_TIMEOUT = Duration.ofSeconds(30);
    private static final int NAMESPACED_BASE_PORT = 9701;
    /**
     * Small heaps: the nodes and the test share a 2-core machine with the build. A node out of
     * heap exits, which the harness notices, rather than go on with some of its threads dead.
     */
    private static final List<String> NODE_JVM = List.of("-Xmx384m", "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError",
            "-XX:+HeapDumpOnOutOfMemoryError");

    private final Path root;
    private final LocalClusterPlan plan;
    private final LocalCluster cluster;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final Set<Integer> paused = ConcurrentHashMap.newKeySet();
    private boolean closed;

    /** Nodes on 127.0.0.1. */
    ProcessCluster(int nodes) throws IOException {
        this.root = dataRoot();
        this.plan = new LocalClusterPlan(nodes, root, LocalClusterPlan.freeBasePort(nodes,
                20_000 + (int) (ProcessHandle.current().pid() % 500) * 20)
                .orElseThrow(() -> new IOException("no " + nodes + " consecutive free ports below 32768")));
        this.cluster = new LocalCluster(plan, nodeCommand(root), STOP_GRACE);
    }

    /**
     * Node i in {@code network}'s namespace i, at its address there; a node that runs out of
     * heap leaves its heap dump in {@code heapDumps}.
     */
    ProcessCluster(int nodes, NodeNetwork network, Path heapDumps) throws IOException {
        this.root = dataRoot();
        this.plan = new LocalClusterPlan(nodes, root, NAMESPACED_BASE_PORT, network.hosts());
        this.cluster = new LocalCluster(plan, network.launcher(nodeCommand(heapDumps)), STOP_GRACE);
    }

    private static Path dataRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? Files.createTempDirectory(shm, "flotilla-proc")
                : Files.createTempDirectory("flotilla-proc");
    }

    private static NodeLauncher nodeCommand(Path heapDumps) {
        NodeCommand same = NodeCommand.sameJvm(NodeCommand.FLOTILLA_MAIN);
        List<String> jvm = new ArrayList<>(NODE_JVM);
        jvm.add("-XX:HeapDumpPath=" + heapDumps);
        return new NodeCommand(same.java(), same.classpath(), jvm, same.mainClass());
    }

    /** Starts every node and waits until all serve. */
    ProcessCluster start() throws Exception {
        cluster.start();
        cluster.awaitServing(START);
        return this;
    }

    int size() {
        return plan.nodeCount();
    }

    /** Node id to client address. */
    Map<Integer, String> addresses() {
        Map<Integer, String> addresses = new TreeMap<>();
        plan.nodes().forEach(n -> addresses.put(n.id(), n.address().toString()));
        return addresses;
    }

    /** Creates the topic through node 1 and returns it as created, with each partition's replicas. */
    TopicDescription createTopic(String name, int partitions, int replicationFactor) {
        return createTopic(name, partitions, replicationFactor, TopicConfig.getDefaultInstance());
    }

    /** As {@link #createTopic(String, int, int)}, with settings of its own. */
    TopicDescription createTopic(String name, int partitions, int replicationFactor, TopicConfig config) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(addresses().get(1)).usePlaintext().build();
        channels.add(channel);
        return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createTopic(
                CreateTopicRequest.newBuilder().setName(name).setPartitionCount(partitions)
                        .setReplicationFactor(replicationFactor).setConfig(config).build()).getTopic();
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

    /**
     * The directory of the node's replica of a partition ({@code partitions/group-<id>}, beside
     * its log), found by the node's log line that started it: no API names a partition's Raft
     * group, and a partition keeps its group for good.
     *
     * @throws IllegalStateException if the node never started a replica of it
     */
    Path replicaDir(int nodeId, String topic, int partition) throws IOException {
        Pattern started = Pattern.compile("started replica of " + Pattern.quote(topic + "-" + partition)
                + " \\(group (\\d+)[,)]");
        // Latin-1 decodes any byte: a line a SIGKILL cut short must not end the search.
        try (Stream<String> lines = Files.lines(node(nodeId).log(), StandardCharsets.ISO_8859_1)) {
            return lines.map(started::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst()
                    .map(group -> node(nodeId).dataDir().resolve("partitions").resolve("group-" + group))
                    .orElseThrow(() -> new IllegalStateException("node " + nodeId + " never started a replica of "
                            + topic + "-" + partition + " (no such line in " + node(nodeId).log() + ")"));
        }
    }

    /**
     * Deletes everything the node keeps in its data directory, as a new disk would have it,
     * except its log (the launcher's output, not the node's data). The node must be down.
     *
     * @throws IllegalStateException if its process runs
     */
    void wipe(int nodeId) throws IOException {
        if (alive(nodeId)) {
            throw new IllegalStateException("node " + nodeId + " runs; kill it before wiping its data");
        }
        LocalNode n = node(nodeId);
        try (Stream<Path> paths = Files.walk(n.dataDir())) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(n.log()) && !p.equals(n.dataDir())) {
                    Files.delete(p);
                }
            }
        }
    }

    /** SIGSTOP: the process freezes, its sockets stay open, and peers and clients hear nothing from it. */
    void pause(int nodeId) {
        Commands.check("kill", "-STOP", Long.toString(process(nodeId).pid()));
        paused.add(nodeId);
    }

    /** SIGCONT after {@link #pause}. */
    void resume(int nodeId) {
        Commands.check("kill", "-CONT", Long.toString(process(nodeId).pid()));
        paused.remove(nodeId);
    }

    /** Whether the node's process runs (paused or not). */
    boolean alive(int nodeId) {
        return process(nodeId).isAlive();
    }

    /** The node's process exit code, or -1 while it runs. */
    int exitCode(int nodeId) {
        Process p = process(nodeId);
        return p.isAlive() ? -1 : p.exitValue();
    }

    /**
     * Writes each running node's thread stacks ({@code jcmd PID Thread.print}) to {@code dir} as
     * {@code node-<i>-threads.txt}: what a node that stopped making progress was doing. Paused
     * nodes cannot answer and are skipped; a dump that fails says why in its file.
     */
    void dumpThreads(Path dir) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (LocalNode n : plan.nodes()) {
            Process p = cluster.processes().get(n);
            if (p == null || !p.isAlive() || paused.contains(n.id())) {
                continue;
            }
            Path out = dir.resolve("node-" + n.id() + "-threads.txt");
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!dump.waitFor(THREAD_DUMP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                Files.writeString(out, "\njcmd did not finish within " + THREAD_DUMP_TIMEOUT.toSeconds() + " s\n",
                        StandardOpenOption.APPEND);
            }
        }
    }

    /** Copies every node's log (all its starts) into {@code dir} as {@code node-<i>.log}. */
    void copyLogs(Path dir) throws IOException {
        for (LocalNode n : plan.nodes()) {
            if (Files.exists(n.log())) {
                Files.copy(n.log(), dir.resolve("node-" + n.id() + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private Process process(int nodeId) {
        return cluster.processes().get(node(nodeId));
    }

    private LocalNode node(int nodeId) {
        return plan.nodes().get(nodeId - 1);
    }

    /** Stops every node (continuing paused ones first) and deletes the data unless a node failed. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        channels.forEach(ManagedChannel::shutdownNow);
        // A stopped process acts on SIGTERM only once continued (and may have died meanwhile: no check).
        for (int nodeId : List.copyOf(paused)) {
            Commands.run(List.of("kill", "-CONT", Long.toString(process(nodeId).pid())), null);
        }
        cluster.close();
        // 143: SIGTERM, 137: SIGKILL (after the grace period, or killed by a test)
        boolean allStoppedCleanly = cluster.processes().values().stream()
                .allMatch(p -> !p.isAlive() && Set.of(0, 143, 137).contains(p.exitValue()));
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
