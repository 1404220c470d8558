package io.flotilla.jepsen.brokersim;

import io.flotilla.api.v1.Acks;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.jepsen.checker.AnomalyKind;
import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.checker.Checker;
import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.report.Summary;
import io.flotilla.jepsen.sim.DriverFault;
import io.flotilla.jepsen.sim.Failure;
import io.flotilla.jepsen.sim.Fault;
import io.flotilla.jepsen.sim.Range;
import io.flotilla.jepsen.sim.RunOutcome;
import io.flotilla.jepsen.sim.RunSpec;
import io.flotilla.jepsen.sim.Scheduler;
import io.flotilla.jepsen.sim.SimEvent;
import io.flotilla.jepsen.sim.SimNetwork;
import io.flotilla.jepsen.sim.SimStats;
import io.flotilla.jepsen.sim.TimedFault;
import io.flotilla.jepsen.sim.Wire;
import io.flotilla.jepsen.simdisk.CrashFate;
import io.flotilla.log.LogConfig;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.driver.DriverConfig;
import io.flotilla.store.NodeStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One deterministic run of the whole broker's data path: {@link RunSpec#nodes()} simulated
 * nodes (ids 1 to n) each running the broker's own partition stack (stepped Raft driver, log
 * storage and persistence on a simulated disk, partition replicas, {@code BrokerService} and
 * {@code ReplicaReadService}) for the partitions of one topic, all replicated on every node;
 * idempotent producers and an assign-mode consumer calling the services and recording a
 * history; the spec's faults (crashes that lose unsynced writes, partitions, loss,
 * duplication, delays). After the fault phase everything heals, the clients go on for
 * {@link #RECOVERY_MS}, the replicas must converge within {@link #CONVERGE_MS}, and every node's
 * replica of every partition is read whole. The {@link Checker} then judges the history: an
 * anomaly, a replica set that never converges, or an exception fails the run.
 *
 * <p>One thread, one seed: the schedule, the disk, the network and the clients each draw from
 * their own split of it, and the drivers turn only between events, so a seed replays exactly.
 */
public final class BrokerSimulation implements SimBroker.Host, Clients {
    public static final String TOPIC = "jepsen";
    public static final int PARTITIONS = 2;
    public static final int PRODUCERS = 3;
    public static final long RECOVERY_MS = 1_000;
    public static final long CONVERGE_MS = 10_000;
    public static final long MAX_EVENTS = 3_000_000;
    static final long INCARNATION = 1;
    /** Small segments, so that rolls, sealed segments and their recovery are part of every run. */
    static final LogConfig LOG_CONFIG = LogConfig.DEFAULTS.withSegmentBytes(8 * 1024);
    private static final long SETTLE_POLL_MS = 50;
    private static final int TRACE_LINES = 120;
    private static final int FINAL_READ_BYTES = 256 * 1024;

    /** A run's outcome as the shrinker sees it, and the checker's verdict (null if the run failed before). */
    public record Result(RunOutcome outcome, CheckResult check) {
    }

    private final RunSpec spec;
    private final Path storeRoot;
    private final Scheduler scheduler = new Scheduler();
    private final SimNetwork network;
    private final SplittableRandom diskRandom;
    private final SplittableRandom crashRandom;
    private final SplittableRandom clientRandom;
    private final List<SimBroker> nodes = new ArrayList<>();
    private final List<HistoryEntry> history = new ArrayList<>();
    private final Deque<String> trace = new ArrayDeque<>();
    private final SimStats stats = new SimStats();
    /** Network fault kinds in force, as the history names them. */
    private final Set<String> networkFaults = new TreeSet<>();
    private boolean running = true;
    private boolean finished;
    private int processes;
    /** Client operations invoked and not yet completed: final reads wait until none is. */
    private int inFlight;
    private long values;
    private long settleDeadline;
    /** Unsynced writes lost or torn by crashes. */
    private long lostWrites;

    private BrokerSimulation(RunSpec spec, Path storeRoot) {
        this.spec = spec;
        this.storeRoot = storeRoot;
        SplittableRandom root = new SplittableRandom(spec.seed());
        diskRandom = root.split();
        crashRandom = root.split();
        clientRandom = root.split();
        network = new SimNetwork(spec.nodes(), spec.network(), scheduler, root.split());
    }

    /** Runs {@code spec}; its RocksDB stores live under a temporary directory in {@code tmp}, deleted afterwards. */
    public static Result run(RunSpec spec, Path tmp) {
        Path root;
        try {
            root = Files.createTempDirectory(tmp, "brokersim-" + spec.seed() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BrokerSimulation sim = new BrokerSimulation(spec, root);
        try {
            return sim.run();
        } finally {
            sim.nodes.forEach(SimBroker::close);
            deleteTree(root);
        }
    }

    private Result run() {
        Failure failure = null;
        CheckResult check = null;
        try {
            start();
            while (!finished) {
                if (++stats.events > MAX_EVENTS) {
                    throw new IllegalStateException("runaway: more than " + MAX_EVENTS + " events");
                }
                Scheduler.Scheduled next = scheduler.next();
                handle(next.event());
                for (SimBroker node : nodes) {
                    node.turn();
                }
            }
            check = Checker.check(History.of(history));
            if (!check.valid()) {
                failure = failure("anomaly " + check.found().iterator().next().label(), describe(check));
            }
        } catch (NotConverged e) {
            failure = failure("liveness", e.getMessage());
        } catch (IOException | RuntimeException | AssertionError | StackOverflowError e) {
            failure = failure("exception", describe(e));
        }
        stats.simulatedMs = scheduler.now();
        stats.messages = network.sent();
        stats.messagesLost = network.dropped() + network.lostToPartitions();
        stats.persists = nodes.stream().mapToLong(n -> n.disk().fsyncs()).sum();
        return new Result(new RunOutcome(spec, stats, failure, "", List.copyOf(trace)), check);
    }

    private void start() {
        RaftConfig raft = RaftConfig.DEFAULTS.withPreVote(spec.preVote()).withCheckQuorum(spec.checkQuorum())
                .withFlowControl(RaftConfig.DEFAULTS.maxInflightAppends(), RaftConfig.DEFAULTS.maxInflightBytes(),
                        spec.maxAppendBytes());
        DriverConfig driver = new DriverConfig(1, SimBroker.TICK_NANOS, raft, true, 4096, 32L << 20, spec.seed());
        MemberId[] voters = new MemberId[spec.nodes()];
        for (int i = 0; i < voters.length; i++) {
            voters[i] = new MemberId(i + 1, INCARNATION);
        }
        long[] groups = new long[PARTITIONS];
        for (int p = 0; p < groups.length; p++) {
            groups[p] = p + 1;
        }
        for (int id = 1; id <= spec.nodes(); id++) {
            SimBroker node = new SimBroker(id, this, storeRoot.resolve("node-" + id), driver,
                    Membership.ofVoters(voters), TOPIC, groups);
            nodes.add(node);
            node.start();
            tick(node);
        }
        for (TimedFault f : spec.schedule().faults()) {
            scheduler.at(f.atMs(), new SimEvent.Inject(f.fault()));
        }
        scheduler.at(spec.durationMs(), action("heal all: end of faults", this::healAll));
        scheduler.at(spec.durationMs() + RECOVERY_MS, action("clients stop", this::stopClients));
        Acks acks = spec.driverFault() == DriverFault.ACK_BEFORE_COMMIT ? Acks.ACKS_LEADER : Acks.ACKS_QUORUM;
        for (int i = 0; i < PRODUCERS; i++) {
            new SimProducer(this, 1000 + i, acks, TOPIC, PARTITIONS).start();
        }
        new SimConsumer(this, TOPIC, PARTITIONS).start();
    }

    /** Each node's driver turns at least once per tick, so its timers run. */
    private void tick(SimBroker node) {
        scheduler.after(SimBroker.TICK_NANOS / 1_000_000, action("tick n" + node.nodeId(), () -> {
            if (!finished) {
                tick(node);
            }
        }));
    }

    private void handle(SimEvent event) {
        if (event instanceof SimEvent.Action a) {
            note(a.what());
            a.run().run();
        } else if (event instanceof SimEvent.Inject i) {
            note("fault " + i.fault().encode());
            inject(i.fault());
        } else {
            throw new IllegalStateException("the broker simulation schedules no " + event);
        }
    }

    private void note(String line) {
        if (trace.size() == TRACE_LINES) {
            trace.removeFirst();
        }
        trace.addLast(scheduler.now() + " ms: " + line);
    }

    // ---------------------------------------------------------------- faults

    private void inject(Fault fault) {
        stats.fault(fault.kind());
        if (fault instanceof Fault.Crash c) {
            SimBroker node = nodes.get(c.node());
            if (!node.up()) {
                return;
            }
            CrashFate fate = switch (crashRandom.nextInt(3)) {
                case 0 -> CrashFate.LOSE_UNSYNCED;
                case 1 -> CrashFate.TORN;
                default -> CrashFate.KEEP_ALL;
            };
            lostWrites += node.crash(fate, crashRandom);
            recordFault(io.flotilla.jepsen.history.Fault.Edge.START, "kill", List.of(node.nodeId()));
            scheduler.after(c.downMs(), action("restart n" + node.nodeId(), () -> restart(node)));
        } else if (network.apply(fault)) {
            recordNetworkFault(fault);
        } else {
            throw new IllegalStateException("the broker simulation cannot inject " + fault.encode());
        }
    }

    /**
     * The history's record of a network fault: a partition (of any shape) replaces the one in
     * force, a heal ends it; loss, duplication, a slow network and reordering start when set
     * and stop when set back.
     */
    private void recordNetworkFault(Fault fault) {
        String kind;
        boolean on;
        List<Integer> targets = List.of();
        if (fault instanceof Fault.Heal) {
            kind = "partition";
            on = false;
        } else if (fault instanceof Fault.DropRate f) {
            kind = "drop";
            on = f.probability() > 0;
        } else if (fault instanceof Fault.DuplicateRate f) {
            kind = "duplicate";
            on = f.probability() > 0;
        } else if (fault instanceof Fault.Delay f) {
            kind = "slow-network";
            on = !f.delay().equals(spec.network());
        } else if (fault instanceof Fault.Reorder f) {
            kind = "reorder";
            on = f.on();
        } else {
            kind = "partition";
            on = true;
            targets = cutOff(fault);
        }
        if (networkFaults.remove(kind)) {
            recordFault(io.flotilla.jepsen.history.Fault.Edge.STOP, kind, List.of());
        }
        if (on) {
            networkFaults.add(kind);
            recordFault(io.flotilla.jepsen.history.Fault.Edge.START, kind, targets);
        }
    }

    /** The node ids a partition sets apart (simulation indexes count from 0, node ids from 1). */
    private static List<Integer> cutOff(Fault partition) {
        List<Integer> side;
        if (partition instanceof Fault.Isolate f) {
            side = List.of(f.node());
        } else if (partition instanceof Fault.Split f) {
            side = f.side();
        } else if (partition instanceof Fault.OneWay f) {
            side = f.from();
        } else if (partition instanceof Fault.Bridge f) {
            side = f.side();
        } else {
            throw new IllegalArgumentException(partition.encode() + " is not a partition");
        }
        return side.stream().map(i -> i + 1).toList();
    }

    private void restart(SimBroker node) {
        if (!node.up()) {
            node.start();
            recordFault(io.flotilla.jepsen.history.Fault.Edge.STOP, "kill", List.of(node.nodeId()));
        }
    }

    private void healAll() {
        for (SimBroker node : nodes) {
            restart(node);
        }
        network.healAll();
        for (String kind : networkFaults) {
            recordFault(io.flotilla.jepsen.history.Fault.Edge.STOP, kind, List.of());
        }
        networkFaults.clear();
    }

    private void stopClients() {
        running = false;
        settleDeadline = scheduler.now() + CONVERGE_MS;
        scheduler.after(SETTLE_POLL_MS, action("settle", this::settle));
    }

    // ---------------------------------------------------------------- the end: converge, read, check

    /** Thrown when the replicas do not agree within {@link #CONVERGE_MS} of the end of the workload. */
    private static final class NotConverged extends RuntimeException {
        NotConverged(String message) {
            super(message);
        }
    }

    private void settle() {
        String disagreement = disagreement();
        if (disagreement == null) {
            finalReads();
            finished = true;
        } else if (scheduler.now() >= settleDeadline) {
            throw new NotConverged("replicas did not converge within " + CONVERGE_MS + " ms after the workload: "
                    + disagreement);
        } else {
            scheduler.after(SETTLE_POLL_MS, action("settle", this::settle));
        }
    }

    /**
     * Why the run cannot end yet: a client operation still in flight (it could append after the
     * final reads), or replicas that disagree on leader, term or log end, or hold uncommitted
     * entries; null once none of this holds.
     */
    private String disagreement() {
        if (inFlight > 0) {
            return inFlight + " client operations still in flight";
        }
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionReplica first = nodes.get(0).life().replicas.get(p);
            for (SimBroker node : nodes) {
                PartitionReplica r = node.life().replicas.get(p);
                PartitionReplica.Leadership l = r.leadershipView();
                if (l.leaderNode() == 0 || !l.equals(first.leadershipView())) {
                    return "partition " + p + ": n" + node.nodeId() + " knows leader " + l + ", n1 " + first.leadershipView();
                }
                long end = r.log().endOffset();
                if (r.highWatermark() != end || end != first.log().endOffset()) {
                    return "partition " + p + ": n" + node.nodeId() + " high watermark " + r.highWatermark()
                            + ", log end " + end + "; n1 log end " + first.log().endOffset();
                }
            }
        }
        return null;
    }

    /** Every node's replica of every partition, read whole through ReplicaRead, in pages. */
    private void finalReads() {
        for (SimBroker node : nodes) {
            for (int p = 0; p < PARTITIONS; p++) {
                int process = newProcess();
                invoke(process, FinalRead.of(node.nodeId(), p));
                long offset = node.life().replicas.get(p).logStartOffset();
                long hw = node.life().replicas.get(p).highWatermark();
                List<Message> messages = new ArrayList<>();
                while (offset < hw) {
                    ReadReplicaResponse page = readReplica(node, p, offset);
                    for (FetchedRecord r : page.getRead().getRecordsList()) {
                        messages.add(new Message(r.getOffset(), Values.decode(r.getValue())));
                    }
                    offset = page.getRead().getNextOffset();
                }
                complete(process, OpType.OK, new FinalRead(node.nodeId(), p, messages));
            }
        }
    }

    private static ReadReplicaResponse readReplica(SimBroker node, int partition, long offset) {
        ReadReplicaResponse[] answer = new ReadReplicaResponse[1];
        SimBroker.Life life = node.life();
        life.reads.readReplica(ReadReplicaRequest.newBuilder().setTopic(TOPIC).setPartition(partition)
                .setOffset(offset).setMaxBytes(FINAL_READ_BYTES).build(), Calls.observer(life,
                new Calls.Answer<>() {
                    @Override
                    public void ok(ReadReplicaResponse response) {
                        answer[0] = response;
                    }

                    @Override
                    public void error(io.flotilla.api.v1.ErrorDetail detail) {
                        throw new IllegalStateException("final read of n" + node.nodeId() + " partition " + partition
                                + " at " + offset + " refused: " + detail);
                    }
                }));
        if (answer[0] == null) {
            throw new IllegalStateException("ReplicaRead of n" + node.nodeId() + " did not answer at once");
        }
        return answer[0];
    }

    private Failure failure(String invariant, String message) {
        note("!! " + invariant + ": " + message);
        return new Failure(invariant, message, scheduler.now(), stats.events, List.copyOf(trace));
    }

    private static String describe(CheckResult check) {
        StringBuilder sb = new StringBuilder(Summary.line(check));
        for (AnomalyKind kind : check.found()) {
            sb.append("\n  ").append(kind.label()).append(": ").append(check.examples(kind).get(0).description());
        }
        return sb.toString();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        StackTraceElement[] stack = e.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, 15); i++) {
            sb.append("\n    at ").append(stack[i]);
        }
        if (e.getCause() != null) {
            sb.append("\n  caused by ").append(e.getCause());
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- history

    private void recordFault(io.flotilla.jepsen.history.Fault.Edge edge, String kind, List<Integer> targets) {
        long ms = scheduler.now();
        history.add(new io.flotilla.jepsen.history.Fault(ms * 1_000_000, ms, edge, kind, targets));
    }

    @Override
    public void invoke(int process, Action action) {
        record(process, OpType.INVOKE, action);
    }

    @Override
    public void complete(int process, OpType type, Action action) {
        record(process, type, action);
    }

    private void record(int process, OpType type, Action action) {
        inFlight += type == OpType.INVOKE ? 1 : -1;
        long ms = scheduler.now();
        history.add(new Op(ms * 1_000_000, ms, process, type, action));
    }

    // ---------------------------------------------------------------- Clients and SimBroker.Host

    private SimEvent.Action action(String what, Runnable run) {
        return new SimEvent.Action(what, run);
    }

    @Override
    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public SimBroker.Life life(int nodeId) {
        return nodes.get(nodeId - 1).life();
    }

    @Override
    public void after(long delayMs, String what, Runnable action) {
        scheduler.after(delayMs, action(what, action));
    }

    @Override
    public long nowMs() {
        return scheduler.now();
    }

    @Override
    public boolean running() {
        return running;
    }

    @Override
    public int newProcess() {
        return processes++;
    }

    @Override
    public long newValue() {
        return values++;
    }

    @Override
    public Range thinkMs() {
        return spec.proposeEvery();
    }

    @Override
    public SplittableRandom random() {
        return clientRandom;
    }

    @Override
    public void send(int from, int to, List<RaftMessage> batch) {
        network.send(from - 1, to - 1, duplicate -> action("deliver n" + from + ">n" + to + " " + batch.size()
                + " messages" + (duplicate ? " (dup)" : ""), () -> nodes.get(to - 1).receive(from, batch)));
    }

    @Override
    public long nowNanos() {
        return scheduler.now() * 1_000_000;
    }

    @Override
    public SimDiskWork diskWork(SimBroker node, long life, NodeStore store) {
        return new SimDiskWork(scheduler, spec.disk(), diskRandom, store, () -> node.up() && node.life().number == life,
                "n" + node.nodeId());
    }

    /** A copy of a batch's messages as serialization makes one: each delivery its own bytes. */
    static List<RaftMessage> copy(List<RaftMessage> batch) {
        List<RaftMessage> out = new ArrayList<>(batch.size());
        for (RaftMessage m : batch) {
            out.add(Wire.copy(m));
        }
        return out;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
