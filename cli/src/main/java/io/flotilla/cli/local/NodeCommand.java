package io.flotilla.cli.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts one node as its own process:
 * {@code java [jvmArgs] -cp CLASSPATH MAIN server --node-id ... --data-dir ... --listen ... --cluster ...}.
 * The main class is a parameter so tests can start a stand-in.
 */
public record NodeCommand(Path java, String classpath, List<String> jvmArgs, String mainClass) implements NodeLauncher {

    /** The main class of the {@code flotilla} command, whose {@code server} subcommand runs a node. */
    public static final String FLOTILLA_MAIN = "io.flotilla.cli.Main";

    public NodeCommand {
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** Nodes run by the same Java and from the same classpath (the flotilla jar) as this process. */
    public static NodeCommand sameJvm(String mainClass) {
        return new NodeCommand(Path.of(System.getProperty("java.home"), "bin", "java"),
                System.getProperty("java.class.path"), List.of("--enable-native-access=ALL-UNNAMED"), mainClass);
    }

    @Override
    public List<String> forNode(LocalNode node, String clusterSpec) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", classpath, mainClass, "server",
                "--node-id", Integer.toString(node.id()),
                "--data-dir", node.dataDir().toString(),
                "--listen", node.address().toString(),
                "--cluster", clusterSpec));
        return command;
    }
}
