package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Ready;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One member: its durable {@link MemoryStorage} (survives crashes), its replica (volatile: gone
 * in a crash, rebuilt over the same storage at restart), and the driver that follows the
 * {@code Ready} contract with simulated fsync latency:
 * <ol>
 *   <li>take a Ready only when none is in flight; send {@code sendNow} at once;</li>
 *   <li>if it must persist, wait for the {@code PersistDone} event, then write it to storage;</li>
 *   <li>send {@code sendAfterPersist}, apply {@code committed}, call {@code advance}.</li>
 * </ol>
 * A crash drops the replica and the in-flight Ready, whose writes never reached storage.
 * A {@link DriverFault} breaks this contract on purpose.
 */
public final class SimNode {
    /** What the driver needs from the simulation around it. */
    public interface Host {
        void send(SimNode from, RaftMessage message);

        /** Schedule the completion of the in-flight Ready's persistence. */
        void persistLater(SimNode node, long life, long readyNo);

        /** The Ready's writes are now in storage; its entries start at index {@code firstNewIndex} of {@link #durable()}. */
        void persisted(SimNode node, Ready ready, int firstNewIndex);

        /** The node's state machine applies {@code entry}. */
        void applied(SimNode node, Entry entry);
    }

    static final int MAX_READIES_PER_DRIVE = 10_000;

    private final int index;
    private final MemberId id;
    private final MemoryStorage storage;
    private final LogView durable = new LogView();
    private final DriverFault fault;
    private Replica replica;
    private long life;
    private Ready inFlight;
    private long readyNo;

    public SimNode(int index, MemberId id, Membership bootstrap, DriverFault fault) {
        this.index = index;
        this.id = id;
        this.storage = new MemoryStorage(bootstrap);
        this.fault = fault;
    }

    /** Starts (or restarts) the node with a fresh replica over its storage. */
    public void start(Replica fresh) {
        replica = fresh;
        life++;
        inFlight = null;
    }

    /** Stops the node: the replica and any unpersisted Ready are lost. */
    public void crash(Host host) {
        if (inFlight != null && fault == DriverFault.UNPERSISTED_VOTE && inFlight.mustPersist()) {
            // The broken disk layer: the log write landed, the hard state (term, vote) did not.
            Ready logOnly = new Ready(List.of(), inFlight.truncateFrom(), inFlight.entries(), null, List.of(), List.of());
            if (logOnly.mustPersist()) {
                persist(logOnly, host);
            }
        }
        replica = null;
        inFlight = null;
    }

    /** Takes Readies until one waits for its fsync or there is nothing left to do. */
    public void drive(Host host) {
        int taken = 0;
        while (replica != null && inFlight == null && replica.hasReady()) {
            if (++taken > MAX_READIES_PER_DRIVE) {
                throw new IllegalStateException("n" + index + ": hasReady() still true after " + MAX_READIES_PER_DRIVE
                        + " Readies without an fsync in between: the replica never runs out of effects");
            }
            Ready ready = replica.ready();
            inFlight = ready;
            readyNo++;
            for (RaftMessage m : ready.sendNow()) {
                host.send(this, m);
            }
            for (RaftMessage m : ready.sendAfterPersist()) {
                if (sentEarly(m)) {
                    host.send(this, m);
                }
            }
            if (ready.mustPersist()) {
                host.persistLater(this, life, readyNo);
                return;
            }
            complete(host);
        }
    }

    /** The fsync of Ready {@code no} of life {@code forLife} completed; stale completions are ignored. */
    public boolean persistDone(long forLife, long no, Host host) {
        if (replica == null || forLife != life || inFlight == null || no != readyNo) {
            return false;
        }
        persist(inFlight, host);
        complete(host);
        return true;
    }

    public ProposeResult propose(ByteBuffer payload, int recordCount) {
        return replica.propose(payload, recordCount);
    }

    private void persist(Ready ready, Host host) {
        // The disk holds its own copy of the bytes, as a real one would.
        List<Entry> written = Wire.copy(ready.entries());
        storage.persist(new Ready(List.of(), ready.truncateFrom(), written, ready.hardState(), List.of(), List.of()));
        int first = durable.apply(ready.truncateFrom(), written);
        if (durable.end() != storage.endOffset()) {
            throw new IllegalStateException("n" + index + ": the harness's copy of the durable log ends at "
                    + durable.end() + " but the storage at " + storage.endOffset());
        }
        host.persisted(this, ready, first);
    }

    private void complete(Host host) {
        Ready ready = inFlight;
        for (RaftMessage m : ready.sendAfterPersist()) {
            if (!sentEarly(m)) {
                host.send(this, m);
            }
        }
        for (Entry e : ready.committed()) {
            host.applied(this, e);
        }
        inFlight = null;
        replica.advance(ready);
    }

    private boolean sentEarly(RaftMessage m) {
        switch (fault) {
            case ACK_BEFORE_FSYNC:
                return true;
            case UNPERSISTED_VOTE:
                return m instanceof RaftMessage.VoteResponse v && v.granted() && !v.preVote();
            default:
                return false;
        }
    }

    public int index() {
        return index;
    }

    public MemberId id() {
        return id;
    }

    public boolean up() {
        return replica != null;
    }

    /** How many times the node started: each start is a new RaftNode ("life") over the same storage. */
    public long life() {
        return life;
    }

    /** The live replica, or null while the node is down. */
    public Replica replica() {
        return replica;
    }

    public MemoryStorage storage() {
        return storage;
    }

    /** Mirror of {@link #storage()}'s entries, with prefix hashes for the checkers. */
    public LogView durable() {
        return durable;
    }

    /** The Ready taken and not yet advanced, or null. */
    public Ready inFlight() {
        return inFlight;
    }

    public long readyNo() {
        return readyNo;
    }
}
