package io.flotilla.broker.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftEntry;
import io.flotilla.api.internal.v1.RaftMembership;
import io.flotilla.api.internal.v1.RaftPeerMessage;
import io.flotilla.api.internal.v1.RaftSnapshot;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@link RaftMessage}s to and from their protobuf form (raft_transport.proto). Payloads are
 * never copied: encoding wraps an entry's (or snapshot chunk's) buffer, which Raft never changes
 * once a message exists, and decoding hands out read-only views of the received bytes.
 * Decoding validates everything the wire can get wrong and throws
 * {@link InvalidRaftMessageException} naming the field. Stateless.
 */
public final class RaftMessageCodec {
    private RaftMessageCodec() {
    }

    /** One batch as sent: the messages in order; none for a liveness heartbeat. */
    public static RaftBatch encodeBatch(List<RaftMessage> batch) {
        RaftBatch.Builder b = RaftBatch.newBuilder();
        for (int i = 0; i < batch.size(); i++) {
            b.addMessages(encode(batch.get(i)));
        }
        return b.build();
    }

    public static RaftPeerMessage encode(RaftMessage m) {
        RaftPeerMessage.Builder b = RaftPeerMessage.newBuilder()
                .setGroupId(m.groupId())
                .setFromNodeId(m.from().nodeId())
                .setFromIncarnation(m.from().incarnation())
                .setToNodeId(m.to().nodeId())
                .setToIncarnation(m.to().incarnation())
                .setTerm(m.term());
        if (m instanceof RaftMessage.AppendRequest r) {
            RaftPeerMessage.AppendRequest.Builder a = RaftPeerMessage.AppendRequest.newBuilder()
                    .setPrevEnd(r.prevEnd()).setPrevTerm(r.prevTerm()).setCommitEnd(r.commitEnd()).setRound(r.round());
            for (Entry e : r.entries()) {
                a.addEntries(encode(e));
            }
            b.setAppendRequest(a);
        } else if (m instanceof RaftMessage.AppendResponse r) {
            b.setAppendResponse(RaftPeerMessage.AppendResponse.newBuilder().setSuccess(r.success())
                    .setMatchEnd(r.matchEnd()).setHintEnd(r.hintEnd()).setHintTerm(r.hintTerm()).setRound(r.round())
                    .setRecovering(r.recovering()));
        } else if (m instanceof RaftMessage.InstallSnapshot r) {
            b.setInstallSnapshot(RaftPeerMessage.InstallSnapshot.newBuilder().setSnapshot(encode(r.snapshot()))
                    .setPosition(r.position()).setData(UnsafeByteOperations.unsafeWrap(r.data())).setRound(r.round()));
        } else if (m instanceof RaftMessage.SnapshotResponse r) {
            b.setSnapshotResponse(RaftPeerMessage.SnapshotResponse.newBuilder().setEnd(r.end())
                    .setPosition(r.position()).setReceived(r.received()).setRound(r.round()));
        } else if (m instanceof RaftMessage.VoteRequest r) {
            b.setVoteRequest(RaftPeerMessage.VoteRequest.newBuilder().setLastEnd(r.lastEnd())
                    .setLastTerm(r.lastTerm()).setPreVote(r.preVote()).setTransfer(r.transfer()));
        } else if (m instanceof RaftMessage.VoteResponse r) {
            b.setVoteResponse(RaftPeerMessage.VoteResponse.newBuilder().setGranted(r.granted()).setPreVote(r.preVote()));
        } else if (m instanceof RaftMessage.TimeoutNow) {
            b.setTimeoutNow(RaftPeerMessage.TimeoutNow.getDefaultInstance());
        } else if (m instanceof RaftMessage.Quiesce r) {
            b.setQuiesce(RaftPeerMessage.Quiesce.newBuilder().setEnd(r.end()));
        } else {
            throw new IllegalStateException("no encoding for " + m.getClass().getName());
        }
        return b.build();
    }

