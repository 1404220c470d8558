package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Assign;
import io.flotilla.jepsen.history.Fault;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryBuilder;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;
import io.flotilla.jepsen.history.Send;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * Generates the history of a correct log under concurrent clients, drawn from a seed: producers
 * whose sends land (acknowledged, or indeterminate) or not (failed, or indeterminate), control
 * entries leaving offset gaps, consumers polling from their position and sometimes seeking back,
 * faults starting and stopping, operations left open at the end, and final reads of the whole
 * log from every node (some failing, never node 0's). The checker must find nothing in it.
 */
final class CorrectLogRun {
    static final int NODES = 3;

    private enum Fate { OK, FAIL, INFO_LANDED, INFO_LOST }

    private static final class Client {
        final int process;
        final boolean producer;
        final int[] position;
        Send sending;
        Fate fate;
        boolean landed;
        long offset;
        Poll polling;
        Assign assigning;

        Client(int process, boolean producer, int partitions) {
            this.process = process;
            this.producer = producer;
            this.position = new int[partitions];
        }
    }

    private final Random random;
    private final HistoryBuilder history = new HistoryBuilder();
    private final List<List<Message>> logs = new ArrayList<>();
    private final long[] nextOffset;
    private final List<Client> clients = new ArrayList<>();
    private final List<Integer> paused = new ArrayList<>();
    private long nextValue;

    private CorrectLogRun(Random random) {
        this.random = random;
        int partitions = 1 + random.nextInt(3);
        nextOffset = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            logs.add(new ArrayList<>());
        }
        int producers = 1 + random.nextInt(4);
        for (int i = 0; i < producers; i++) {
            clients.add(new Client(1 + i, true, partitions));
        }
        int consumers = 1 + random.nextInt(3);
        for (int i = 0; i < consumers; i++) {
            clients.add(new Client(50 + i, false, partitions));
        }
        nextValue = random.nextInt(1000);
    }

    static List<HistoryEntry> generate(Random random) {
        CorrectLogRun run = new CorrectLogRun(random);
        int steps = 50 + random.nextInt(350);
        for (int i = 0; i < steps; i++) {
            run.step();
        }
        run.finalReads();
        return run.history.entries();
    }

    private void step() {
        if (random.nextInt(100) == 0) {
            nemesis();
        }
        Client c = clients.get(random.nextInt(clients.size()));
        if (c.producer) {
            produce(c);
        } else {
            consume(c);
        }
    }

    private void produce(Client c) {
        if (c.sending == null) {
            c.sending = Send.of(random.nextInt(logs.size()), nextValue++);
            int f = random.nextInt(100);
            c.fate = f < 70 ? Fate.OK : f < 80 ? Fate.FAIL : f < 90 ? Fate.INFO_LANDED : Fate.INFO_LOST;
            c.landed = false;
            history.invoke(c.process, c.sending);
            return;
        }
        boolean lands = c.fate == Fate.OK || c.fate == Fate.INFO_LANDED;
        if (lands && !c.landed) {
            c.offset = append(c.sending);
            c.landed = true;
            if (random.nextBoolean()) {
                return; // in the log before the client hears back: a consumer may read it first
            }
        }
        if (c.fate == Fate.OK) {
            history.complete(c.process, OpType.OK, c.sending.at(c.offset));
        } else {
            history.complete(c.process, c.fate == Fate.FAIL ? OpType.FAIL : OpType.INFO, c.sending);
        }
        c.sending = null;
    }

    private void consume(Client c) {
        if (c.polling != null) {
            int p = c.polling.partition();
            int f = random.nextInt(100);
            if (f < 85) {
                List<Message> log = logs.get(p);
                int end = Math.min(log.size(), c.position[p] + 1 + random.nextInt(6));
                history.complete(c.process, OpType.OK, new Poll(p, log.subList(c.position[p], end)));
                c.position[p] = end;
            } else {
                history.complete(c.process, f < 95 ? OpType.INFO : OpType.FAIL, c.polling);
            }
            c.polling = null;
        } else if (c.assigning != null) {
            int p = c.assigning.partition();
            c.position[p] = random.nextInt(logs.get(p).size() + 1);
            history.complete(c.process, OpType.OK, c.assigning);
            c.assigning = null;
        } else if (random.nextInt(100) < 7) {
            c.assigning = new Assign(random.nextInt(logs.size()));
            history.invoke(c.process, c.assigning);
        } else {
            c.polling = Poll.of(random.nextInt(logs.size()));
            history.invoke(c.process, c.polling);
        }
    }

    private long append(Send s) {
        int p = s.partition();
        if (random.nextInt(100) < 15) {
            nextOffset[p] += 1 + random.nextInt(2); // control entries: offsets no read returns
        }
        long offset = nextOffset[p]++;
        logs.get(p).add(new Message(offset, s.value()));
        return offset;
    }

    private void nemesis() {
        if (!paused.isEmpty() && random.nextBoolean()) {
            history.fault(Fault.Edge.STOP, "pause", paused.remove(0));
        } else if (random.nextBoolean()) {
            int node = random.nextInt(NODES);
            paused.add(node);
            history.fault(Fault.Edge.START, "pause", node);
        } else {
            history.fault(Fault.Edge.START, "partition", random.nextInt(NODES));
            history.fault(Fault.Edge.STOP, "partition");
        }
    }

    private void finalReads() {
        for (int p = 0; p < logs.size(); p++) {
            for (int node = 0; node < NODES; node++) {
                if (node > 0 && random.nextInt(10) == 0) {
                    history.invoke(100 + node, FinalRead.of(node, p)).complete(100 + node, OpType.FAIL, FinalRead.of(node, p));
                } else {
                    long[] pairs = logs.get(p).stream().flatMapToLong(m -> LongStream.of(m.offset(), m.value())).toArray();
                    history.finalRead(node, p, pairs);
                }
            }
        }
    }
}
