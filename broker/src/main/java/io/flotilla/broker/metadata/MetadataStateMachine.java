package io.flotilla.broker.metadata;

import java.nio.ByteBuffer;

/**
 * The controller group's state machine on one node: the current {@link ClusterMetadata}, moved
 * forward by each committed command in log order.
 *
 * <p>One thread (the controller group's loop) applies and restores; any thread may read {@link
 * #metadata()}, and gets a consistent value, since each is immutable and replaced whole.
 */
public final class MetadataStateMachine {

    private volatile ClusterMetadata metadata = ClusterMetadata.EMPTY;

    public ClusterMetadata metadata() {
        return metadata;
    }

    /**
     * Applies the committed command at {@code offset}.
     *
     * @throws IllegalArgumentException if {@code offset} is not above the metadata's version
     *                                  (an entry the state already holds: skip those below it)
     */
    public CommandResult apply(long offset, MetadataCommand command) {
        CommandApplier.Transition transition = CommandApplier.apply(metadata, offset, command);
        metadata = transition.state();
        return transition.result();
    }

    /**
     * Applies the committed entry at {@code offset}, as {@link MetadataCodec} encoded it.
     *
     * @throws IllegalArgumentException if the entry does not decode: every node fails alike on
     *                                  the same bytes, and must stop rather than skip it
     */
    public CommandResult apply(long offset, ByteBuffer entry) {
        return apply(offset, MetadataCodec.decodeCommand(entry));
    }

    /** The whole state, to store as the controller group's snapshot. */
    public byte[] snapshot() {
        return MetadataCodec.encodeSnapshot(metadata);
    }

    /**
     * Replaces the state with a snapshot's.
     *
     * @throws IllegalArgumentException if the bytes are not a valid snapshot; the state is then
     *                                  unchanged
     */
    public void restore(byte[] snapshot) {
        metadata = MetadataCodec.decodeSnapshot(snapshot);
    }
}
