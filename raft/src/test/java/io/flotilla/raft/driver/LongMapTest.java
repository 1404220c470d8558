package io.flotilla.raft.driver;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LongMapTest {
    /** Random puts and removes over few keys (long probe runs, many backward shifts), checked against HashMap. */
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            LongMap<String> map = new LongMap<>();
            Map<Long, String> model = new HashMap<>();
            int keys = 1 + random.nextInt(300);
            for (int op = 0; op < 5_000; op++) {
                long key = random.nextInt(keys) * (random.nextBoolean() ? 1L : -7919L);
                if (random.nextInt(3) == 0) {
                    assertEquals(model.remove(key), map.remove(key), "seed " + seed + " remove " + key);
                } else {
                    String value = "v" + op;
                    assertEquals(model.put(key, value), map.put(key, value), "seed " + seed + " put " + key);
                }
                assertEquals(model.size(), map.size());
                long probe = random.nextInt(keys);
                assertEquals(model.get(probe), map.get(probe), "seed " + seed + " get " + probe);
            }
            Set<String> values = new HashSet<>();
            int occupied = 0;
            for (int slot = 0; slot < map.slots(); slot++) {
                if (map.valueAt(slot) != null) {
                    values.add(map.valueAt(slot));
                    occupied++;
                }
            }
            assertEquals(new HashSet<>(model.values()), values, "seed " + seed + ": every value, by slot");
            assertEquals(model.size(), occupied, "seed " + seed + ": each in one slot only");
        }
    }

    @Test
    void refusesNullValues() {
        assertThrows(IllegalArgumentException.class, () -> new LongMap<String>().put(1, null));
    }
}
