package io.flotilla.jepsen.history;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the history file names enum constants: lower case, dashes for underscores ({@code final-read}). */
final class Labels {
    private Labels() {
    }

    static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static <E extends Enum<E>> E parse(Class<E> type, String label, String what) {
        E[] constants = type.getEnumConstants();
        for (E e : constants) {
            if (of(e).equals(label)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " \"" + label + "\" ("
                + Arrays.stream(constants).map(Labels::of).collect(Collectors.joining(", ")) + ")");
    }
}
