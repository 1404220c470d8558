package io.flotilla.cli;

import io.flotilla.cli.client.ProducerConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of every command that produces: how records are acknowledged and batched. */
public final class ProducerOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--acks", paramLabel = "quorum|leader", defaultValue = "quorum",
            description = "quorum (default): acknowledged once a majority of replicas hold the records on disk. "
                    + "leader: once the leader wrote them; faster, but lost if the leader fails before replicating.")
    private AcksChoice acks;

    @Option(names = "--batch-bytes", paramLabel = "BYTES", defaultValue = "262144",
            description = "The largest batch sent to one partition (default: ${DEFAULT-VALUE}; at most the topic's "
                    + "max_batch_bytes).")
    private int batchBytes;

    @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "5",
            description = "How long a partition's batch waits for more records before it goes, when nothing else of "
                    + "that partition is waiting to go (default: ${DEFAULT-VALUE}; 0 sends each record at once). Beyond "
                    + "it, records gather only while the partition's calls in flight are at their limit.")
    private int lingerMs;

    /** The producer settings these options give. */
    public ProducerConfig config() {
        if (lingerMs < 0 || lingerMs > ProducerConfig.MAX_LINGER_MS) {
            throw new ParameterException(command.commandLine(), "--linger-ms must be 0.."
                    + ProducerConfig.MAX_LINGER_MS + ", not " + lingerMs);
        }
        try {
            return ProducerConfig.DEFAULTS.withAcks(acks.acks()).withBatchBytes(batchBytes).withLingerMs(lingerMs);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--batch-bytes must be 1024.."
                    + ProducerConfig.DEFAULTS.bufferBytes() + ", not " + batchBytes);
        }
    }
}
