package io.flotilla.broker.partition;

/**
 * A reader waiting on one replica for records to commit or for its leadership to end: a parked
 * fetch or a subscription. The replica keeps its waiters in a queue and, after each commit or
 * leadership change, lets each look again on a reader thread; no thread waits for any of them.
 */
interface Waiter {
    /** Looks at {@code replica} again, which changed; true once this waits no more (the replica forgets it). */
    boolean serve(PartitionReplica replica);
}
