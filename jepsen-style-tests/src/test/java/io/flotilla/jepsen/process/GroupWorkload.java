package io.flotilla.jepsen.process;

import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.GroupConsumerConfig;
import io.flotilla.cli.client.HostPort;
import io.flotilla.cli.client.TopicPartition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The run's group consumers: the members of one consumer group subscribed to the workload's
 * topic, each a {@link GroupMemberRun} (its own thread and client, the cli's
 * {@code GroupConsumer}) that records what it processes, commits and takes up in one
 * {@link GroupHistory}. They run alongside the other clients through the faults, and go on
 * after the final reads until they processed the whole committed log, which they must:
 * at least once, each record at its offset with its value, and every partition taken up at the
 * group's committed offset of that moment. A member that fails is a violation, and is replaced.
 */
final class GroupWorkload implements AutoCloseable {
    static final String GROUP = "jepsen-group";
    /**
     * From the log start when the group committed nothing; heartbeats every second, so a member
     * that loses its coordinator or its session rejoins within a fault.
     */
    private static final GroupConsumerConfig MEMBER = GroupConsumerConfig.DEFAULTS
            .withResetTo(Consumer.StartAt.EARLIEST).withSessionTimeoutMs(5_000);
    private static final int EXAMPLES = 5;

    /**
     * What the group did and how it held up.
     *
     * @param members       members started, those replacing failed ones included
     * @param records       distinct values processed
     * @param again         records processed more than once (at least once allows them)
     * @param reassignments partitions taken up by a member after the first take-up
     * @param rejoins       times a member lost its membership and joined again
     * @param violations    empty when the group delivered the log as it must
     */
    record Verdict(int members, int records, int again, int reassignments, long rejoins, List<String> violations) {
        String summary() {
            return "group: " + members + " members started, " + records + " records processed (" + again + " again), "
                    + reassignments + " partitions taken up again, " + rejoins + " rejoins, violations: "
                    + (violations.isEmpty() ? "none" : violations.size());
        }
    }

    private final List<HostPort> bootstrap;
    private final String topic;
    private final int memberCount;
    private final GroupHistory history = new GroupHistory();
    private final List<GroupMemberRun> members = new ArrayList<>();
    /** Members that failed, and why, as violations; and the rejoins of those replaced. */
    private final List<String> failures = new ArrayList<>();
    private long rejoinsOfReplaced;
    private int started;

    GroupWorkload(Map<Integer, String> addresses, String topic, int members) {
        this.bootstrap = addresses.values().stream().map(HostPort::parse).toList();
        this.topic = topic;
        this.memberCount = members;
    }

    /** Starts every member; each has joined the group when this returns. */
    void start() {
        for (int m = 0; m < memberCount; m++) {
            members.add(newMember());
        }
    }

    /**
     * Replaces each member that stopped by itself (its client gave up: a bug of the client or a
     * broker answer it could not take) with a new one, as an application would restart it, so
     * that the group goes on reading through a long run. The failure stays a violation.
     */
    void replaceFailed() throws InterruptedException {
        for (int i = 0; i < members.size(); i++) {
            GroupMemberRun m = members.get(i);
            if (m.failure() == null) {
                continue;
            }
            failures.add(failure(m));
            rejoinsOfReplaced += rejoins(m);
            m.close();
            try {
                members.set(i, newMember());
            } catch (RuntimeException e) {
                failures.add("a member to replace a failed one could not join: " + e);
                members.remove(i--);
            }
        }
    }

    private GroupMemberRun newMember() {
        return new GroupMemberRun(++started, bootstrap, GROUP, topic, MEMBER, history,
                value -> Long.toString(Workload.decode(value)));
    }

    /**
     * Waits at most {@code seconds} until the members processed every record of the committed
     * log, then stops them (they leave the group) and checks what they did. Without members,
     * there is nothing to check.
     *
     * @param logs by partition, the committed log (offset to value) as the final reads found it
     */
    Verdict finish(List<Map<Long, Long>> logs, int seconds) throws InterruptedException {
        List<String> violations = new ArrayList<>();
        if (!members.isEmpty()) {
            Set<String> committed = new HashSet<>();
            logs.forEach(log -> log.values().forEach(v -> committed.add(Long.toString(v))));
            Set<String> unprocessed = history.unprocessedAfter(committed, seconds);
            if (!unprocessed.isEmpty()) {
                violations.add(unprocessed.size() + " of the " + committed.size() + " records of the committed log"
                        + " were not processed " + seconds + " s after the final reads, e.g. values "
                        + unprocessed.stream().limit(EXAMPLES).toList());
            }
        }
        violations.addAll(failures);
        long rejoins = rejoinsOfReplaced;
        for (GroupMemberRun m : members) {
            if (m.failure() != null) {
                violations.add(failure(m));
            }
            rejoins += rejoins(m);
        }
        close();
        violations.addAll(history.notInLog((TopicPartition p, Long offset) -> {
            Long value = p.partition() < logs.size() ? logs.get(p.partition()).get(offset) : null;
            return value == null ? null : Long.toString(value);
        }, EXAMPLES));
        GroupHistory.Verdict taken = history.check(0);
        taken.violations().stream().limit(EXAMPLES).forEach(violations::add);
        if (taken.violations().size() > EXAMPLES) {
            violations.add("... " + taken.violations().size() + " partitions taken up elsewhere than at the committed"
                    + " offset, in all");
        }
        return new Verdict(started, taken.records(), taken.duplicates(), taken.reassignments(), rejoins, violations);
    }

    /** Writes what the members did, event by event ({@link GroupHistory#write}). */
    void writeHistory(Path file) throws IOException {
        history.write(file);
    }

    private static String failure(GroupMemberRun m) {
        List<String> warnings = m.warnings();
        return "a member failed: " + m.failure() + "; its last warnings: "
                + warnings.subList(Math.max(0, warnings.size() - EXAMPLES), warnings.size());
    }

    private static long rejoins(GroupMemberRun m) {
        return m.warnings().stream().filter(w -> w.startsWith("joining group")).count();
    }

    /** Stops the members still running: each leaves the group. */
    @Override
    public void close() throws InterruptedException {
        for (GroupMemberRun m : members) {
            m.close();
        }
        members.clear();
    }
}
