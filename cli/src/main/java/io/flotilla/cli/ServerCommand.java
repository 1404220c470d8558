package io.flotilla.cli;

import io.flotilla.broker.BrokerConfig;
import io.flotilla.broker.node.BrokerNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code flotilla server}: runs one node in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "server", description = "Run one Flotilla node in the foreground (Ctrl-C or SIGTERM stops it cleanly).",
        footer = {"", "A config file (--config) holds the same settings as properties: node.id, data.dir, listen, "
                + "cluster. Flags given on the command line win over the file.",
            "Example: flotilla server --node-id 1 --data-dir /var/lib/flotilla/1 --listen 127.0.0.1:9701 "
                + "--cluster 1@127.0.0.1:9701,2@127.0.0.1:9702,3@127.0.0.1:9703"})
public final class ServerCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--node-id", paramLabel = "N", description = "This node's id, 1 or more.")
    private Integer nodeId;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where this node keeps its data.")
    private Path dataDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "The one gRPC port for clients and peers.")
    private String listen;

    @Option(names = "--cluster", paramLabel = "ID@HOST:PORT,...",
            description = "Every node of the initial cluster, this one included; they form the controller group.")
    private String cluster;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file with the same settings.")
    private Path configFile;

    @Override
    public Integer call() throws Exception {
        BrokerConfig config = config();
        BrokerNode node = BrokerNode.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "flotilla-shutdown"));
        spec.commandLine().getOut().printf("node %d listening on %s (data in %s)%n", config.nodeId(), config.listen(),
                config.dataDir());
        spec.commandLine().getOut().flush();
        node.awaitTermination();
        return 0;
    }

    private BrokerConfig config() {
        Properties file = new Properties();
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                file.load(r);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read --config " + configFile + ": " + e.getMessage());
            }
        }
        String id = nodeId != null ? nodeId.toString() : file.getProperty("node.id");
        String dir = dataDir != null ? dataDir.toString() : file.getProperty("data.dir");
        String address = listen != null ? listen : file.getProperty("listen");
        String members = cluster != null ? cluster : file.getProperty("cluster");
        if (id == null || dir == null || address == null || members == null) {
            throw new ParameterException(spec.commandLine(), "server needs --node-id, --data-dir, --listen and --cluster"
                    + " (on the command line or in --config)");
        }
        try {
            Map<Integer, String> clusterMap = BrokerConfig.parseCluster(members);
            return BrokerConfig.of(Integer.parseInt(id.trim()), Path.of(dir), address, clusterMap);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--node-id must be a number, got '" + id + "'");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
