package io.flotilla.broker.node;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.SubscribeRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Subscribe call as a client sees it: the messages in arrival order, the bytes they took,
 * and how the stream ended. Reads as fast as messages come, or, paced, only as many as it
 * asks for with {@link #request} (grpc-java's manual flow control).
 */
final class TestSubscriber implements ClientResponseObserver<SubscribeRequest, FetchResponse> {
    private static final long WAIT_SECONDS = 20;

    /** Messages asked for at the start; negative: every message, as it comes. */
    private final int initialRequest;
    private final BlockingQueue<FetchResponse> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> end = new CompletableFuture<>();
    private final AtomicLong receivedBytes = new AtomicLong();
    private volatile ClientCallStreamObserver<SubscribeRequest> call;

    private TestSubscriber(int initialRequest) {
        this.initialRequest = initialRequest;
    }

    static TestSubscriber start(Channel channel, SubscribeRequest request) {
        return start(channel, request, -1);
    }

    /** A subscriber that reads {@code initial} messages, then only those it {@link #request}s. */
    static TestSubscriber paced(Channel channel, SubscribeRequest request, int initial) {
        return start(channel, request, initial);
    }

    private static TestSubscriber start(Channel channel, SubscribeRequest request, int initial) {
        TestSubscriber s = new TestSubscriber(initial);
        BrokerGrpc.newStub(channel).subscribe(request, s);
        return s;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
        call = requestStream;
        if (initialRequest >= 0) {
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }
    }

    @Override
    public void onNext(FetchResponse message) {
        receivedBytes.addAndGet(message.getSerializedSize());
        messages.add(message);
    }

    @Override
    public void onError(Throwable t) {
        end.complete(t);
    }

    @Override
    public void onCompleted() {
        end.complete(null);
    }

    void request(int count) {
        call.request(count);
    }

    void cancel() {
        call.cancel("the test is done with it", null);
    }

    /** Encoded bytes of the messages received so far. */
    long receivedBytes() {
        return receivedBytes.get();
    }

    /** The next message; fails if none comes within the wait. */
    FetchResponse next() {
        try {
            FetchResponse m = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT_SECONDS + " s; the stream "
                        + (end.isDone() ? "ended with " + end.getNow(null) : "is still open"));
            }
            return m;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Records from the messages to come, until one at {@code lastOffset} or beyond. */
    List<FetchedRecord> recordsThrough(long lastOffset) {
        List<FetchedRecord> out = new ArrayList<>();
        while (out.isEmpty() || out.get(out.size() - 1).getOffset() < lastOffset) {
            out.addAll(next().getRecordsList());
        }
        return out;
    }

    /** The status the stream ended with; fails if it ended with OK or did not end within the wait. */
    StatusRuntimeException awaitEnd() {
        Throwable t;
        try {
            t = end.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the stream did not end within " + WAIT_SECONDS + " s", e);
        }
        if (!(t instanceof StatusRuntimeException s)) {
            throw new AssertionError("the stream ended with " + (t == null ? "OK, which the server never sends" : t));
        }
        return s;
    }
}
