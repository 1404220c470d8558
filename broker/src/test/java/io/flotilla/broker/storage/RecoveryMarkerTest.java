package io.flotilla.broker.storage;

import io.flotilla.log.LogDamage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recovery marker: the higher end wins, the operator can read it, and one that does not read stands for no end. */
class RecoveryMarkerTest {
    @TempDir(factory = ScratchDirs.class)
    Path dir;

    private LogDamage damage(long firstLost, long evidencedEnd) {
        return new LogDamage(dir.resolve("log/00000000000000000000.log"), 4096, firstLost, evidencedEnd,
                dir.resolve("log/damaged-" + firstLost + "-1"), "batch CRC32C mismatch");
    }

    @Test
    void aLaterDamageKeepsTheHigherEndAndTheFileSaysWhatHappened() throws Exception {
        assertEquals(OptionalLong.empty(), RecoveryMarker.read(dir));

        assertEquals(120, RecoveryMarker.record(dir, damage(40, 120)));
        assertEquals(120, RecoveryMarker.record(dir, damage(10, 60)), "an unfinished recovery's end stays");

        assertEquals(OptionalLong.of(120), RecoveryMarker.read(dir));
        String text = Files.readString(RecoveryMarker.path(dir));
        assertTrue(text.contains("at byte 4096 (offset 10): batch CRC32C mismatch"), text);
        assertTrue(text.contains("damaged-10-1"), text);
        RecoveryMarker.clear(dir);
        assertFalse(Files.exists(RecoveryMarker.path(dir)));
        assertEquals(OptionalLong.empty(), RecoveryMarker.read(dir));
    }

    @Test
    void aMarkerThatDoesNotReadStandsForAnEndNoLogReaches() throws Exception {
        for (byte[] garbage : new byte[][] {"recovering-to 12x\n".getBytes(), "recovering-to -3\n".getBytes(),
                {(byte) 0xff, (byte) 0xfe}, new byte[0]}) {
            Files.write(RecoveryMarker.path(dir), garbage);
            assertEquals(OptionalLong.of(Long.MAX_VALUE), RecoveryMarker.read(dir));
        }
    }
}
