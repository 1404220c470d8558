package io.flotilla.cli.perf;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.cli.CliContext;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.OutputOption;
import io.flotilla.cli.ProducerOptions;
import io.flotilla.cli.client.ClientException;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.Producer;
import io.flotilla.cli.client.ProducerConfig;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flotilla perf produce}: a load generator that reports throughput and latency. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send records of random bytes as fast as possible, or at a fixed rate, and report "
                + "records/s, MB/s and the latency of each record from send to acknowledgement.",
            "With --rate each record has an intended send time (start + n / rate) and its latency is measured "
                + "from that time, so a stall of the cluster counts against every record it delayed "
                + "(no coordinated omission). Without --rate latency is measured from the send call.",
            "Creates the topic if it does not exist (--partitions, --replication-factor)."},
        footer = "Exit codes: 0 every record written; 1 some were not, or the cluster refused; 2 bad usage.")
final class PerfProduceCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ClusterOptions cluster;

    @Parameters(index = "0", paramLabel = "TOPIC", defaultValue = "perf",
            description = "The topic to write to (default: ${DEFAULT-VALUE}).")
    private String topic;

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000000",
            description = "Records to send in all (default: ${DEFAULT-VALUE}).")
    private long records;

    @Option(names = "--record-size", paramLabel = "BYTES", defaultValue = "1024",
            description = "Bytes of each record's value; no key (default: ${DEFAULT-VALUE}).")
    private int recordSize;

    @Option(names = "--rate", paramLabel = "RECORDS/S", defaultValue = "0",
            description = "Records per second over all producers; 0 (default) sends as fast as acknowledgements "
                    + "allow.")
    private long rate;

    @Option(names = "--producers", paramLabel = "N", defaultValue = "1",
            description = "Producers, each with its own connections and thread, sharing --records and --rate "
                    + "(default: ${DEFAULT-VALUE}).")
    private int producers;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the topic if it has to be created (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replication factor of the topic if it has to be created (default: the cluster's).")
    private Integer replicationFactor;

    @Mixin
    private ProducerOptions producing;

    @Mixin
    private OutputOption output;

    PerfProduceCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ProducerConfig config = producing.config();
        int partitionCount;
        try (FlotillaClient admin = cluster.connect()) {
            partitionCount = ensureTopic(admin);
        }
        byte[] payload = new byte[recordSize];
        new SplittableRandom(42).nextBytes(payload);
        ByteString value = ByteString.copyFrom(payload);
        List<FlotillaClient> clients = new ArrayList<>();
        List<Producer> started = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        ExecutorService senders = Executors.newFixedThreadPool(producers, r -> {
            Thread t = new Thread(r, "perf-producer");
            t.setDaemon(true);
            return t;
        });
        try (LatencyLog log = new LatencyLog(context.progress())) {
            List<Future<?>> runs = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < producers; i++) {
                long share = records / producers + (i < records % producers ? 1 : 0);
                FlotillaClient client = cluster.connect();
                clients.add(client);
                SendTimes times = new SendTimes(Producer.mostRecordsHeld(config, partitionCount, recordSize));
                Producer producer = Producer.start(client, topic, config, new Producer.Listener() {
                    @Override
                    public void failed(long recordNumber, String reason) {
                        if (failed.getAndIncrement() < 10) {
                            context.err().println("flotilla perf produce: record not written: " + reason);
                        }
                    }

                    @Override
                    public void written(long[] recordNumbers, long nanoTime) {
                        for (long n : recordNumbers) {
                            log.record(nanoTime - times.get(n), recordSize);
                        }
                    }
                });
                started.add(producer);
                long periodNanos = rate == 0 ? 0 : Math.max(1, 1_000_000_000L * producers / rate);
                runs.add(senders.submit(() -> {
                    send(producer, times, value, share, start, periodNanos);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                join(run);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            PerfFigures figures = new PerfFigures("perf produce", log.records(), failed.get(), log.bytes(), seconds,
                    log.finish());
            context.out().print(output.json() ? figures.json() : figures.table());
            return failed.get() == 0 ? 0 : 1;
        } finally {
            senders.shutdownNow();
            clients.forEach(FlotillaClient::close);
        }
    }

    /** Sends {@code count} records, at one every {@code periodNanos} from {@code start} when that is not 0. */
    private static void send(Producer producer, SendTimes times, ByteString value, long count, long start,
            long periodNanos) throws InterruptedException {
        for (long n = 1; n <= count; n++) {
            long sendAt;
            if (periodNanos > 0) {
                sendAt = start + (n - 1) * periodNanos;
                for (long wait = sendAt - System.nanoTime(); wait > 0; wait = sendAt - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            } else {
                sendAt = System.nanoTime();
            }
            times.set(n, sendAt);
            producer.send(null, value);
        }
        producer.finish();
    }

    /** Creates the topic unless it exists; returns its partition count. */
    private int ensureTopic(FlotillaClient admin) {
        try {
            return admin.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).describeTopics(
                    DescribeTopicsRequest.newBuilder().addNames(topic).build())).getTopics(0).getPartitionCount();
        } catch (ClientException e) {
            if (e.code() != Status.Code.NOT_FOUND) {
                throw e;
            }
            CreateTopicRequest.Builder create = CreateTopicRequest.newBuilder().setName(topic)
                    .setPartitionCount(partitions);
            if (replicationFactor != null) {
                create.setReplicationFactor(replicationFactor);
            }
            admin.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch).createTopic(create.build()));
            context.err().println("flotilla perf produce: created topic " + topic + " with " + partitions
                    + " partitions");
            return partitions;
        }
    }

    private void validate() {
        if (records < 1) {
            throw usage("--records must be at least 1, not " + records);
        }
        if (recordSize < 0 || recordSize > 4 << 20) {
            throw usage("--record-size must be 0.." + (4 << 20) + ", not " + recordSize);
        }
        if (rate < 0) {
            throw usage("--rate must be 0 (as fast as possible) or more, not " + rate);
        }
        if (producers < 1 || producers > 64) {
            throw usage("--producers must be 1..64, not " + producers);
        }
        if (partitions < 1) {
            throw usage("--partitions must be at least 1, not " + partitions);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void join(Future<?> run) throws Exception {
        try {
            run.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * When each record in flight was (meant to be) sent, by record number, in a ring as large as
     * the most records a producer can hold unacknowledged (its buffer plus one open batch per
     * partition), so a slot is reused only after its record was answered.
     */
    private static final class SendTimes {
        private final long[] nanos;
        private final int mask;

        SendTimes(long mostHeld) {
            if (mostHeld > 1 << 25) {
                throw new IllegalArgumentException("cannot track " + mostHeld + " records in flight");
            }
            int size = Integer.highestOneBit((int) mostHeld * 2 - 1) << 1;
            this.nanos = new long[size];
            this.mask = size - 1;
        }

        void set(long recordNumber, long nanoTime) {
            nanos[(int) (recordNumber & mask)] = nanoTime;
        }

        long get(long recordNumber) {
            return nanos[(int) (recordNumber & mask)];
        }
    }
}
