package io.flotilla.jepsen.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One line per simulated event. Every line goes into a SHA-256 digest (two runs are identical
 * iff their hashes are); the last {@code tailLines} are kept for failure reports, and all of
 * them when asked (for comparing two traces line by line).
 */
public final class Trace {
    private final MessageDigest digest;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final int tailLines;
    private final List<String> all;
    private long lines;

    public Trace(int tailLines, boolean keepAll) {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.tailLines = tailLines;
        this.all = keepAll ? new ArrayList<>() : null;
    }

    public void add(String line) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        lines++;
        if (tailLines > 0) {
            if (tail.size() == tailLines) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
        if (all != null) {
            all.add(line);
        }
    }

    /** Hex SHA-256 of every line so far. */
    public String hash() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public long lines() {
        return lines;
    }

    public List<String> tail() {
        return List.copyOf(tail);
    }

    /** Every line, if the trace was made with {@code keepAll}; else empty. */
    public List<String> all() {
        return all == null ? List.of() : List.copyOf(all);
    }
}
