package io.flotilla.raft.driver;

/**
 * A driver's counters, summed over its loops; each loop publishes its own once per turn.
 *
 * @param groups          groups hosted (with removed ones whose last write has not landed yet)
 * @param awakeGroups     groups being ticked (the rest are quiet)
 * @param ticks           group ticks delivered since the start
 * @param batchesSent     batches handed to the transport, liveness heartbeats included
 * @param messagesSent    messages in those batches
 * @param messagesDropped inbound messages for no hosted group or for another incarnation of this node
 * @param inboundBytes    bytes of the inbound batches queued and not yet stepped, as
 *                        {@link DriverConfig#maxInboundBytes} bounds them: current, not published per turn
 * @param stuckLoops      loops in one turn for 5 s or more, as the loop watching each saw at its last tick
 *                        (each such stall is logged with the stuck thread's stack)
 * @param stuckWrites     groups whose write has been with its persistence for 5 s or more (each logged)
 */
public record DriverStats(int groups, int awakeGroups, long ticks, long batchesSent, long messagesSent,
                          long messagesDropped, long inboundBytes, int stuckLoops, int stuckWrites) {
    public static final DriverStats ZERO = new DriverStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Field by field sum: of a driver's loops, or of several drivers. */
    public DriverStats plus(DriverStats o) {
        return new DriverStats(groups + o.groups, awakeGroups + o.awakeGroups, ticks + o.ticks,
                batchesSent + o.batchesSent, messagesSent + o.messagesSent, messagesDropped + o.messagesDropped,
                inboundBytes + o.inboundBytes, stuckLoops + o.stuckLoops,
                stuckWrites + o.stuckWrites);
    }
}
