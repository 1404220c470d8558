package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.nio.ByteBuffer;

/** Comparing, hashing and describing entries without touching their payload buffers' positions. */
public final class Entries {
    private Entries() {
    }

    /** Identical as the checkers mean it: same offsets, term, type and payload bytes. */
    public static boolean same(Entry a, Entry b) {
        return a.baseOffset() == b.baseOffset() && a.count() == b.count() && a.term() == b.term()
                && a.type() == b.type() && a.payload().equals(b.payload());
    }

    /** Hash of a log prefix ending with {@code entry}, given the hash of the prefix before it. */
    public static long chain(long previous, Entry entry) {
        long h = mix(previous ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ entry.baseOffset());
        h = mix(h ^ ((long) entry.count() << 8 | entry.type().ordinal()));
        h = mix(h ^ entry.term());
        ByteBuffer p = entry.payload();
        for (int i = p.position(); i < p.limit(); i++) {
            h = mix(h ^ (p.get(i) & 0xFF));
        }
        return mix(h ^ p.remaining());
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code [5..7 t3 v42]}: offsets, term, type if not data, and the payload (an 8-byte one as its value). */
    public static String describe(Entry e) {
        if (e == null) {
            return "nothing";
        }
        StringBuilder sb = new StringBuilder().append('[').append(e.baseOffset());
        if (e.count() > 1) {
            sb.append("..").append(e.lastOffset());
        }
        sb.append(" t").append(e.term());
        if (e.type() != Entry.Type.DATA) {
            sb.append(' ').append(e.type());
        }
        String payload = payload(e.payload());
        if (!payload.isEmpty()) {
            sb.append(' ').append(payload);
        }
        return sb.append(']').toString();
    }

    /** An 8-byte payload as {@code v<long>}, anything else as hex (at most 12 bytes shown). */
    public static String payload(ByteBuffer p) {
        if (p.remaining() == 8) {
            return "v" + p.getLong(p.position());
        }
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(p.remaining(), 12);
        for (int i = 0; i < shown; i++) {
            sb.append(String.format("%02x", p.get(p.position() + i)));
        }
        if (shown < p.remaining()) {
            sb.append("..(").append(p.remaining()).append("B)");
        }
        return sb.toString();
    }

    /** A fresh 8-byte payload holding {@code value}. */
    public static ByteBuffer value(long value) {
        return ByteBuffer.allocate(8).putLong(0, value);
    }
}
