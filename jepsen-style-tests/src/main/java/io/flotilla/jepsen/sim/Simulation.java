package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Ready;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One deterministic run: nodes, network, workload, faults and operator driven by one seeded
 * {@link SplittableRandom} (split per concern, so a change to one, say one fault fewer, disturbs
 * the others' random streams less) and one {@link Scheduler}. No threads, no wall clock. After
 * every event the invariants are checked and one line is added to the trace. The fault phase
 * lasts {@link RunSpec#durationMs()}; then everything heals and a proposal must commit on every
 * node within {@link #LIVENESS_MS}.
 */
public final class Simulation implements SimNode.Host {
    public static final long GROUP_ID = 1;
    public static final int TICK_MS = 10;
    public static final int TICK_JITTER_MS = 1;
    public static final long LIVENESS_MS = 10_000;
    public static final int CLIENTS = 2;
    public static final long MAX_EVENTS = 5_000_000;
    static final long INCARNATION = 1;

    private final RunSpec spec;
    private final Replica.Factory factory;
    private final RaftConfig config;
    private final Scheduler scheduler = new Scheduler();
    private final SplittableRandom raftRandom;
    private final SplittableRandom diskRandom;
    private final SplittableRandom tickRandom;
    private final SimNetwork network;
    private final List<SimNode> nodes = new ArrayList<>();
    private final Workload workload;
    private final LivenessCheck liveness;
    private final Invariants invariants;
    private final NodeChanges changes;
    private final LeaderTraps traps;
    private final Operator operator;
    private final Trace trace;
    private final SimStats stats = new SimStats();
    private final long[] crashOnVoteMs;
    private StringBuilder line;

    public Simulation(RunSpec spec, Replica.Factory factory, boolean keepTrace) {
        this.spec = spec;
        this.factory = factory;
        SplittableRandom root = new SplittableRandom(spec.seed());
        raftRandom = root.split();
        diskRandom = root.split();
        tickRandom = root.split();
        SplittableRandom netRandom = root.split();
        SplittableRandom clientRandom = root.split();
        config = RaftConfig.DEFAULTS.withPreVote(spec.preVote()).withCheckQuorum(spec.checkQuorum())
                .withFlowControl(RaftConfig.DEFAULTS.maxInflightAppends(), RaftConfig.DEFAULTS.maxInflightBytes(),
                        spec.maxAppendBytes());
        MemberId[] ids = new MemberId[spec.nodes()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = new MemberId(i, INCARNATION);
        }
        Membership bootstrap = Membership.ofVoters(Arrays.copyOf(ids, spec.voters()));
        for (int i = 0; i < ids.length; i++) {
            nodes.add(new SimNode(i, ids[i], bootstrap, spec.driverFault()));
        }
        network = new SimNetwork(spec.nodes(), spec.network(), scheduler, netRandom);
        workload = new Workload(CLIENTS, spec.nodes(), spec.proposeEvery(), clientRandom.split());
        liveness = new LivenessCheck(spec.nodes(), bootstrap, clientRandom.split());
        invariants = new Invariants(nodes);
        changes = new NodeChanges(nodes);
        traps = new LeaderTraps(spec.nodes());
        operator = new Operator(stats);
        trace = new Trace(300, keepTrace);
        crashOnVoteMs = new long[spec.nodes()];
        Arrays.fill(crashOnVoteMs, -1);
    }

    public static RunOutcome run(RunSpec spec, Replica.Factory factory) {
        return new Simulation(spec, factory, false).run();
    }

    public RunOutcome run() {
        Failure failure = null;
        line = Format.time(0).append("start ").append(spec.encode());
        try {
            for (SimNode node : nodes) {
                start(node);
            }
            for (TimedFault f : spec.schedule().faults()) {
                scheduler.at(f.atMs(), new SimEvent.Inject(f.fault()));
            }
            scheduler.at(spec.durationMs(), new SimEvent.HealAll());
            scheduler.at(spec.durationMs() + LIVENESS_MS, new SimEvent.Deadline());
            workload.start(scheduler);
            finishEvent();
            while (!liveness.satisfied()) {
                Scheduler.Scheduled next = scheduler.next();
                if (++stats.events > MAX_EVENTS) {
                    throw new InvariantViolation("runaway", "more than " + MAX_EVENTS + " events");
                }
                line = Format.time(next.time());
                handle(next.event());
                finishEvent();
            }
        } catch (InvariantViolation v) {
            failure = fail(v.invariant(), v.getMessage());
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            failure = fail("exception", describe(e));
        }
        stats.messagesLost = network.dropped() + network.lostToPartitions();
        stats.elections = invariants.elections();
        stats.maxCommitEnd = invariants.maxCommitEnd();
        stats.simulatedMs = scheduler.now();
        return new RunOutcome(spec, stats, failure, trace.hash(), trace.all());
    }

    private void finishEvent() {
        traps.afterEvent(nodes, scheduler, line, this::inject);
        for (SimNode node : nodes) {
            node.drive(this);
        }
        invariants.afterEvent(scheduler.now());
        operator.afterEvent(nodes);
        changes.note(line);
        trace.add(line.toString());
    }

    private Failure fail(String invariant, String message) {
        trace.add(line.append(" !! ").append(message).toString());
        return new Failure(invariant, message, scheduler.now(), stats.events, trace.tail());
    }

    private void handle(SimEvent event) {
        if (event instanceof SimEvent.Tick t) {
            SimNode node = nodes.get(t.node());
            if (node.up() && node.life() == t.life()) {
                line.append("tick n").append(t.node());
                node.replica().tick();
                scheduler.after(TICK_MS - TICK_JITTER_MS + tickRandom.nextInt(2 * TICK_JITTER_MS + 1), t);
            } else {
                line.append("tick n").append(t.node()).append(" (stale)");
            }
        } else if (event instanceof SimEvent.Deliver d) {
            SimNode to = nodes.get(d.message().to().nodeId());
            line.append("recv ").append(Format.message(d.message())).append(d.duplicate() ? " (dup)" : "");
            if (to.up()) {
                to.replica().step(d.message());
            } else {
                line.append(" (down)");
            }
        } else if (event instanceof SimEvent.PersistDone p) {
            SimNode node = nodes.get(p.node());
            line.append("fsync n").append(p.node()).append(" #").append(p.readyNo());
            if (node.inFlight() != null && node.life() == p.life() && node.readyNo() == p.readyNo()) {
                line.append(Format.ready(node.inFlight()));
            }
            if (!node.persistDone(p.life(), p.readyNo(), this)) {
                line.append(" (lost in a crash)");
            }
        } else if (event instanceof SimEvent.Propose p) {
            line.append(workload.propose(p.client(), nodes, scheduler, stats));
        } else if (event instanceof SimEvent.Inject i) {
            if (scheduler.now() < spec.durationMs()) {
                inject(i.fault());
            } else {
                line.append("fault ").append(i.fault().encode())
                        .append(" (sprung by a trap after the fault phase: ignored)");
            }
        } else if (event instanceof SimEvent.Restart r) {
            SimNode node = nodes.get(r.node());
            line.append("restart n").append(r.node());
            if (!node.up() && node.life() == r.life()) {
                start(node);
            } else {
                line.append(" (already up)");
            }
        } else if (event instanceof SimEvent.HealAll) {
            line.append("heal all: end of faults");
            for (SimNode node : nodes) {
                if (!node.up()) {
                    start(node);
                }
            }
            network.healAll();
            Arrays.fill(crashOnVoteMs, -1);
            traps.disarm();
            workload.stop();
            liveness.start(scheduler.now());
            scheduler.after(0, new SimEvent.Probe());
        } else if (event instanceof SimEvent.Probe) {
            line.append(liveness.probe(nodes, scheduler));
        } else if (event instanceof SimEvent.Deadline) {
            line.append("liveness deadline");
            throw new InvariantViolation(LivenessCheck.NAME,
                    liveness.explain(nodes, invariants.stateMachine(), scheduler.now()));
        }
    }

    private void inject(Fault fault) {
        if (fault instanceof Fault.Operation op) {
            line.append("operator ").append(op.encode()).append(operator.act(op, nodes));
            return;
        }
        stats.fault(fault.kind());
        line.append("fault ").append(fault.encode());
        if (fault instanceof Fault.Crash c) {
            SimNode node = nodes.get(c.node());
            if (!node.up()) {
                line.append(" (already down)");
                return;
            }
            node.crash(this);
            invariants.crashed(node);
            scheduler.after(c.downMs(), new SimEvent.Restart(c.node(), node.life()));
        } else if (fault instanceof Fault.CrashOnVote c) {
            crashOnVoteMs[c.node()] = c.downMs();
        } else if (fault instanceof Fault.LeaderTrap trap) {
            traps.arm(trap);
        } else if (!network.apply(fault)) {
            throw new IllegalStateException("fault " + fault + " has no handler");
        }
    }

    private void start(SimNode node) {
        node.start(factory.start(GROUP_ID, node.id(), config, node.storage(), raftRandom.split()));
        invariants.started(node);
        scheduler.after(1 + tickRandom.nextInt(TICK_MS), new SimEvent.Tick(node.index(), node.life()));
    }

    @Override
    public void send(SimNode from, RaftMessage message) {
        if (!message.from().equals(from.id()) || message.groupId() != GROUP_ID
                || message.to().nodeId() >= nodes.size() || !message.to().equals(nodes.get(message.to().nodeId()).id())) {
            throw new IllegalStateException("n" + from.index() + " sent a misaddressed message: " + message);
        }
        stats.messages++;
        String fate = network.send(message);
        line.append(" >").append(Format.message(message));
        if (!fate.isEmpty()) {
            line.append(" (").append(fate).append(')');
        }
    }

    @Override
    public void persistLater(SimNode node, long life, long readyNo) {
        stats.persists++;
        int latency = spec.disk().draw(diskRandom);
        scheduler.after(latency, new SimEvent.PersistDone(node.index(), life, readyNo));
        long downMs = crashOnVoteMs[node.index()];
        if (downMs >= 0 && votesForAnother(node, node.inFlight().hardState())) {
            crashOnVoteMs[node.index()] = -1;
            line.append(" (crash-on-vote trap fires)");
            scheduler.after((latency - 1) / 2, new SimEvent.Inject(new Fault.Crash(node.index(), downMs)));
        }
    }

    /** Whether {@code hs} records a new vote for a member other than {@code node}. */
    private static boolean votesForAnother(SimNode node, HardState hs) {
        HardState durable = node.storage().hardState();
        return hs != null && hs.votedFor() != null && !hs.votedFor().equals(node.id())
                && (hs.term() != durable.term() || !hs.votedFor().equals(durable.votedFor()));
    }

    @Override
    public void persisted(SimNode node, Ready ready, int firstNewIndex) {
        invariants.persisted(node, firstNewIndex);
    }

    @Override
    public void applied(SimNode node, Entry entry) {
        if (invariants.applied(node, entry)) {
            stats.commits++;
            operator.committed(entry);
        }
        liveness.applied(node.index(), entry);
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        StackTraceElement[] stack = e.getStackTrace();
        for (int i = 0; i < Math.min(stack.length, 12); i++) {
            sb.append("\n    at ").append(stack[i]);
        }
        return sb.toString();
    }
}
