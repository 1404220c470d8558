package io.flotilla.cli.group;

import com.google.common.util.concurrent.ListenableFuture;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.ConsumerGroupsGrpc.ConsumerGroupsFutureStub;
import io.flotilla.cli.client.FlotillaClient;
import java.util.function.Function;

/** The calls about one group, which its coordinator answers (consumer_groups.proto, "Coordinator"). */
final class Coordinator {

    private Coordinator() {}

    /**
     * Asks any node for the group's coordinator (so an unreachable cluster fails fast), then runs
     * {@code call} there, following NOT_COORDINATOR should the coordinator move meanwhile.
     *
     * @throws io.flotilla.cli.client.ClientException the refusal, or why no coordinator answered
     */
    static <R> R call(FlotillaClient client, String groupId, Function<ConsumerGroupsFutureStub, ListenableFuture<R>> call) {
        client.findCoordinator(groupId);
        return FlotillaClient.await(client.callCoordinator(groupId,
                ch -> call.apply(ConsumerGroupsGrpc.newFutureStub(ch))));
    }
}
