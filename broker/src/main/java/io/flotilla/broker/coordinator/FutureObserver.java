package io.flotilla.broker.coordinator;

import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;

/** A unary call's answer as a future: what one node's call to another completes with. */
final class FutureObserver<T> implements StreamObserver<T> {
    private final CompletableFuture<T> answer = new CompletableFuture<>();

    CompletableFuture<T> answer() {
        return answer;
    }

    @Override
    public void onNext(T value) {
        answer.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        answer.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        // a unary answer came in onNext
    }
}