    private static RaftEntry encode(Entry e) {
        return RaftEntry.newBuilder().setBaseOffset(e.baseOffset()).setCount(e.count()).setTerm(e.term())
                .setType(switch (e.type()) {
                    case DATA -> RaftEntry.Type.TYPE_DATA;
                    case NOOP -> RaftEntry.Type.TYPE_NOOP;
                    case MEMBERSHIP -> RaftEntry.Type.TYPE_MEMBERSHIP;
                })
                .setPayload(UnsafeByteOperations.unsafeWrap(e.payload()))
                .build();
    }

    private static RaftSnapshot encode(Snapshot s) {
        RaftMembership.Builder membership = RaftMembership.newBuilder();
        s.membership().voters().forEach(v -> membership.addVoters(identity(v)));
        s.membership().learners().forEach(l -> membership.addLearners(identity(l)));
        return RaftSnapshot.newBuilder().setEnd(s.end()).setTerm(s.term()).setMembership(membership)
                .setSizeBytes(s.sizeBytes()).build();
    }

    /** A member as common.proto's NodeIdentity. */
    static NodeIdentity identity(MemberId m) {
        return NodeIdentity.newBuilder().setNodeId(m.nodeId()).setIncarnation(m.incarnation()).build();
    }

    /**
     * The batch's messages, in order, as an unmodifiable list.
     *
     * @throws InvalidRaftMessageException naming the first invalid message and why
     */
    public static List<RaftMessage> decodeBatch(RaftBatch batch) {
        int n = batch.getMessagesCount();
        RaftMessage[] out = new RaftMessage[n];
        for (int i = 0; i < n; i++) {
            try {
                out[i] = decode(batch.getMessages(i));
            } catch (InvalidRaftMessageException e) {
                throw new InvalidRaftMessageException("message " + i + " of " + n + ": " + e.getMessage(), e);
            }
        }
        return List.of(out);
    }

    /**
     * @throws InvalidRaftMessageException if no kind is set or a field is out of range
     */
    public static RaftMessage decode(RaftPeerMessage p) {
        try {
            long groupId = p.getGroupId();
            MemberId from = member(p.getFromNodeId(), p.getFromIncarnation(), "from_node_id");
            MemberId to = member(p.getToNodeId(), p.getToIncarnation(), "to_node_id");
            long term = nonNegative(p.getTerm(), "term");
            return switch (p.getKindCase()) {
                case APPEND_REQUEST -> {
                    RaftPeerMessage.AppendRequest r = p.getAppendRequest();
                    yield new RaftMessage.AppendRequest(groupId, from, to, term, nonNegative(r.getPrevEnd(), "prev_end"),
                            nonNegative(r.getPrevTerm(), "prev_term"), entries(r.getEntriesList()),
                            nonNegative(r.getCommitEnd(), "commit_end"), nonNegative(r.getRound(), "round"));
                }
                case APPEND_RESPONSE -> {
                    RaftPeerMessage.AppendResponse r = p.getAppendResponse();
                    yield new RaftMessage.AppendResponse(groupId, from, to, term, r.getSuccess(),
                            nonNegative(r.getMatchEnd(), "match_end"), nonNegative(r.getHintEnd(), "hint_end"),
                            nonNegative(r.getHintTerm(), "hint_term"), nonNegative(r.getRound(), "round"),
                            r.getRecovering());
                }
                case INSTALL_SNAPSHOT -> {
                    RaftPeerMessage.InstallSnapshot r = p.getInstallSnapshot();
                    if (!r.hasSnapshot()) {
                        throw new IllegalArgumentException("install_snapshot has no snapshot");
                    }
                    yield new RaftMessage.InstallSnapshot(groupId, from, to, term, snapshot(r.getSnapshot()),
                            nonNegative(r.getPosition(), "position"), r.getData().asReadOnlyByteBuffer(),
                            nonNegative(r.getRound(), "round"));
                }
                case SNAPSHOT_RESPONSE -> {
                    RaftPeerMessage.SnapshotResponse r = p.getSnapshotResponse();
                    yield new RaftMessage.SnapshotResponse(groupId, from, to, term, nonNegative(r.getEnd(), "end"),
                            nonNegative(r.getPosition(), "position"), nonNegative(r.getReceived(), "received"),
                            nonNegative(r.getRound(), "round"));
                }
                case VOTE_REQUEST -> {
                    RaftPeerMessage.VoteRequest r = p.getVoteRequest();
                    yield new RaftMessage.VoteRequest(groupId, from, to, term, nonNegative(r.getLastEnd(), "last_end"),
                            nonNegative(r.getLastTerm(), "last_term"), r.getPreVote(), r.getTransfer());
                }
                case VOTE_RESPONSE -> new RaftMessage.VoteResponse(groupId, from, to, term,
                        p.getVoteResponse().getGranted(), p.getVoteResponse().getPreVote());
                case TIMEOUT_NOW -> new RaftMessage.TimeoutNow(groupId, from, to, term);
                case QUIESCE -> new RaftMessage.Quiesce(groupId, from, to, term,
                        nonNegative(p.getQuiesce().getEnd(), "end"));
                case KIND_NOT_SET -> throw new IllegalArgumentException("no message kind is set");
            };
        } catch (IllegalArgumentException e) {
            // Ours, or a Raft type's constructor refusing what the wire said (an entry type
            // with a count other than 1, an empty or overlapping membership).
            throw new InvalidRaftMessageException("group " + p.getGroupId() + ", " + kindName(p) + ": "
                    + e.getMessage(), e);
        }
    }

