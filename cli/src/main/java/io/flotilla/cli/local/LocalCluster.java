package io.flotilla.cli.local;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Node processes on this machine: started together, waited on until each is healthy, watched
 * while they run, and stopped together (SIGTERM, then SIGKILL for any still running after a
 * grace period). {@link #close} is safe from a shutdown hook and from several threads.
 */
public final class LocalCluster implements AutoCloseable {

    /** Why the cluster could not start, and which node's log tells more. */
    public static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient LocalNode explainedBy;

        StartFailure(LocalNode explainedBy, String message) {
            super(message);
            this.explainedBy = explainedBy;
        }

        /** The node whose log explains the failure; null when no log does. */
        public LocalNode explainedBy() {
            return explainedBy;
        }
    }

    private static final long POLL_INTERVAL_MS = 50;
    /** How long a node exit that races a stop request waits for that request before it is reported. */
    private static final long STOP_RACE_MS = 500;

    private final LocalClusterPlan plan;
    private final NodeLauncher command;
    private final Duration stopGrace;
    private final Map<LocalNode, Process> processes = new LinkedHashMap<>();
    private final CountDownLatch stopping = new CountDownLatch(1);

    public LocalCluster(LocalClusterPlan plan, NodeLauncher command, Duration stopGrace) {
        this.plan = plan;
        this.command = command;
        this.stopGrace = stopGrace;
    }

    /**
     * Checks every port on this machine's loopback is free, then starts every node, its output
     * appended to its log. A node at another address (in a network namespace of a test harness)
     * cannot be probed from here: if its port is taken, it exits and {@link #awaitServing} says so.
     *
     * @throws StartFailure naming a port in use, or a node that could not be started
     */
    public synchronized void start() throws StartFailure {
        for (LocalNode node : plan.nodes()) {
            if (node.address().host().equals(LocalClusterPlan.HOST)) {
                checkFree(node, plan);
            }
        }
        for (LocalNode node : plan.nodes()) {
            launch(node);
        }
    }

    /**
     * Kills one node with SIGKILL, as a crash would, and waits until its process is gone; its
     * data directory stays for {@link #restart}.
     */
    public synchronized void kill(LocalNode node) throws InterruptedException {
        Process p = processes.get(node);
        if (p == null) {
            throw new IllegalArgumentException("node " + node.id() + " is not part of this cluster");
        }
        p.destroyForcibly();
        p.waitFor();
    }

    /**
     * Starts a node again on its data directory after it exited (or was {@linkplain #kill killed});
     * {@link #awaitServing} then waits for it too.
     *
     * @throws IllegalStateException if its process still runs
     */
    public synchronized void restart(LocalNode node) throws StartFailure {
        Process p = processes.get(node);
        if (p == null) {
            throw new IllegalArgumentException("node " + node.id() + " is not part of this cluster");
        }
        if (p.isAlive()) {
            throw new IllegalStateException("node " + node.id() + " still runs (pid " + p.pid() + ")");
        }
        launch(node);
    }

    private void launch(LocalNode node) throws StartFailure {
        try {
            Files.createDirectories(node.dataDir());
            Files.writeString(node.log(), "---- flotilla local: starting node " + node.id() + " at "
                    + Instant.now() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command.forNode(node, plan.clusterSpec()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()))
                    .start();
            processes.put(node, p);
        } catch (IOException e) {
            throw new StartFailure(node, "cannot start node " + node.id() + ": " + e.getMessage());
        }
    }

    /**
     * Waits until every node answers the health check with SERVING.
     *
     * @throws StartFailure when a node exits first, or is not serving within {@code timeout}
     */
    public void awaitServing(Duration timeout) throws StartFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<LocalNode> pending = new ArrayList<>(processes().keySet());
        try (HealthProbe probe = new HealthProbe()) {
            while (true) {
                for (var it = pending.iterator(); it.hasNext(); ) {
                    LocalNode node = it.next();
                    Process p = processes().get(node);
                    if (!p.isAlive()) {
                        throw new StartFailure(node, "node " + node.id() + " exited with code " + p.exitValue()
                                + " before serving");
                    }
                    if (probe.serving(node.address())) {
                        it.remove();
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    LocalNode node = pending.get(0);
                    throw new StartFailure(node, "node " + node.id() + " did not report SERVING on "
                            + node.address() + " within " + timeout.toMillis() + " ms");
                }
                awaitAnyExit(pending, POLL_INTERVAL_MS);
            }
        }
    }

    /**
     * Blocks while nodes run, reporting each that exits without being asked to.
     *
     * @return 0 when the nodes were stopped by {@link #close}, 1 when they all exited on their own
     */
    public int supervise(PrintStream err) throws InterruptedException {
        List<LocalNode> running = new ArrayList<>(processes().keySet());
        while (!running.isEmpty()) {
            awaitAnyExit(running, Long.MAX_VALUE);
            for (var it = running.iterator(); it.hasNext(); ) {
                LocalNode node = it.next();
                Process p = processes().get(node);
                if (p.isAlive()) {
                    continue;
                }
                it.remove();
                if (!stopping.await(STOP_RACE_MS, TimeUnit.MILLISECONDS)) {
                    err.println("flotilla local: node " + node.id() + " exited unexpectedly with code "
                            + p.exitValue() + (running.isEmpty() ? "; no node is left" : "; the others keep running")
                            + ". The end of " + node.log() + ":");
                    LogTail.print(node.log(), err);
                }
            }
        }
        return stopping.getCount() == 0 ? 0 : 1;
    }

    /** The node processes, by node; empty before {@link #start}. */
    public synchronized Map<LocalNode, Process> processes() {
        return new LinkedHashMap<>(processes);
    }

    /** Stops every node: SIGTERM, up to the grace period to exit, then SIGKILL. Idempotent. */
    @Override
    public synchronized void close() {
        stopping.countDown();
        List<Process> all = new ArrayList<>(processes.values());
        all.forEach(Process::destroy);
        if (!awaitExit(all, stopGrace.toMillis())) {
            all.forEach(Process::destroyForcibly);
            awaitExit(all, stopGrace.toMillis());
        }
    }

    private void awaitAnyExit(List<LocalNode> nodes, long timeoutMs) throws InterruptedException {
        Map<LocalNode, Process> all = processes();
        CompletableFuture<?>[] exits = nodes.stream().map(n -> all.get(n).onExit()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(exits).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the caller looks at each process itself
        }
    }

    private static boolean awaitExit(List<Process> all, long timeoutMs) {
        try {
            CompletableFuture.allOf(all.stream().map(Process::onExit).toArray(CompletableFuture[]::new))
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void checkFree(LocalNode node, LocalClusterPlan plan) throws StartFailure {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(node.address().host(), node.address().port()));
        } catch (IOException e) {
            OptionalInt free = LocalClusterPlan.freeBasePort(plan.nodeCount(), plan.basePort() + 1);
            throw new StartFailure(null, "port " + node.address().port() + " (node " + node.id() + ") on "
                    + node.address().host() + " is in use: stop what listens there (another 'flotilla local'?) or "
                    + "choose other ports with --base-port" + (free.isPresent()
                    ? " (--base-port " + free.getAsInt() + " is free now)" : ""));
        }
    }
}
