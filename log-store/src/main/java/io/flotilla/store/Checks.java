package io.flotilla.store;

/** Argument checks shared by the value records and key encoders, so every rejection reads the same way. */
final class Checks {

    private Checks() {
    }

    static long nonNegative(String what, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
        return value;
    }
}
