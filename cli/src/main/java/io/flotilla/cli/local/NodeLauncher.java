package io.flotilla.cli.local;

import java.util.List;

/**
 * The command line that starts one node of a {@link LocalCluster} as a process. {@link NodeCommand}
 * runs {@code flotilla server} directly; a test harness may wrap it, for example to start each
 * node inside a network namespace of its own.
 */
@FunctionalInterface
public interface NodeLauncher {
    List<String> forNode(LocalNode node, String clusterSpec);
}
