package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;
import io.flotilla.jepsen.history.Send;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One injected bug per anomaly kind, applied to a correct history: each names the kind it must
 * produce and the kinds it may produce besides (a write lost is also unseen by the final reads).
 */
enum Corruption {
    /** An acknowledged value vanishes from every read, while its partition's reads go past it. */
    LOSE_A_WRITE(AnomalyKind.LOST_WRITE, AnomalyKind.UNSEEN) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            Map<Integer, Long> maxRead = new HashMap<>();
            for (int p : partitions(h)) {
                maxRead.put(p, reads(h, p).stream().mapToLong(Message::offset).max().orElse(-1));
            }
            List<Send> candidates = acknowledged(h).stream().filter(s -> maxRead.get(s.partition()) > s.offset()).toList();
            if (candidates.isEmpty()) {
                return false;
            }
            Send lost = pick(candidates, r);
            editReads(h, lost.partition(), ms -> ms.removeIf(m -> m.value() == lost.value()));
            return true;
        }
    },
    /** Every node's final read holds one value a second time, at a new offset. */
    DUPLICATE_A_VALUE(AnomalyKind.DUPLICATE) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            List<Integer> finals = indexes(h, op -> op.type() == OpType.OK && op.action() instanceof FinalRead f
                    && !f.messages().isEmpty());
            if (finals.isEmpty()) {
                return false;
            }
            FinalRead f = (FinalRead) ((Op) h.get(pick(finals, r))).action();
            long value = pick(f.messages(), r).value();
            appendToFinalReads(h, f.partition(), new Message(maxOffset(h, f.partition()) + 1, value));
            return true;
        }
    },
    /** One poll returns, at an offset, the value of an indeterminate send that never landed. */
    READ_ANOTHER_VALUE_AT_AN_OFFSET(AnomalyKind.INCONSISTENT_OFFSETS) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            Set<Long> read = new HashSet<>();
            for (int p : partitions(h)) {
                reads(h, p).forEach(m -> read.add(m.value()));
            }
            List<Send> neverLanded = indeterminate(h).stream().filter(s -> !read.contains(s.value())).toList();
            List<Integer> polls = indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Poll p
                    && !p.messages().isEmpty() && neverLanded.stream().anyMatch(s -> s.partition() == p.partition()));
            if (polls.isEmpty()) {
                return false;
            }
            int i = pick(polls, r);
            int p = ((Op) h.get(i)).action().partition();
            long other = pick(neverLanded.stream().filter(s -> s.partition() == p).toList(), r).value();
            edit(h, i, ms -> {
                int k = r.nextInt(ms.size());
                ms.set(k, new Message(ms.get(k).offset(), other));
            });
            return true;
        }
    },
    /** Two successive acknowledged sends of one process swap offsets, and so does the log. */
    SWAP_TWO_SENDS(AnomalyKind.NONMONOTONIC_SEND) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            List<int[]> pairs = new ArrayList<>();
            List<Integer> acks = indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Send);
            for (int a = 0; a < acks.size(); a++) {
                Op first = (Op) h.get(acks.get(a));
                for (int b = a + 1; b < acks.size(); b++) {
                    Op next = (Op) h.get(acks.get(b));
                    if (next.process() == first.process() && next.action().partition() == first.action().partition()) {
                        pairs.add(new int[] {acks.get(a), acks.get(b)});
                        break;
                    }
                }
            }
            if (pairs.isEmpty()) {
                return false;
            }
            int[] pair = pick(pairs, r);
            Op first = (Op) h.get(pair[0]);
            Op next = (Op) h.get(pair[1]);
            Send s1 = (Send) first.action();
            Send s2 = (Send) next.action();
            h.set(pair[0], withAction(first, s1.at(s2.offset())));
            h.set(pair[1], withAction(next, s2.at(s1.offset())));
            editReads(h, s1.partition(), ms -> ms.replaceAll(m -> m.offset() == s1.offset()
                    ? new Message(m.offset(), s2.value()) : m.offset() == s2.offset()
                    ? new Message(m.offset(), s1.value()) : m));
            return true;
        }
    },
    /** A process's last poll of a partition returns its last message twice. */
    READ_AGAIN(AnomalyKind.NONMONOTONIC_POLL) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            Map<List<Integer>, Integer> lastOfProcessAndPartition = new HashMap<>();
            for (int i : indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Poll p && !p.messages().isEmpty())) {
                Op poll = (Op) h.get(i);
                lastOfProcessAndPartition.put(List.of(poll.process(), poll.action().partition()), i);
            }
            List<Integer> last = lastOfProcessAndPartition.values().stream().sorted().toList();
            if (last.isEmpty()) {
                return false;
            }
            edit(h, pick(last, r), ms -> ms.add(ms.get(ms.size() - 1)));
            return true;
        }
    },
    /** A poll loses a message from its middle (the final reads still hold it). */
    SKIP_A_MESSAGE(AnomalyKind.POLL_SKIP) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            List<Integer> polls = indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Poll p
                    && p.messages().size() >= 3);
            if (polls.isEmpty()) {
                return false;
            }
            edit(h, pick(polls, r), ms -> ms.remove(1 + r.nextInt(ms.size() - 2)));
            return true;
        }
    },
    /** An acknowledged value a consumer read vanishes from every final read. */
    DROP_FROM_FINAL_READS(AnomalyKind.UNSEEN) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            Set<Long> polled = new HashSet<>();
            for (int i : indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Poll)) {
                ((Poll) ((Op) h.get(i)).action()).messages().forEach(m -> polled.add(m.value()));
            }
            List<Send> candidates = acknowledged(h).stream().filter(s -> polled.contains(s.value())).toList();
            if (candidates.isEmpty()) {
                return false;
            }
            Send unseen = pick(candidates, r);
            for (int i : indexes(h, op -> op.type() == OpType.OK && op.action() instanceof FinalRead)) {
                edit(h, i, ms -> ms.removeIf(m -> m.value() == unseen.value()));
            }
            return true;
        }
    },
    /** Every node's final read holds, at a new offset, a value whose send failed or never happened. */
    COMMIT_AN_ABORTED_VALUE(AnomalyKind.ABORTED_READ) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            List<Send> failed = new ArrayList<>();
            indexes(h, op -> op.type() == OpType.FAIL && op.action() instanceof Send)
                    .forEach(i -> failed.add((Send) ((Op) h.get(i)).action()));
            if (partitions(h).isEmpty()) {
                return false;
            }
            Send aborted = !failed.isEmpty() && r.nextBoolean() ? pick(failed, r)
                    : Send.of(pick(partitions(h), r), Long.MAX_VALUE - r.nextInt(1000));
            appendToFinalReads(h, aborted.partition(), new Message(maxOffset(h, aborted.partition()) + 1, aborted.value()));
            return true;
        }
    },
    /** One node's final read lacks a message from before its end. */
    LOSE_ON_ONE_NODE(AnomalyKind.DIVERGENCE) {
        @Override
        boolean apply(List<HistoryEntry> h, Random r) {
            List<Integer> candidates = indexes(h, op -> op.type() == OpType.OK && op.action() instanceof FinalRead f
                    && f.messages().size() >= 2 && finalReadsOf(h, f.partition()) >= 2);
            if (candidates.isEmpty()) {
                return false;
            }
            edit(h, pick(candidates, r), ms -> ms.remove(r.nextInt(ms.size() - 1)));
            return true;
        }
    };

    final AnomalyKind expected;
    final Set<AnomalyKind> allowed;

    Corruption(AnomalyKind expected, AnomalyKind... alsoAllowed) {
        this.expected = expected;
        this.allowed = EnumSet.of(expected, alsoAllowed);
    }

    /** Corrupts {@code h} in place; false if this history offers nothing to corrupt this way. */
    abstract boolean apply(List<HistoryEntry> h, Random r);

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }

    private static List<Integer> indexes(List<HistoryEntry> h, Predicate<Op> match) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i) instanceof Op op && match.test(op)) {
                found.add(i);
            }
        }
        return found;
    }

    private static Op withAction(Op op, Action action) {
        return new Op(op.time(), op.wall(), op.process(), op.type(), action);
    }

    private static List<Send> acknowledged(List<HistoryEntry> h) {
        return indexes(h, op -> op.type() == OpType.OK && op.action() instanceof Send).stream()
                .map(i -> (Send) ((Op) h.get(i)).action()).toList();
    }

    /** Sends completed INFO or never completed. */
    private static List<Send> indeterminate(List<HistoryEntry> h) {
        Set<Long> completed = new HashSet<>();
        indexes(h, op -> op.type() != OpType.INVOKE && op.type() != OpType.INFO && op.action() instanceof Send s)
                .forEach(i -> completed.add(((Send) ((Op) h.get(i)).action()).value()));
        return indexes(h, op -> op.type() == OpType.INVOKE && op.action() instanceof Send).stream()
                .map(i -> (Send) ((Op) h.get(i)).action()).filter(s -> !completed.contains(s.value())).toList();
    }

    private static List<Integer> partitions(List<HistoryEntry> h) {
        return indexes(h, op -> true).stream().map(i -> ((Op) h.get(i)).action().partition()).distinct().sorted().toList();
    }

    private static long finalReadsOf(List<HistoryEntry> h, int p) {
        return indexes(h, op -> op.type() == OpType.OK && op.action() instanceof FinalRead f && f.partition() == p).size();
    }

    /** Every message of partition {@code p} returned by an OK poll or final read. */
    private static List<Message> reads(List<HistoryEntry> h, int p) {
        List<Message> all = new ArrayList<>();
        for (int i : indexes(h, op -> op.type() == OpType.OK && op.action().partition() == p)) {
            Action a = ((Op) h.get(i)).action();
            if (a instanceof Poll poll) {
                all.addAll(poll.messages());
            } else if (a instanceof FinalRead f) {
                all.addAll(f.messages());
            }
        }
        return all;
    }

    /** The highest offset partition {@code p} is known to have, by reads or acknowledgements. */
    private static long maxOffset(List<HistoryEntry> h, int p) {
        long max = reads(h, p).stream().mapToLong(Message::offset).max().orElse(-1);
        return Math.max(max, acknowledged(h).stream().filter(s -> s.partition() == p).mapToLong(Send::offset).max().orElse(-1));
    }

    /** Edits the messages of every OK poll and final read of partition {@code p}. */
    private static void editReads(List<HistoryEntry> h, int p, Consumer<List<Message>> edit) {
        for (int i : indexes(h, op -> op.type() == OpType.OK && op.action().partition() == p
                && (op.action() instanceof Poll || op.action() instanceof FinalRead))) {
            edit(h, i, edit);
        }
    }

    private static void appendToFinalReads(List<HistoryEntry> h, int p, Message extra) {
        for (int i : indexes(h, op -> op.type() == OpType.OK && op.action() instanceof FinalRead f && f.partition() == p)) {
            edit(h, i, ms -> ms.add(extra));
        }
    }

    /** Edits the messages of the poll or final read at {@code h[i]}. */
    private static void edit(List<HistoryEntry> h, int i, Consumer<List<Message>> edit) {
        Op op = (Op) h.get(i);
        if (op.action() instanceof Poll poll) {
            List<Message> ms = new ArrayList<>(poll.messages());
            edit.accept(ms);
            h.set(i, withAction(op, new Poll(poll.partition(), ms)));
        } else {
            FinalRead f = (FinalRead) op.action();
            List<Message> ms = new ArrayList<>(f.messages());
            edit.accept(ms);
            h.set(i, withAction(op, new FinalRead(f.node(), f.partition(), ms)));
        }
    }
}
