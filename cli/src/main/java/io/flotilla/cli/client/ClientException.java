package io.flotilla.cli.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ErrorsProto;
import io.flotilla.api.v1.LeaderHint;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A call the cluster refused or could not answer: the gRPC status code, the ErrorDetails the
 * broker attached (errors.proto), the node asked, and a one-line message a person can act on.
 */
public final class ClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final String REASON_PREFIX = "ERROR_REASON_";

    private final Status.Code code;
    private final transient List<ErrorDetail> details;
    private final transient HostPort node;
    private final boolean resentAfterUnknownOutcome;

    private ClientException(Status.Code code, List<ErrorDetail> details, HostPort node, String message,
            Throwable cause, boolean resentAfterUnknownOutcome) {
        super(message, cause);
        this.code = code;
        this.details = List.copyOf(details);
        this.node = node;
        this.resentAfterUnknownOutcome = resentAfterUnknownOutcome;
    }

    /** Reads the status and the ErrorDetails of a failed call to {@code node} (null when unknown). */
    public static ClientException from(Throwable failure, HostPort node) {
        if (failure instanceof ClientException known) {
            return known;
        }
        Status status = Status.fromThrowable(failure);
        com.google.rpc.Status rich = StatusProto.fromThrowable(failure);
        List<ErrorDetail> details = rich == null ? List.of() : unpack(rich.getDetailsList());
        return new ClientException(status.getCode(), details, node, describe(status, details, node), failure, false);
    }

    /** A failure reported inside an OK answer (one partition of a Produce). */
    public static ClientException fromDetail(ErrorDetail detail, HostPort node) {
        Status.Code code = Status.fromCodeValue(detail.getCode() != 0 ? detail.getCode() : codeOf(detail.getReason()))
                .getCode();
        Status status = code.toStatus().withDescription(detail.getMessage());
        return new ClientException(code, List.of(detail), node, describe(status, List.of(detail), node), null, false);
    }

    /** A failure found by the client itself, before or instead of a call. */
    public static ClientException local(Status.Code code, String message) {
        return new ClientException(code, List.of(), null, message, null, false);
    }

    public Status.Code code() {
        return code;
    }

    /** The ErrorDetails in the order the broker sent them; empty for statuses not from a broker. */
    public List<ErrorDetail> details() {
        return details;
    }

    /** The node the failed call went to; null when none was reached or it is unknown. */
    public HostPort node() {
        return node;
    }

    /** The first detail's reason; UNSPECIFIED without details. */
    public ErrorReason reason() {
        return details.isEmpty() ? ErrorReason.ERROR_REASON_UNSPECIFIED : details.get(0).getReason();
    }

    /** The detail about one partition, when the broker sent one. */
    public Optional<ErrorDetail> detailFor(String topic, int partition) {
        for (ErrorDetail d : details) {
            if (d.hasPartition() && d.getPartition() == partition && d.getTopic().equals(topic)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** The leader to redirect to, for NOT_LEADER and NOT_COORDINATOR. */
    public Optional<LeaderHint> leaderHint() {
        return details.isEmpty() || !details.get(0).hasLeader() ? Optional.empty()
                : Optional.of(details.get(0).getLeader());
    }

    /**
     * Whether repeating the call can succeed: the broker's word when it sent a detail, else
     * whether the connection failed ({@link #connectionFailed}). A call on a connection that
     * broke may have arrived; repeating it is safe with Flotilla's calls (a Produce is
     * deduplicated by its sequence; the others are reads, or answer what already happened).
     */
    public boolean retriable() {
        return details.isEmpty() ? connectionFailed() : details.get(0).getRetriable();
    }

    /**
     * The connection failed rather than the node answering: no detail (the broker sends one with
     * every refusal) and UNAVAILABLE (no connection, or it broke) or UNKNOWN (grpc-java's status
     * for a connection closed mid-call, as when the node is killed: "channel closed").
     */
    public boolean connectionFailed() {
        return details.isEmpty() && (code == Status.Code.UNAVAILABLE || code == Status.Code.UNKNOWN);
    }

    /**
     * Whether the call may have taken effect although it failed: this attempt's outcome is
     * unknown (the connection broke, the deadline passed, or the broker says its write was
     * proposed and may still commit: {@code outcome_unknown} in errors.proto), or this refusal
     * answers a resend of an attempt whose outcome was unknown. A commit refused as fenced after
     * its first attempt was cut off by a coordinator failover may have been applied by that
     * first attempt.
     */
    public boolean mayHaveTakenEffect() {
        return resentAfterUnknownOutcome || connectionFailed() || code == Status.Code.DEADLINE_EXCEEDED
                || (!details.isEmpty() && details.get(0).getOutcomeUnknown());
    }

    /** This failure, as the answer to a resend of an attempt whose outcome is unknown. */
    ClientException resentAfterUnknownOutcome() {
        return resentAfterUnknownOutcome ? this : new ClientException(code, details, node,
                getMessage() + "; an earlier attempt's outcome is unknown", this, true);
    }

    /** The broker's suggested pause before retrying; 0 for "use your own backoff". */
    public int retryAfterMs() {
        return details.isEmpty() ? 0 : details.get(0).getRetryAfterMs();
    }

    /** The reason's name as errors.proto spells it without its prefix ("NOT_LEADER"). */
    public static String reasonName(ErrorReason reason) {
        String name = reason == ErrorReason.UNRECOGNIZED ? "UNRECOGNIZED_REASON" : reason.name();
        return name.startsWith(REASON_PREFIX) ? name.substring(REASON_PREFIX.length()) : name;
    }

    /** The status code errors.proto gives the reason; UNKNOWN for a reason this client does not know. */
    private static int codeOf(ErrorReason reason) {
        return reason == ErrorReason.UNRECOGNIZED ? Status.Code.UNKNOWN.value()
                : reason.getValueDescriptor().getOptions().getExtension(ErrorsProto.statusCode);
    }

    private static List<ErrorDetail> unpack(List<Any> anys) {
        List<ErrorDetail> out = new ArrayList<>();
        for (Any any : anys) {
            if (any.is(ErrorDetail.class)) {
                try {
                    out.add(any.unpack(ErrorDetail.class));
                } catch (InvalidProtocolBufferException e) {
                    // a detail we cannot read is one we cannot act on: the code still tells what to do
                }
            }
        }
        return out;
    }

    private static String describe(Status status, List<ErrorDetail> details, HostPort node) {
        String at = node == null ? "" : node.toString();
        String description = oneLine(status.getDescription());
        if (!details.isEmpty()) {
            String text = description.isEmpty() ? oneLine(details.get(0).getMessage()) : description;
            return text + " (" + status.getCode() + " " + reasonName(details.get(0).getReason())
                    + (at.isEmpty() ? "" : " from " + at) + ")";
        }
        String cause = rootCause(status);
        return switch (status.getCode()) {
            case UNAVAILABLE -> "cannot reach " + (at.isEmpty() ? "the cluster" : at)
                    + (cause.isEmpty() ? "" : " (" + cause + ")")
                    + ": is the cluster running? Start one with 'flotilla local', or name its nodes with --bootstrap"
                    + " or " + Bootstrap.ENV;
            case DEADLINE_EXCEEDED -> (at.isEmpty() ? "the cluster" : at) + " did not answer before the deadline"
                    + (description.isEmpty() ? "" : " (" + description + ")");
            case UNIMPLEMENTED -> (at.isEmpty() ? "the server" : at) + " does not offer this call ("
                    + description + "): is it a Flotilla node of this version?";
            default -> status.getCode() + (description.isEmpty() ? "" : ": " + description)
                    + (cause.isEmpty() ? "" : " (" + cause + ")") + (at.isEmpty() ? "" : " from " + at);
        };
    }

    private static String rootCause(Status status) {
        Throwable t = status.getCause();
        if (t == null) {
            return "";
        }
        while (t.getCause() != null) {
            t = t.getCause();
        }
        // netty says "finishConnect(..) failed with error(-111): Connection refused": keep the last part
        String message = oneLine(t.getMessage());
        return message.substring(message.lastIndexOf(": ") + 1).strip();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
