package io.flotilla.jepsen.sim;

import java.util.random.RandomGenerator;

/** An inclusive range of milliseconds, written {@code min-max}. */
public record Range(int min, int max) {
    public Range {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("bad range " + min + "-" + max);
        }
    }

    public int draw(RandomGenerator random) {
        return min == max ? min : min + random.nextInt(max - min + 1);
    }

    public static Range parse(String text) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            int v = Integer.parseInt(text);
            return new Range(v, v);
        }
        return new Range(Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
    }

    @Override
    public String toString() {
        return min + "-" + max;
    }
}
