package io.flotilla.jepsen.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs each completion with its invocation, enforcing the rules of {@link Op}: one operation
 * at a time per process, completed with the same action.
 */
public final class Invocations {
    private final Map<Integer, HistoryLine> open = new HashMap<>();

    /**
     * Takes the next operation of the history: returns the invocation {@code op} completes, or
     * null if {@code op} is an invocation.
     *
     * @throws MalformedHistoryException if {@code op} breaks the rules
     */
    public HistoryLine accept(Op op, long line) {
        HistoryLine invoked = open.get(op.process());
        if (op.type() == OpType.INVOKE) {
            if (invoked != null) {
                throw new MalformedHistoryException(line, "process " + op.process() + " invokes a "
                        + op.action().kind().label() + " while its " + describe(invoked) + " is not completed (a process"
                        + " runs one operation at a time; a client that gives up on one completes it as info)");
            }
            open.put(op.process(), new HistoryLine(line, op));
            return null;
        }
        if (invoked == null) {
            throw new MalformedHistoryException(line, "process " + op.process() + " completes a "
                    + op.action().kind().label() + " it never invoked");
        }
        if (!sameOperation(((Op) invoked.entry()).action(), op.action())) {
            throw new MalformedHistoryException(line, "process " + op.process() + " completes " + op.action()
                    + " but invoked " + ((Op) invoked.entry()).action() + " at line " + invoked.line());
        }
        open.remove(op.process());
        return invoked;
    }

    /** The invocations not completed so far, in history order. */
    public List<HistoryLine> open() {
        List<HistoryLine> list = new ArrayList<>(open.values());
        list.sort(Comparator.comparingLong(HistoryLine::line));
        return list;
    }

    private static boolean sameOperation(Action invoked, Action completed) {
        if (invoked.kind() != completed.kind() || invoked.partition() != completed.partition()) {
            return false;
        }
        if (invoked instanceof Send s) {
            return s.value() == ((Send) completed).value();
        }
        return !(invoked instanceof FinalRead r) || r.node() == ((FinalRead) completed).node();
    }

    private static String describe(HistoryLine invoked) {
        return ((Op) invoked.entry()).action().kind().label() + " invoked at line " + invoked.line();
    }
}
