package io.flotilla.broker.api;

import com.google.protobuf.Any;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ErrorsProto;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A failure the caller caused or must react to, as the public API reports it (errors.proto): a
 * status whose code comes from the first detail's reason, a one-line message, and one or more
 * {@link ErrorDetail}s. No stack trace: these are answers, not bugs.
 */
public final class ApiException extends RuntimeException {
    /** errors.proto bounds: 512 bytes per message, 3 KiB of encoded details (the first always goes). */
    static final int MAX_MESSAGE_BYTES = 512;
    static final int MAX_DETAIL_BYTES = 3 * 1024;

    private static final Set<ErrorReason> RETRIABLE = EnumSet.of(ErrorReason.ERROR_REASON_NOT_LEADER,
            ErrorReason.ERROR_REASON_NOT_COORDINATOR, ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE,
            ErrorReason.ERROR_REASON_GROUP_NOT_EMPTY, ErrorReason.ERROR_REASON_NOT_ENOUGH_NODES,
            ErrorReason.ERROR_REASON_NO_LEADER, ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT,
            ErrorReason.ERROR_REASON_NODE_NOT_READY, ErrorReason.ERROR_REASON_THROTTLED,
            ErrorReason.ERROR_REASON_GROUP_FULL, ErrorReason.ERROR_REASON_CORRUPT_DATA,
            ErrorReason.ERROR_REASON_INTERNAL_ERROR);

    private final List<ErrorDetail> details;

    private ApiException(String message, List<ErrorDetail> details) {
        super(message, null, false, false);
        this.details = List.copyOf(details);
    }

    /** One reason, one message. */
    public static ApiException of(ErrorReason reason, String message) {
        return new ApiException(message, List.of(detail(reason, message).build()));
    }

    /** A detail completed by the caller (topic, partition, leader, limits...). */
    public static ApiException of(ErrorDetail.Builder detail) {
        ErrorDetail d = detail.build();
        return new ApiException(d.getMessage(), List.of(d));
    }

    /** Several details of one check (e.g. one per misdirected partition), under one message. */
    public static ApiException of(String message, List<ErrorDetail> details) {
        if (details.isEmpty()) {
            throw new IllegalArgumentException("an API error needs at least one detail");
        }
        return new ApiException(message, details);
    }

    /**
     * This refusal, answering a write that was proposed and may still commit: each detail says
     * {@code outcome_unknown} (errors.proto).
     */
    public ApiException withOutcomeUnknown() {
        return new ApiException(getMessage(), details.stream()
                .map(d -> d.toBuilder().setOutcomeUnknown(true).build()).toList());
    }

    /** A detail with its reason, the reason's status code, retriability and a bounded message. */
    public static ErrorDetail.Builder detail(ErrorReason reason, String message) {
        return ErrorDetail.newBuilder()
                .setReason(reason)
                .setCode(codeOf(reason).value())
                .setMessage(truncate(message))
                .setRetriable(RETRIABLE.contains(reason));
    }

    /** The status code errors.proto declares for {@code reason} (its {@code status_code} option). */
    public static Status.Code codeOf(ErrorReason reason) {
        int code = reason.getValueDescriptor().getOptions().getExtension(ErrorsProto.statusCode);
        return Status.fromCodeValue(code).getCode();
    }

    public ErrorReason reason() {
        return details.get(0).getReason();
    }

    public List<ErrorDetail> details() {
        return details;
    }

    /** The first detail: what a Produce partition result carries. */
    public ErrorDetail detail() {
        return details.get(0);
    }

    /** The status to end the call with: details packed while they fit in the trailer budget. */
    public StatusRuntimeException toStatus() {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(codeOf(reason()).value());
        int budget = 0;
        int included = 0;
        for (ErrorDetail d : details) {
            Any packed = Any.pack(d);
            int size = packed.getSerializedSize() + 3;
            if (included > 0 && budget + size > MAX_DETAIL_BYTES) {
                break;
            }
            budget += size;
            status.addDetails(packed);
            included++;
        }
        String message = getMessage();
        if (included < details.size()) {
            message = message + " ... and " + (details.size() - included) + " more";
        }
        status.setMessage(truncate(message));
        return StatusProto.toStatusRuntimeException(status.build());
    }

    static String truncate(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_MESSAGE_BYTES) {
            return message;
        }
        int end = MAX_MESSAGE_BYTES - 3;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // never cut a UTF-8 sequence in half
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8) + "...";
    }
}
