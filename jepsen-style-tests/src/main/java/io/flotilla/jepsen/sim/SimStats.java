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
    /** Operations by kind: due, accepted by a leader, and took effect (committed, or leadership moved). */
    public final Map<FaultKind, Long> operationsTried = new EnumMap<>(FaultKind.class);
    public final Map<FaultKind, Long> operationsAccepted = new EnumMap<>(FaultKind.class);
    public final Map<FaultKind, Long> operationsTookEffect = new EnumMap<>(FaultKind.class);

    public void fault(FaultKind kind) {
        faults.merge(kind, 1L, Long::sum);
    }

    void tried(FaultKind kind) {
        operationsTried.merge(kind, 1L, Long::sum);
    }

    void accepted(FaultKind kind) {
        operationsAccepted.merge(kind, 1L, Long::sum);
    }

    void tookEffect(FaultKind kind) {
        operationsTookEffect.merge(kind, 1L, Long::sum);
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
        other.operationsTried.forEach((k, v) -> operationsTried.merge(k, v, Long::sum));
        other.operationsAccepted.forEach((k, v) -> operationsAccepted.merge(k, v, Long::sum));
        other.operationsTookEffect.forEach((k, v) -> operationsTookEffect.merge(k, v, Long::sum));
    }

    /** {@code TRANSFER 40/30/25, ...}: tried, accepted, took effect. */
    private String operations() {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<FaultKind, Long> e : operationsTried.entrySet()) {
            FaultKind k = e.getKey();
            sb.append(sb.length() == 1 ? "" : ", ").append(k).append(' ').append(e.getValue()).append('/')
                    .append(operationsAccepted.getOrDefault(k, 0L)).append('/')
                    .append(operationsTookEffect.getOrDefault(k, 0L));
        }
        return sb.append('}').toString();
    }

    @Override
    public String toString() {
        return events + " events, " + simulatedMs / 1000 + " s simulated, faults " + faults
                + ", operations (tried/accepted/took effect) " + operations() + ", " + elections
                + " elections, " + proposals + " proposals accepted, " + commits + " commits, max commit end "
                + maxCommitEnd + ", " + messages + " messages (" + messagesLost + " lost), " + persists + " fsyncs";
    }
}
