package io.flotilla.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher behind {@code flotilla local}, with {@link FakeNodeMain} processes as nodes. */
class LocalClusterTest {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void startsEachNodeWithTheServerFlagsWaitsUntilServingAndStopsThemWithSigterm() throws Exception {
        int base = freeBasePort(3);
        LocalClusterPlan plan = new LocalClusterPlan(3, dir, base);
        Map<LocalNode, Process> processes;
        try (LocalCluster cluster = new LocalCluster(plan, fakeNodes(), GRACE)) {
            cluster.start();
            cluster.awaitServing(START);
            processes = cluster.processes();
            assertEquals(3, processes.size());
        }
        for (Process p : processes.values()) {
            assertFalse(p.isAlive());
            assertEquals(143, p.exitValue(), "ended by SIGTERM (128 + 15), not killed");
        }
        String cluster = "1@127.0.0.1:" + base + ",2@127.0.0.1:" + (base + 1) + ",3@127.0.0.1:" + (base + 2);
        assertTrue(Files.readString(dir.resolve("node-2/server.log")).contains("args: server --node-id 2 --data-dir "
                + dir.resolve("node-2") + " --listen 127.0.0.1:" + (base + 1) + " --cluster " + cluster));
    }

    @Test
    void nodesGivenTheirOwnAddressesListenThereAndStartThroughTheGivenLauncher() throws Exception {
        int base = freeBasePort(2);
        LocalClusterPlan plan = new LocalClusterPlan(2, dir, base, List.of("127.0.0.2", "127.0.0.3"));
        NodeLauncher tagged = (node, spec) -> fakeNodes("-Dfake.tag=launched-" + node.id()).forNode(node, spec);
        try (LocalCluster cluster = new LocalCluster(plan, tagged, GRACE)) {
            cluster.start();
            cluster.awaitServing(START);
            for (LocalNode node : plan.nodes()) {
                List<String> args = List.of(cluster.processes().get(node).info().arguments().orElseThrow());
                assertTrue(args.contains("-Dfake.tag=launched-" + node.id()), args.toString());
            }
        }
        String cluster = "1@127.0.0.2:" + base + ",2@127.0.0.3:" + (base + 1);
        assertTrue(Files.readString(dir.resolve("node-2/server.log")).contains("--listen 127.0.0.3:" + (base + 1)
                + " --cluster " + cluster));
        assertThrows(IllegalArgumentException.class, () -> new LocalClusterPlan(2, dir, base, List.of("127.0.0.2")));
    }

    @Test
    void aNodeExitingBeforeServingFailsTheStartNamingItAndTheOthersAreStopped() throws Exception {
        LocalClusterPlan plan = new LocalClusterPlan(3, dir, freeBasePort(3));
        Map<LocalNode, Process> processes;
        try (LocalCluster cluster = new LocalCluster(plan, fakeNodes("-Dfake.failNode=2"), GRACE)) {
            cluster.start();
            LocalCluster.StartFailure e = assertThrows(LocalCluster.StartFailure.class,
                    () -> cluster.awaitServing(START));

            assertEquals("node 2 exited with code 3 before serving", e.getMessage());
            assertEquals(2, e.explainedBy().id());
            assertTrue(LogTail.lastLines(e.explainedBy().log(), LogTail.LINES).contains("node 2 fails on purpose"));
            processes = cluster.processes();
        }
        processes.values().forEach(p -> assertFalse(p.isAlive()));
    }