    private static String kindName(RaftPeerMessage p) {
        return p.getKindCase().name().toLowerCase(Locale.ROOT);
    }

    private static List<Entry> entries(List<RaftEntry> wire) {
        List<Entry> out = new ArrayList<>(wire.size());
        for (int i = 0; i < wire.size(); i++) {
            RaftEntry e = wire.get(i);
            String field = "entries[" + i + "]";
            Entry.Type type = switch (e.getType()) {
                case TYPE_DATA -> Entry.Type.DATA;
                case TYPE_NOOP -> Entry.Type.NOOP;
                case TYPE_MEMBERSHIP -> Entry.Type.MEMBERSHIP;
                case TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(field + ".type "
                        + e.getTypeValue() + " is not an entry type (1 DATA, 2 NOOP, 3 MEMBERSHIP)");
            };
            if (e.getCount() < 1) {
                throw new IllegalArgumentException(field + ".count must be >= 1, got " + e.getCount());
            }
            if (e.getTerm() < 1) {
                throw new IllegalArgumentException(field + ".term must be >= 1, got " + e.getTerm());
            }
            out.add(new Entry(nonNegative(e.getBaseOffset(), field + ".base_offset"), e.getCount(), e.getTerm(), type,
                    e.getPayload().asReadOnlyByteBuffer()));
        }
        return out;
    }

    private static Snapshot snapshot(RaftSnapshot s) {
        if (!s.hasMembership()) {
            throw new IllegalArgumentException("snapshot has no membership");
        }
        return new Snapshot(nonNegative(s.getEnd(), "snapshot.end"), nonNegative(s.getTerm(), "snapshot.term"),
                new Membership(members(s.getMembership().getVotersList(), "voters"),
                        members(s.getMembership().getLearnersList(), "learners")),
                nonNegative(s.getSizeBytes(), "snapshot.size_bytes"));
    }

    private static SortedSet<MemberId> members(List<NodeIdentity> wire, String field) {
        SortedSet<MemberId> out = new TreeSet<>();
        for (int i = 0; i < wire.size(); i++) {
            out.add(member(wire.get(i).getNodeId(), wire.get(i).getIncarnation(),
                    "membership." + field + "[" + i + "].node_id"));
        }
        return out;
    }

    private static MemberId member(int nodeId, long incarnation, String field) {
        if (nodeId < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + nodeId);
        }
        return new MemberId(nodeId, incarnation);
    }

    private static long nonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
        return value;
    }
}
