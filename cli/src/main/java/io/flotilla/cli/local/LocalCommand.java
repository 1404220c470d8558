package io.flotilla.cli.local;

import io.flotilla.cli.CliContext;
import io.flotilla.cli.client.Bootstrap;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flotilla local}: a cluster of node processes on this machine, in the foreground. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Start a cluster on this machine: N nodes on 127.0.0.1, each its own process, and wait "
                + "until every node is serving. Then stay in the foreground watching them; Ctrl-C stops them all.",
            "Node i listens on BASE-PORT + i - 1 and keeps its data in DIR/node-i, its output in "
                + "DIR/node-i/server.log. The data stays after a stop, so starting again with the same --dir resumes "
                + "the same cluster (use the same --nodes); delete DIR for a fresh one."},
        footer = "Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 a node failed to start (its log's end is shown), "
                + "a port was in use, or every node exited; 2 bad usage.")
public final class LocalCommand implements Callable<Integer> {

    /** How long stopping nodes get after SIGTERM before they are killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "Number of nodes, 1.." + LocalClusterPlan.MAX_NODES + " (default: ${DEFAULT-VALUE}).")
    private int nodes;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".flotilla/local",
            description = "Where the nodes keep their data, relative to the current directory "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path dir;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "9701",
            description = "Port of node 1; node i gets PORT + i - 1 (default: ${DEFAULT-VALUE}: node 1 is then at "
                    + Bootstrap.DEFAULT + ", where the other commands look by default).")
    private int basePort;

    @Option(names = "--start-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long every node gets to report SERVING (default: ${DEFAULT-VALUE}).")
    private long startTimeoutMs;

    public LocalCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        LocalClusterPlan plan;
        try {
            plan = new LocalClusterPlan(nodes, dir.toAbsolutePath().normalize(), basePort);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (startTimeoutMs < 1) {
            throw new ParameterException(spec.commandLine(), "--start-timeout-ms must be at least 1, not "
                    + startTimeoutMs);
        }
        NodeCommand nodeCommand = NodeCommand.sameJvm(NodeCommand.FLOTILLA_MAIN);
        try (LocalCluster cluster = new LocalCluster(plan, nodeCommand, STOP_GRACE)) {
            Thread stopper = new Thread(cluster::close, "flotilla-local-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
                return run(cluster, plan, context.out(), context.err());
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // the JVM is exiting: the hook stops the nodes
                }
            }
        }
    }

    private int run(LocalCluster cluster, LocalClusterPlan plan, PrintStream out, PrintStream err)
            throws InterruptedException {
        long started = System.nanoTime();
        try {
            cluster.start();
            cluster.awaitServing(Duration.ofMillis(startTimeoutMs));
        } catch (LocalCluster.StartFailure e) {
            err.println("flotilla local: " + e.getMessage()
                    + (e.explainedBy() == null ? "" : ". The end of " + e.explainedBy().log() + ":"));
            if (e.explainedBy() != null) {
                LogTail.print(e.explainedBy().log(), err);
            }
            return 1;
        }
        printReady(plan, (System.nanoTime() - started) / 1_000_000, out);
        int code = cluster.supervise(err);
        if (code == 0) {
            out.println("flotilla local: stopped; the data stays in " + plan.dir());
        }
        return code;
    }

    private static void printReady(LocalClusterPlan plan, long elapsedMs, PrintStream out) {
        out.printf("flotilla local: %d node%s serving after %.1f s, data in %s%n", plan.nodeCount(),
                plan.nodeCount() == 1 ? "" : "s", elapsedMs / 1000.0, plan.dir());
        for (LocalNode node : plan.nodes()) {
            out.println("  node " + node.id() + "  " + node.address() + "  log " + node.log());
        }
        out.println("Clients: --bootstrap " + plan.bootstrap() + "  (or export " + Bootstrap.ENV + "="
                + plan.bootstrap() + ")");
        out.println("Stop with Ctrl-C (or kill " + ProcessHandle.current().pid() + "); the nodes stop with it.");
        out.flush();
    }
}
