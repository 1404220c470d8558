package io.flotilla.jepsen.process;

import io.flotilla.cli.client.TopicPartition;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What the members of a consumer group did, in one order: each record processed, each commit
 * attempted and how it ended, each partition taken up and where. Members record from their own
 * threads; the checks replay the history afterwards.
 *
 * <p>A commit is recorded before it is sent and resolved when it returns: while unresolved (or
 * when its answer never came), the group's committed offset may be either the one before or its
 * own, so a member taking the partition up may start at either.
 */
final class GroupHistory {

    private sealed interface Event permits Processed, CommitSent, CommitEnded, Assigned {}

    private record Processed(int member, TopicPartition partition, long offset, String value) implements Event {}

    private record CommitSent(int id, TopicPartition partition, long offset) implements Event {}

    /** {@code committed}: true yes, false refused or left out, null unknown. */
    private record CommitEnded(int id, Boolean committed) implements Event {}

    private record Assigned(int member, TopicPartition partition, long offset) implements Event {}

    /** The checks' findings: empty {@code violations} when the run was correct. */
    record Verdict(int records, int reassignments, int duplicates, List<String> violations) {}

    private final List<Event> events = new ArrayList<>();
    private final Set<String> processedValues = new HashSet<>();
    /** The values {@link #unprocessedAfter} waits for and no member processed yet. */
    private Set<String> awaited = new HashSet<>();
    private int nextCommitId;

    synchronized void processed(int member, TopicPartition partition, long offset, String value) {
        events.add(new Processed(member, partition, offset, value));
        processedValues.add(value);
        if (awaited.remove(value) && awaited.isEmpty()) {
            notifyAll();
        }
    }

    /** Records a commit about to be sent; returns its id for {@link #commitEnded}. */
    synchronized int commitSent(TopicPartition partition, long offset) {
        int id = nextCommitId++;
        events.add(new CommitSent(id, partition, offset));
        return id;
    }

    synchronized void commitEnded(int id, Boolean committed) {
        events.add(new CommitEnded(id, committed));
    }

    synchronized void assigned(int member, TopicPartition partition, long offset) {
        events.add(new Assigned(member, partition, offset));
        notifyAll(); // for takenUpSince
    }

    /** How many events there are so far: a mark for {@link #lastTakenUpBy} and {@link #takenUpSince}. */
    synchronized int mark() {
        return events.size();
    }

    /** The partitions whose latest take-up before {@code mark} was by {@code member}: what it holds then. */
    synchronized Set<TopicPartition> lastTakenUpBy(int member, int mark) {
        Map<TopicPartition, Integer> holder = new HashMap<>();
        for (Event e : events.subList(0, mark)) {
            if (e instanceof Assigned a) {
                holder.put(a.partition(), a.member());
            }
        }
        Set<TopicPartition> held = new HashSet<>();
        holder.forEach((p, m) -> {
            if (m == member) {
                held.add(p);
            }
        });
        return held;
    }

