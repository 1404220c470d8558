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
                    + "max_batch_bytes). Records gather in a batch only while the partition's calls in flight are at "
                    + "their limit.")
    private int batchBytes;

    /** The producer settings these options give. */
    public ProducerConfig config() {
        try {
            return ProducerConfig.DEFAULTS.withAcks(acks.acks()).withBatchBytes(batchBytes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--batch-bytes must be 1024.."
                    + ProducerConfig.DEFAULTS.bufferBytes() + ", not " + batchBytes);
        }
    }
}
