package io.flotilla.cli;

import io.flotilla.api.v1.Acks;

/** The choices of {@code --acks}, as typed. */
enum AcksChoice {
    quorum(Acks.ACKS_QUORUM), leader(Acks.ACKS_LEADER);

    private final Acks acks;

    AcksChoice(Acks acks) {
        this.acks = acks;
    }

    Acks acks() {
        return acks;
    }
}