    /**
     * The partitions some member took up after {@code mark}, once they include every one of
     * {@code wanted} or {@code seconds} have passed.
     */
    synchronized Set<TopicPartition> takenUpSince(int mark, Set<TopicPartition> wanted, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            Set<TopicPartition> taken = new HashSet<>();
            for (Event e : events.subList(mark, events.size())) {
                if (e instanceof Assigned a) {
                    taken.add(a.partition());
                }
            }
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (taken.containsAll(wanted) || leftMs <= 0) {
                return taken;
            }
            wait(leftMs);
        }
    }

    /** Waits until every value of {@code values} was processed, at most {@code seconds}. */
    void awaitProcessed(Set<String> values, int seconds) throws InterruptedException {
        Set<String> missing = unprocessedAfter(values, seconds);
        if (!missing.isEmpty()) {
            throw new AssertionError(missing.size() + " of " + values.size() + " values not processed after "
                    + seconds + " s, e.g. " + missing.stream().limit(5).toList());
        }
    }

    /**
     * Waits until every value of {@code values} was processed, at most {@code seconds}; returns
     * those that were not. One caller at a time.
     */
    synchronized Set<String> unprocessedAfter(Collection<String> values, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        awaited = new HashSet<>(values);
        awaited.removeAll(processedValues);
        try {
            for (long leftMs = seconds * 1000L; !awaited.isEmpty() && leftMs > 0;
                 leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                wait(leftMs);
            }
            return new TreeSet<>(awaited);
        } finally {
            awaited = new HashSet<>();
        }
    }

    /**
     * The records processed that the log does not hold: {@code committed} gives the log's value
     * at an offset of a partition, null where it holds none. A member that processed a value the
     * log does not hold at that offset read what was never committed there (a read past the
     * commit, a log that changed under it, a value served at the wrong offset).
     *
     * @return how many there were and the first {@code shown} of them
     */
    synchronized List<String> notInLog(BiFunction<TopicPartition, Long, String> committed, int shown) {
        List<String> out = new ArrayList<>();
        int count = 0;
        for (Event e : events) {
            if (!(e instanceof Processed p)) {
                continue;
            }
            String there = committed.apply(p.partition(), p.offset());
            if (!p.value().equals(there) && count++ < shown) {
                out.add("member " + p.member() + " processed " + p.value() + " at " + p.partition() + " offset "
                        + p.offset() + ", where the committed log holds " + (there == null ? "nothing" : there));
            }
        }
        if (count > shown) {
            out.add("... " + count + " records processed that the committed log does not hold, in all");
        }
        return out;
    }

    /**
     * Writes every event, one per line in their order ({@code Processed[member=1, partition=t/0,
     * offset=5, value=a]}, {@code CommitSent}, {@code CommitEnded}, {@code Assigned}): what the
     * checks replay, for whoever looks into a violation.
     */
    synchronized void write(Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                out.write(e.toString());
                out.newLine();
            }
        }
    }

    /**
     * Replays the history: every partition taken up must start at the group's committed offset
     * of that moment ({@code resetOffset} when nothing was committed), neither before it (records
     * processed again needlessly) nor after it (records skipped).
     */
    synchronized Verdict check(long resetOffset) {
        List<String> violations = new ArrayList<>();
        Map<TopicPartition, Long> committed = new HashMap<>();
        // Per partition, commits sent and not known refused, by id (ids grow in sending order).
        Map<TopicPartition, TreeMap<Integer, Long>> maybe = new HashMap<>();
        Map<Integer, CommitSent> sent = new HashMap<>();
        Set<Integer> unanswered = new HashSet<>();
        Set<TopicPartition> takenBefore = new HashSet<>();
        Map<String, Integer> timesProcessed = new HashMap<>();
        int reassignments = 0;
        for (Event e : events) {
            if (e instanceof Processed p) {
                timesProcessed.merge(p.value(), 1, Integer::sum);
            } else if (e instanceof CommitSent c) {
                sent.put(c.id(), c);
                maybe.computeIfAbsent(c.partition(), k -> new TreeMap<>()).put(c.id(), c.offset());
            } else if (e instanceof CommitEnded end) {
                CommitSent c = sent.get(end.id());
                if (Boolean.TRUE.equals(end.committed())) {
                    committed.put(c.partition(), c.offset());
                    // One owner commits a partition at a time, each commit answered before the next:
                    // a commit sent earlier than this one ended before it, or was refused; except
                    // one the client gave up on, which may still arrive later.
                    maybe.get(c.partition()).headMap(c.id(), true).keySet().removeIf(id -> !unanswered.contains(id));
                } else if (end.committed() != null) {
                    maybe.get(c.partition()).remove(c.id());
                } else {
                    unanswered.add(c.id());
                }
            } else if (e instanceof Assigned a) {
                if (!takenBefore.add(a.partition())) {
                    reassignments++;
                }
                Set<Long> allowed = new TreeSet<>(maybe.getOrDefault(a.partition(), new TreeMap<>()).values());
                allowed.add(committed.getOrDefault(a.partition(), resetOffset));
                if (!allowed.contains(a.offset())) {
                    violations.add("member " + a.member() + " took up " + a.partition() + " at offset " + a.offset()
                            + ", but the group's committed offset was one of " + allowed);
                }
            }
        }
        int duplicates = timesProcessed.values().stream().mapToInt(n -> n - 1).sum();
        return new Verdict(timesProcessed.size(), reassignments, duplicates, violations);
    }
}
