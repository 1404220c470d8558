package io.flotilla.jepsen.history;

/** What an operation does: the same action appears in its invocation and in its completion. */
public sealed interface Action permits Send, Poll, Assign, FinalRead {

    /** The operation's function, named as the history file names it. */
    enum Kind {
        SEND, POLL, ASSIGN, FINAL_READ;

        public String label() {
            return Labels.of(this);
        }

        public static Kind fromLabel(String label) {
            return Labels.parse(Kind.class, label, "function");
        }
    }

    Kind kind();

    int partition();
}
