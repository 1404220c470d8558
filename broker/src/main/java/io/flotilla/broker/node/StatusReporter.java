package io.flotilla.broker.node;

import io.flotilla.api.internal.v1.MemberProgress;
import io.flotilla.api.internal.v1.NodeReport;
import io.flotilla.api.internal.v1.ReplicaReport;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.api.v1.ReplicaRole;
import io.flotilla.broker.metadata.Partition;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.driver.RaftDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * Surveys this node's partition replicas and reports them to the controller, one message for
 * all of them: every report interval, and shortly after a replica's leadership changes (a burst
 * of changes, as in a failover, makes one report). A follower's figures are its replica's
 * published ones; a leader's come from its Raft member, read on the group's loop, and say how
 * far each member is.
 *
 * <p>A member is caught up when its node was heard from within an election timeout and it holds
 * everything the leader had appended about an election timeout ago (before the leader has
 * such a reading: everything committed). The leader balancer reads the latest survey of the
 * groups this node leads ({@link #led}).
 *
 * <p>Threads: surveys start and finish on the node's timer thread; only the reading of a
 * leader's member runs on its loop.
 */
final class StatusReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    /** Lets a burst of leadership changes (a failover moves many groups at once) make one report. */
    private static final long EARLY_REPORT_DELAY_MS = 10;

    /** A leader's member, read on its loop: its term and log, its membership and each member's match end. */
    private record LeaderReading(long term, long logEnd, long commitEnd, Membership membership,
                                 boolean membershipCommitted, long[] matchEnds) {
        static LeaderReading of(RaftNode node) {
            if (!node.self().equals(node.leader())) {
                return null;
            }
            Membership membership = node.membership();
            long[] matchEnds = membership.members().stream().mapToLong(node::matchEnd).toArray();
            return new LeaderReading(node.term(), node.logEnd(), node.commitEnd(), membership,
                    node.membershipCommitted(), matchEnds);
        }
    }

    /** A leader's log end at moments an election timeout apart: what "caught up" is measured against. */
    private static final class EndHistory {
        final long term;
        long olderEnd = -1;
        long newerEnd;
        long newerAt;

        EndHistory(long term, long end, long at) {
            this.term = term;
            this.newerEnd = end;
            this.newerAt = at;
        }

        /** Records the log end now; returns the end as of about {@code span} ago, -1 while unknown. */
        long record(long end, long now, long span) {
            if (now - newerAt >= span) {
                olderEnd = newerEnd;
                newerEnd = end;
                newerAt = now;
            }
            return olderEnd;
        }
    }

    private final MemberId self;
    private final PartitionHost partitions;
    private final PartitionIndex index;
    private final RaftDriver driver;
    private final IntPredicate heardRecently;
    private final long electionTimeoutNanos;
    private final LongSupplier clock;
    private final Consumer<NodeReport> send;
    private final ScheduledExecutorService timer;
    private final long intervalMs;
    private final AtomicBoolean earlyReportQueued = new AtomicBoolean();
    // Timer thread only.
    private final Map<Long, EndHistory> history = new HashMap<>();
    private long surveysStarted;
    private long latestPublished;
    private ScheduledFuture<?> periodic;

    private volatile Map<Long, ReplicaReport> led = Map.of();
    private volatile boolean closed;

    /**
     * @param index         the partitions of the node's metadata, whose epochs the reports carry
     * @param heardRecently whether a node was heard from within an election timeout
     * @param send          takes each report (on the timer thread; must not block)
     */
    StatusReporter(MemberId self, PartitionHost partitions, PartitionIndex index, RaftDriver driver,
                   IntPredicate heardRecently, long electionTimeoutNanos, LongSupplier clock, Consumer<NodeReport> send,
                   ScheduledExecutorService timer, long intervalMs) {
        this.self = self;
        this.partitions = partitions;
        this.index = index;
        this.driver = driver;
        this.heardRecently = heardRecently;
        this.electionTimeoutNanos = electionTimeoutNanos;
        this.clock = clock;
        this.send = send;
        this.timer = timer;
        this.intervalMs = intervalMs;
    }

    synchronized void start() {
        periodic = timer.scheduleAtFixedRate(this::survey, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** A replica's leadership changed (any thread, a loop's included: never throws): report soon. */
    void leadershipChanged() {
        if (earlyReportQueued.compareAndSet(false, true)) {
            try {
                timer.schedule(() -> {
                    earlyReportQueued.set(false);
                    survey();
                }, EARLY_REPORT_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // the node is stopping: nothing more to report
            }
        }
    }

    /** The latest survey's reports of the groups this node led, by group id. */
    Map<Long, ReplicaReport> led() {
        return led;
    }

    private void survey() {
        try {
            startSurvey();
        } catch (RuntimeException e) {
            log.warn("node {}: surveying its replicas failed; the next report tries again", self.nodeId(), e);
        }
    }

    private void startSurvey() {
        long survey = ++surveysStarted;
        List<PartitionReplica> replicas = partitions.replicas();
        // Read before the leaders' figures: a removal they show happened under this epoch or a later one.
        long[] epochs = replicas.stream().mapToLong(r -> {
            Partition p = index.partition(r.groupId());
            return p == null ? -1 : p.epoch();
        }).toArray();
        List<CompletableFuture<LeaderReading>> readings = new ArrayList<>(replicas.size());
        for (PartitionReplica replica : replicas) {
            if (replica.leadershipView().leaderNode() == self.nodeId()) {
                readings.add(driver.call(replica.groupId(), LeaderReading::of).exceptionally(e -> null));
            } else {
                readings.add(CompletableFuture.completedFuture(null));
            }
        }
        CompletableFuture.allOf(readings.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> publish(survey, replicas, epochs, readings), timer)
                .exceptionally(e -> {
                    if (!closed) { // else the timer refused the task: the node is stopping
                        log.warn("node {}: reporting its replicas failed; the next report tries again", self.nodeId(), e);
                    }
                    return null;
                });
    }

    private void publish(long survey, List<PartitionReplica> replicas, long[] epochs,
                         List<CompletableFuture<LeaderReading>> readings) {
        if (survey < latestPublished) {
            return; // an earlier survey that finished late: a later one was sent already
        }
        latestPublished = survey;
        long now = clock.getAsLong();
        NodeReport.Builder out = NodeReport.newBuilder()
                .setNode(NodeIdentity.newBuilder().setNodeId(self.nodeId()).setIncarnation(self.incarnation()));
        Map<Long, ReplicaReport> nowLed = new HashMap<>();
        for (int i = 0; i < replicas.size(); i++) {
            PartitionReplica replica = replicas.get(i);
            LeaderReading reading = readings.get(i).join();
            ReplicaReport.Builder report = ReplicaReport.newBuilder().setGroupId(replica.groupId())
                    .setLogEndOffset(replica.log().endOffset()).setHighWatermark(replica.highWatermark())
                    .setLogStartOffset(replica.logStartOffset()).setPartitionEpoch(epochs[i]);
            if (reading == null) {
                PartitionReplica.Leadership l = replica.leadershipView();
                out.addReplicas(report.setLeaderNodeId(l.leaderNode()).setLeaderTerm(l.leaderNode() == 0 ? 0 : l.term()));
                continue;
            }
            report.setLeaderNodeId(self.nodeId()).setLeaderTerm(reading.term()).setLogEndOffset(reading.logEnd())
                    .setMembershipCommitted(reading.membershipCommitted());
            addMembers(report, reading, caughtUpBar(replica.groupId(), reading, now));
            ReplicaReport built = report.build();
            out.addReplicas(built);
            nowLed.put(replica.groupId(), built);
        }
        history.keySet().retainAll(nowLed.keySet());
        led = Map.copyOf(nowLed);
        send.accept(out.build());
    }

    /** The offset a member must hold to be caught up: the leader's log end an election timeout ago. */
    private long caughtUpBar(long groupId, LeaderReading reading, long now) {
        EndHistory h = history.get(groupId);
        if (h == null || h.term != reading.term()) {
            history.put(groupId, new EndHistory(reading.term(), reading.logEnd(), now));
            return reading.commitEnd();
        }
        long then = h.record(reading.logEnd(), now, electionTimeoutNanos);
        return then < 0 ? reading.commitEnd() : then;
    }

    private void addMembers(ReplicaReport.Builder report, LeaderReading reading, long bar) {
        int i = 0;
        for (MemberId member : reading.membership().members()) {
            long matchEnd = reading.matchEnds()[i++];
            boolean caughtUp = member.equals(self) || (heardRecently.test(member.nodeId()) && matchEnd >= bar);
            report.addMembers(MemberProgress.newBuilder().setNodeId(member.nodeId()).setIncarnation(member.incarnation())
                    .setRole(reading.membership().isVoter(member) ? ReplicaRole.REPLICA_ROLE_VOTER
                            : ReplicaRole.REPLICA_ROLE_LEARNER)
                    .setMatchEndOffset(matchEnd).setCaughtUp(caughtUp));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel(false);
        }
    }
}
