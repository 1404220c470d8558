package io.flotilla.broker.node;

import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads every partition a producer wrote, from offset 0 to its high watermark, through the
 * current leaders, and checks the producer's guarantees against it: every acknowledged record
 * is there exactly once, at the offset it was acknowledged with; the records of a partition
 * are in production order; and nothing that was never sent is there.
 */
final class ExactlyOnceCheck {
    private static final int FETCH_WAIT_MS = 500;
    private static final long FETCH_DEADLINE_MS = 3000;

    private ExactlyOnceCheck() {
    }

    /** Checks every partition; returns the number of records read. */
    static int verify(LeaderRouter router, IdempotentProducer producer, int seconds) {
        int read = 0;
        for (int p = 0; p < router.partitions(); p++) {
            int partition = p;
            List<IdempotentProducer.Acknowledged> acked = producer.acknowledged(a -> a.partition() == partition);
            long ackedEnd = acked.stream().mapToLong(a -> a.baseOffset() + a.values().size()).max().orElse(0);
            List<FetchedRecord> log = read(router, partition, ackedEnd, seconds);
            check(partition, producer.sent(partition), acked, log);
            read += log.size();
        }
        return read;
    }

    /** Committed records of {@code partition} from offset 0 up to both {@code atLeast} and the high watermark. */
    private static List<FetchedRecord> read(LeaderRouter router, int partition, long atLeast, int seconds) {
        Reading reading = new Reading(router, partition, atLeast);
        TestCluster.await(reading::advance, seconds, reading::describe);
        return reading.records;
    }

    /** A read in progress; each step fetches while the leader answers, and stops at a failure to retry it. */
    private static final class Reading {
        final LeaderRouter router;
        final int partition;
        final long atLeast;
        final List<FetchedRecord> records = new ArrayList<>();
        long offset;
        long highWatermark = -1;
        String lastFailure = "";

        Reading(LeaderRouter router, int partition, long atLeast) {
            this.router = router;
            this.partition = partition;
            this.atLeast = atLeast;
        }

        /** True once done; false to be called again (after the caller's pause) when a fetch failed retriably. */
        boolean advance() {
            while (offset < atLeast || offset < highWatermark || highWatermark < 0) {
                int node = router.leader(partition);
                if (node == 0) {
                    lastFailure = "no node knows a leader";
                    return false;
                }
                FetchResponse answer;
                try {
                    answer = router.blockingStub(node).withDeadlineAfter(FETCH_DEADLINE_MS, TimeUnit.MILLISECONDS)
                            .fetch(FetchRequest.newBuilder().setTopic(router.topic()).setPartition(partition)
                                    .setOffset(offset).setMaxWaitMs(FETCH_WAIT_MS).build());
                } catch (StatusRuntimeException e) {
                    LeaderRouter.Verdict verdict = router.afterFailure(partition, node, e);
                    if (!verdict.retriable()) {
                        throw new AssertionError("reading partition " + partition + " at offset " + offset + ": "
                                + verdict.why(), e);
                    }
                    lastFailure = verdict.why();
                    return false;
                }
                records.addAll(answer.getRecordsList());
                offset = answer.getNextOffset();
                highWatermark = answer.getHighWatermark();
            }
            return true;
        }

        String describe() {
            return "partition " + partition + " read to offset " + atLeast + " (at " + offset + ", high watermark "
                    + highWatermark + ", last failure: " + lastFailure + ")";
        }
    }

    private static void check(int partition, List<String> sent, List<IdempotentProducer.Acknowledged> acked,
                      List<FetchedRecord> log) {
        Map<String, Integer> sentAt = new HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            sentAt.put(sent.get(i), i);
        }
        Map<Long, String> byOffset = new HashMap<>();
        Map<String, Long> offsetOf = new HashMap<>();
        int previous = -1;
        for (FetchedRecord r : log) {
            String value = r.getValue().toStringUtf8();
            Integer position = sentAt.get(value);
            if (position == null) {
                fail("partition " + partition + " holds '" + value + "' at offset " + r.getOffset()
                        + ", which was never sent to it");
            }
            Long earlier = offsetOf.put(value, r.getOffset());
            if (earlier != null) {
                fail("partition " + partition + " holds '" + value + "' twice: at offsets " + earlier + " and "
                        + r.getOffset());
            }
            if (position < previous) {
                fail("partition " + partition + " holds '" + value + "' at offset " + r.getOffset() + ", after '"
                        + sent.get(previous) + "', which was sent later");
            }
            byOffset.put(r.getOffset(), value);
            previous = position;
        }
        for (IdempotentProducer.Acknowledged a : acked) {
            for (int i = 0; i < a.values().size(); i++) {
                long offset = a.baseOffset() + i;
                assertEquals(a.values().get(i), byOffset.get(offset), "partition " + partition + ": '"
                        + a.values().get(i) + "' was acknowledged at offset " + offset + " by node " + a.node()
                        + (a.duplicate() ? " (as a duplicate)" : ""));
            }
        }
    }
}