    @Test
    void aNodeIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        LocalClusterPlan plan = new LocalClusterPlan(1, dir, freeBasePort(1));
        Process node;
        try (LocalCluster cluster = new LocalCluster(plan, fakeNodes("-Dfake.holdOnTerm=true"),
                Duration.ofMillis(300))) {
            cluster.start();
            cluster.awaitServing(START);
            node = cluster.processes().values().iterator().next();
        }
        assertFalse(node.isAlive());
        assertEquals(137, node.exitValue(), "killed (128 + 9)");
    }

    @Test
    void aPortInUseStopsTheStartBeforeAnyNodeRuns() throws Exception {
        int base = freeBasePort(2); // node 1's port must be free, or it is reported instead
        try (ServerSocket taken = new ServerSocket()) {
            int port = base + 1;
            taken.bind(new InetSocketAddress("127.0.0.1", port));
            LocalClusterPlan plan = new LocalClusterPlan(2, dir, base);
            try (LocalCluster cluster = new LocalCluster(plan, fakeNodes(), GRACE)) {
                LocalCluster.StartFailure e = assertThrows(LocalCluster.StartFailure.class, cluster::start);

                String expected = "port " + port + " (node 2) on 127.0.0.1 is in use: stop what listens there (another "
                        + "'flotilla local'?) or choose other ports with --base-port (--base-port ";
                assertTrue(e.getMessage().startsWith(expected), e.getMessage());
                int suggested = Integer.parseInt(e.getMessage().substring(expected.length()).split(" ")[0]);
                assertTrue(suggested > port, "the suggestion skips the taken port: " + e.getMessage());
                assertEquals(" is free now)", e.getMessage().substring(expected.length()
                        + Integer.toString(suggested).length()));
                assertEquals(Map.of(), cluster.processes());
            }
        }
    }

    @Test
    void aKilledNodeEndsWithSigkillAndARestartedOneServesAgainWhileTheOthersRunOn() throws Exception {
        LocalClusterPlan plan = new LocalClusterPlan(2, dir, freeBasePort(2));
        try (LocalCluster cluster = new LocalCluster(plan, fakeNodes(), GRACE)) {
            cluster.start();
            cluster.awaitServing(START);
            LocalNode first = plan.nodes().get(0);
            Process before = cluster.processes().get(first);
            Process other = cluster.processes().get(plan.nodes().get(1));

            assertThrows(IllegalStateException.class, () -> cluster.restart(first), "a running node is not restarted");
            cluster.kill(first);

            assertEquals(137, before.exitValue(), "ended by SIGKILL (128 + 9)");
            assertTrue(other.isAlive(), "the other node runs on");
            cluster.restart(first);
            cluster.awaitServing(START);
            Process after = cluster.processes().get(first);
            assertTrue(after.isAlive() && after.pid() != before.pid(), "a new process serves node 1");
            assertEquals(2, Files.readString(first.log()).split("---- flotilla local: starting node 1", -1).length - 1,
                    "both starts appended to one log");
        }
    }

    @Test
    void aNodeDyingWhileTheClusterRunsIsReportedWithItsLog() throws Exception {
        LocalClusterPlan plan = new LocalClusterPlan(2, dir, freeBasePort(2));
        CountDownLatch reported = new CountDownLatch(1);
        ByteArrayOutputStream captured = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                if (toString(StandardCharsets.UTF_8).contains("args: server")) {
                    reported.countDown();
                }
            }
        };
        PrintStream err = new PrintStream(captured, true, StandardCharsets.UTF_8);
        LocalCluster cluster = new LocalCluster(plan, fakeNodes(), GRACE);
        try {
            cluster.start();
            cluster.awaitServing(START);
            CompletableFuture<Integer> supervised = CompletableFuture.supplyAsync(() -> {
                try {
                    return cluster.supervise(err);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            cluster.processes().values().iterator().next().destroyForcibly();

            assertTrue(reported.await(10, TimeUnit.SECONDS), captured.toString(StandardCharsets.UTF_8));
            cluster.close();
            assertEquals(0, supervised.get(10, TimeUnit.SECONDS), "stopped on request after the report");
        } finally {
            cluster.close();
        }
        String report = captured.toString(StandardCharsets.UTF_8);
        assertTrue(report.startsWith("flotilla local: node 1 exited unexpectedly with code 137; the others keep running. "
                + "The end of " + dir.resolve("node-1/server.log") + ":\n"), report);
    }

    /** Fake nodes; C1 only, since on two cores several JVMs starting at once spend seconds in C2. */
    private static NodeCommand fakeNodes(String... properties) {
        NodeCommand same = NodeCommand.sameJvm(FakeNodeMain.class.getName());
        List<String> jvmArgs = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        jvmArgs.addAll(List.of(properties));
        return new NodeCommand(same.java(), same.classpath(), jvmArgs, same.mainClass());
    }

    /** The first of {@code count} consecutive ports nothing listens on now. */

    static int freeBasePort(int count) {
        return LocalClusterPlan.freeBasePort(count, 20_000 + (int) (ProcessHandle.current().pid() % 500) * 20)
                .orElseThrow(() -> new AssertionError("no " + count + " consecutive free ports below 32768"));
    }
}
