package io.flotilla.jepsen.sim;

import java.util.EnumMap;
import java.util.Map;

/** Counters of one run, or summed over many. */
public final class SimStats {
    public long events;
    public long messages;
    public long messagesLost;
    public long persists;
    public long proposals;
    public long elections;
    public long commits;
    public long maxCommitEnd;
    public long simulatedMs;
    public final Map<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);

    public void fault(FaultKind kind) {
        faults.merge(kind, 1L, Long::sum);
    }

    public void add(SimStats other) {
        events += other.events;
        messages += other.messages;
        messagesLost += other.messagesLost;
        persists += other.persists;
        proposals += other.proposals;
        elections += other.elections;
        commits += other.commits;
        maxCommitEnd = Math.max(maxCommitEnd, other.maxCommitEnd);
        simulatedMs += other.simulatedMs;
        other.faults.forEach((k, v) -> faults.merge(k, v, Long::sum));
    }

    @Override
    public String toString() {
        return events + " events, " + simulatedMs / 1000 + " s simulated, faults " + faults + ", " + elections
                + " elections, " + proposals + " proposals accepted, " + commits + " commits, max commit end "
                + maxCommitEnd + ", " + messages + " messages (" + messagesLost + " lost), " + persists + " fsyncs";
    }
}
