package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corrupt nemesis's damage is what it says it is: on a log of several segments left as a
 * crash leaves it (some batches written after the last flush, or none), the log store takes each
 * damage for corruption exactly when {@link SegmentDamage.Damage#corruption()} says so (refusing
 * the log, which the broker then salvages into a quarantine and recovers from its peers), and
 * otherwise for a torn write it cuts at the damaged batch.
 */
class SegmentDamageTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULTS.withSegmentBytes(4096);
    private static final int FLUSHED_BATCHES = 120;
    private static final int TRIALS_PER_CASE = 10;

    @TempDir
    Path root;

    @Test
    void theLogStoreTakesEachDamageForCorruptionExactlyWhenTheDamageSaysSoAndOtherwiseCutsAtTheDamagedBatch()
            throws IOException {
        long seed = new Random().nextLong();
        System.out.println("SegmentDamageTest seed " + seed);
        Random random = new Random(seed);
        int trial = 0;
        int corruptions = 0;
        int torn = 0;
        for (SegmentDamage.Kind kind : SegmentDamage.Kind.values()) {
            for (boolean unflushedTail : new boolean[] {false, true}) {
                for (int i = 0; i < TRIALS_PER_CASE; i++) {
                    Path dir = root.resolve("log-" + trial++);
                    crashedLog(dir, unflushedTail ? 1 + random.nextInt(8) : 0, random);
                    SegmentDamage.Damage damage = SegmentDamage.apply(kind, dir, random);
                    String context = "seed " + seed + ", " + damage.describe();
                    if (damage.corruption()) {
                        corruptions++;
                        assertRefusedThenSalvagedAt(dir, damage.batchOffset(), context);
                    } else {
                        torn++;
                        try (PartitionLog log = open(dir)) {
                            assertEquals(damage.batchOffset(), log.endOffset(), "cut at the torn batch: " + context);
                        }
                        assertEquals(0, SegmentDamage.quarantines(dir).size(), "nothing quarantined: " + context);
                    }
                }
            }
        }
        assertTrue(corruptions > 0 && torn > 0, "both outcomes came up: " + corruptions + " corruptions, " + torn
                + " torn writes (seed " + seed + ")");
    }

    @Test
    void aFlipBelowTheRecoveryPointAlwaysDamagesABatchTheNodeHadFsynced() throws IOException {
        Random random = new Random(11);
        for (int i = 0; i < TRIALS_PER_CASE; i++) {
            Path dir = root.resolve("flushed-" + i);
            crashedLog(dir, 1 + random.nextInt(8), random);
            SegmentDamage.Damage damage = SegmentDamage.apply(SegmentDamage.Kind.FLIP_COMMITTED, dir, random);

            assertEquals(SegmentDamage.Kind.FLIP_COMMITTED, damage.kind());
            assertTrue(damage.batchOffset() < damage.recoveryPoint(), damage.describe());
            assertTrue(damage.corruption(), damage.describe());
        }
    }

    /** Opening refuses the log; salvaging it keeps what precedes the damaged batch and quarantines the rest. */
    private static void assertRefusedThenSalvagedAt(Path dir, long damagedOffset, String context) throws IOException {
        assertThrows(CorruptLogException.class, () -> open(dir).close(), "the log opened: " + context);
        try (PartitionLog log = PartitionLog.openSalvaging(dir, CONFIG.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL),
                System::currentTimeMillis, damage -> { })) {
            assertEquals(damagedOffset, log.endOffset(), "salvaged up to the damaged batch: " + context);
        }
        assertEquals(1, SegmentDamage.quarantines(dir).size(), "the damaged bytes are kept: " + context);
    }

    /** Opens as the broker ends up reading a crashed log: every batch verified. */
    private static PartitionLog open(Path dir) throws IOException {
        return PartitionLog.open(dir, CONFIG.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL), System::currentTimeMillis);
    }

    /**
     * A log of several segments whose last {@code unflushed} batches were written after its last
     * flush, as a crash leaves it: no clean-shutdown marker, the recovery point at that flush.
     */
    private static void crashedLog(Path dir, int unflushed, Random random) throws IOException {
        byte[] recoveryPoint;
        try (PartitionLog log = PartitionLog.open(dir, CONFIG, System::currentTimeMillis)) {
            append(log, FLUSHED_BATCHES, random);
            log.flush();
            recoveryPoint = Files.readAllBytes(dir.resolve(SegmentDamage.RECOVERY_POINT_FILE));
            append(log, unflushed, random);
        }
        Files.write(dir.resolve(SegmentDamage.RECOVERY_POINT_FILE), recoveryPoint);
        Files.delete(dir.resolve(".clean-shutdown")); // a crash leaves none
    }

    private static void append(PartitionLog log, int batches, Random random) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (int b = 0; b < batches; b++) {
            long now = System.currentTimeMillis();
            builder.begin(buffer.clear(), log.endOffset(), 1, now);
            for (int r = 1 + random.nextInt(3); r > 0; r--) {
                builder.tryAppend(now, null, ByteBuffer.allocate(Long.BYTES).putLong(0, random.nextLong()));
            }
            builder.finish();
            log.append(buffer.flip());
        }
    }
}
