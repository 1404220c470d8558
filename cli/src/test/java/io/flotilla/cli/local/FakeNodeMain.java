package io.flotilla.cli.local;

import io.flotilla.cli.client.HostPort;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for {@code flotilla server} in launcher tests: accepts exactly the flags
 * {@code flotilla local} passes, prints them, and serves the standard health check until
 * stopped. System properties make it misbehave: {@code fake.failNode=N} makes node N exit with
 * code 3 at once; {@code fake.holdOnTerm=true} makes it ignore SIGTERM (a shutdown hook that
 * never returns), so only SIGKILL ends it.
 */
public final class FakeNodeMain {

    private FakeNodeMain() {}

    public static void main(String[] args) throws Exception {
        System.out.println("args: " + String.join(" ", args));
        if (args.length != 9 || !args[0].equals("server") || !args[1].equals("--node-id")
                || !args[3].equals("--data-dir") || !args[5].equals("--listen") || !args[7].equals("--cluster")) {
            System.out.println("unexpected arguments");
            System.exit(2);
        }
        int id = Integer.parseInt(args[2]);
        if (Integer.getInteger("fake.failNode", 0) == id) {
            System.out.println("node " + id + " fails on purpose");
            System.exit(3);
        }
        HostPort listen = HostPort.parse(args[6]);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()))
                .addService(new HealthStatusManager().getHealthService())
                .build()
                .start();
        if (Boolean.getBoolean("fake.holdOnTerm")) {
            CountDownLatch never = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        server.awaitTermination();
    }
}
