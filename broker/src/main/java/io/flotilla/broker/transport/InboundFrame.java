package io.flotilla.broker.transport;

import io.flotilla.api.internal.v1.SendBatchesRequest;

/**
 * One SendBatches message as received: parsed, or the reason it does not parse. Unparseable
 * bytes become a value rather than an exception so the stream survives them (gRPC would end the
 * call on a marshaller's exception).
 *
 * @param request    the frame, or null if it does not parse
 * @param sizeBytes  its encoded size
 * @param parseError why it does not parse, or null
 */
record InboundFrame(SendBatchesRequest request, int sizeBytes, String parseError) {
}
