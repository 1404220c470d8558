package io.flotilla.cli;

import com.google.protobuf.ByteString;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.Producer;
import io.flotilla.cli.client.ProducerConfig;
import io.flotilla.cli.client.ClientException;
import io.grpc.Status;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla produce}: one record per line of standard input. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send one record per line of standard input to a topic, idempotently (a retry never "
                + "writes a record twice).",
            "Records with a key go to the partition Kafka's default partitioner would choose (murmur2); records "
                + "without one fill a batch on one partition, then move to the next.",
            "Prints how many records were written; each record not written gets a line on standard error "
                + "naming its line number and why."},
        footer = "Exit codes: 0 every record written; 1 some were not, or the cluster refused; 2 bad usage.")
final class ProduceCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to write to.")
    private String topic;

    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Split each line at its first SEP: key before, value after. A line without SEP is sent "
                    + "without a key. Default: no keys, the whole line is the value.")
    private String keySeparator;

    @Mixin
    private ProducerOptions producing;

    @Option(names = "--partition", paramLabel = "P",
            description = "Send every record to partition P. Default: by key (murmur2), records without a key "
                    + "a batch at a time to each partition in turn.")
    private Integer partition;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the records from FILE instead of standard input.")
    private Path file;

    ProduceCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        ProducerConfig config = producing.config();
        byte[] separator = keySeparator == null ? null : keySeparator.getBytes(StandardCharsets.UTF_8);
        try (FlotillaClient client = cluster.connect(); InputStream in = input()) {
            Producer producer = Producer.start(client, topic, config,
                    (line, reason) -> context.err().println("flotilla produce: line " + line + " not written: "
                            + reason));
            int to = partition == null ? -1 : partition;
            if (to < -1 || to >= producer.partitionCount()) {
                throw ClientException.local(Status.Code.NOT_FOUND, "topic '" + topic + "' has "
                        + producer.partitionCount() + " partitions (0.." + (producer.partitionCount() - 1)
                        + "); there is no partition " + to);
            }
            LineReader.read(in, (buf, off, len) -> {
                int split = separator == null ? -1 : indexOf(buf, off, len, separator);
                if (split < 0) {
                    producer.send(to, null, ByteString.copyFrom(buf, off, len));
                } else {
                    producer.send(to, ByteString.copyFrom(buf, off, split - off),
                            ByteString.copyFrom(buf, split + separator.length, off + len - split - separator.length));
                }
            }, producer::flush);
            Producer.Summary summary = producer.finish();
            context.out().println("wrote " + summary.written() + " of " + summary.records() + " records to " + topic
                    + (summary.failed() == 0 ? "" : "; " + summary.failed() + " not written (see above)"));
            return summary.failed() == 0 ? 0 : ErrorHandler.REFUSED;
        }
    }

    private InputStream input() {
        if (file == null) {
            return new FilterInputStream(context.in()) {
                @Override
                public void close() {
                    // standard input stays open for whoever runs this command
                }
            };
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--file: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Where {@code needle} first starts in buf[off, off + len), or -1. */
    static int indexOf(byte[] buf, int off, int len, byte[] needle) {
        outer:
        for (int i = off; i <= off + len - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
