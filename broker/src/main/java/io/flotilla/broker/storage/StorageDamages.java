package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogDamage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The damage this node found in its groups' logs since it started, and whether each group
 * recovered: the status an operator (or a test) reads besides the log lines written here. Any
 * thread.
 */
public final class StorageDamages {
    private static final Logger log = LoggerFactory.getLogger(StorageDamages.class);

    private final LongSupplier clockMs;
    private final List<StorageDamage> damages = new CopyOnWriteArrayList<>();

    StorageDamages(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** Every damage found, oldest first. */
    public List<StorageDamage> all() {
        return List.copyOf(damages);
    }

    /** The corruption a failure comes from, if it does: a read that met damaged bytes. */
    public static Optional<CorruptLogException> corruption(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CorruptLogException corrupt) {
                return Optional.of(corrupt);
            }
        }
        return Optional.empty();
    }

    /**
     * Group {@code groupId}'s log was found damaged and is about to be cut; its member must hold
     * entries up to {@code recoveringTo} again, as {@code marker} records. {@code alone}: the
     * group has no other voter to recover from.
     */
    void found(long groupId, LogDamage damage, long recoveringTo, Path marker, boolean alone) {
        damages.add(new StorageDamage(groupId, damage.file(), damage.position(), damage.firstLostOffset(), recoveringTo,
                damage.quarantine(), damage.detail(), clockMs.getAsLong(), -1));
        String next = alone
                ? "the group has no other voter to recover them from, so it stays without a leader. To accept the"
                + " loss and go on from offset " + damage.firstLostOffset() + ", delete " + marker + " and restart"
                + " the node"
                : "this member grants no votes and does not campaign until it holds offsets up to " + recoveringTo
                + " again, which it fetches from its group's leader";
        log.error("group {}: damage in {} at byte {} (offset {}): {}. Its log is cut before offset {}, the bytes from"
                        + " there kept in {}; {}", groupId, damage.file(), damage.position(), damage.firstLostOffset(),
                damage.detail(), damage.firstLostOffset(), damage.quarantine(), next);
    }

    /** Group {@code groupId} opens with a recovery a restart interrupted, recorded in {@code marker}. */
    void stillRecovering(long groupId, Path marker, long recoveringTo) {
        log.warn("group {} is still recovering entries its storage lost ({}): it grants no votes and does not"
                + " campaign until it holds offsets up to {} again", groupId, marker, recoveringTo);
    }

    /** Group {@code groupId}'s member holds what its storage lost again. */
    void recovered(long groupId, long heldTo) {
        long now = clockMs.getAsLong();
        damages.replaceAll(d -> d.groupId() == groupId && !d.recovered() ? new StorageDamage(d.groupId(), d.file(),
                d.position(), d.firstLostOffset(), d.recoveringTo(), d.quarantine(), d.detail(), d.detectedAtMs(), now)
                : d);
        log.warn("group {}: recovered the entries its storage lost; it holds its log up to {} as its leader does and"
                + " votes again", groupId, heldTo);
    }
}
