package io.flotilla.jepsen.checker;

/**
 * The anomalies the {@link Checker} reports, after Jepsen's Kafka workload. Terms:
 * <ul>
 *   <li>a send is <em>acknowledged</em> if it completed OK, with an offset; <em>failed</em> if
 *       it completed FAIL; <em>indeterminate</em> if it completed INFO or never completed. An
 *       indeterminate send may or may not be in the log: never an anomaly by itself;</li>
 *   <li>a <em>read</em> is a message returned by an OK poll or an OK final read;</li>
 *   <li>an <em>observation</em> of offset o of partition p is a read of (p, o) or an acknowledged
 *       send to p at o;</li>
 *   <li>offsets are not dense (control entries take offsets no read returns): "the offsets
 *       between" two offsets means those between them that some read returned.</li>
 * </ul>
 * Each anomaly is counted once per value, per offset, or per offending pair of reads or sends,
 * as its definition says.
 */
public enum AnomalyKind {
    /**
     * An acknowledged send of v to p at offset o, where v is never read, though some read of p
     * returned an offset {@code >= o}: the log moved past the write without it. Counted per value.
     */
    LOST_WRITE("lost-write", "acknowledged, never read, though a read of its partition reached its offset"),
    /**
     * One value observed at two different positions (partition, offset): written twice, or
     * acknowledged at one offset and read at another. Counted per value.
     */
    DUPLICATE("duplicate", "one value at two offsets"),
    /**
     * Two observations of one offset of p disagree on its value, unless both are final reads
     * by different nodes (that is {@link #DIVERGENCE}). Counted per offset.
     */
    INCONSISTENT_OFFSETS("inconsistent-offsets", "two observations disagree on an offset's value"),
    /**
     * A process's acknowledged sends to p, in the order it completed them, where one's offset is
     * {@code <=} the previous one's. Counted per such pair.
     */
    NONMONOTONIC_SEND("nonmonotonic-send", "a process's later send got a lower or equal offset"),
    /**
     * A process reads offset o of p after reading offset {@code o' >= o} of p, with no assign of
     * p in between (within one poll or across polls). Counted per such pair.
     */
    NONMONOTONIC_POLL("nonmonotonic-poll", "a process's reads of a partition went back"),
    /**
     * A process reads offset o of p and then offset o' of p (its next read of p, with no assign
     * of p in between), while some read returned an offset strictly between them: the consumer
     * stepped over a record. Counted per such pair.
     */
    POLL_SKIP("poll-skip", "a process's successive reads of a partition stepped over a record"),
    /**
     * An acknowledged send whose value no final read returned. Checked only if the history has
     * final reads; a partition no node's final read succeeded on has all its acknowledged sends
     * unseen. Counted per value.
     */
    UNSEEN("unseen", "acknowledged, missing from every final read"),
    /**
     * A value read in p although no send of it to p can have happened: its send failed, went to
     * another partition, or was never invoked. Counted per value.
     */
    ABORTED_READ("aborted-read", "read, though its send failed or never happened"),
    /**
     * The final reads of p by two nodes disagree: both hold offset o with different values, or
     * one node lacks offset o (held by another) although it holds a later offset or o's value
     * is known committed (acknowledged at o, or read by a poll). A node whose final read failed
     * is not compared. Counted per offset.
     */
    DIVERGENCE("divergence", "nodes' final reads disagree or one lacks a committed record");

    private final String label;
    private final String brief;

    AnomalyKind(String label, String brief) {
        this.label = label;
        this.brief = brief;
    }

    /** The name reports use, e.g. {@code lost-write}. */
    public String label() {
        return label;
    }

    /** A few words for a report's reader; the javadoc above is the definition. */
    public String brief() {
        return brief;
    }
}
