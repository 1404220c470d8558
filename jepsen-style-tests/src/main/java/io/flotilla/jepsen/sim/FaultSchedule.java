package io.flotilla.jepsen.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The faults of one run, in time order (ties keep their listed order). */
public record FaultSchedule(List<TimedFault> faults) {
    public static final FaultSchedule NONE = new FaultSchedule(List.of());

    public FaultSchedule {
        List<TimedFault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingLong(TimedFault::atMs));
        faults = List.copyOf(sorted);
    }

    public int size() {
        return faults.size();
    }

    public FaultSchedule without(int index) {
        List<TimedFault> rest = new ArrayList<>(faults);
        rest.remove(index);
        return new FaultSchedule(rest);
    }

    public FaultSchedule with(int index, TimedFault replacement) {
        List<TimedFault> changed = new ArrayList<>(faults);
        changed.set(index, replacement);
        return new FaultSchedule(changed);
    }

    /** The faults strictly before {@code ms}. */
    public FaultSchedule before(long ms) {
        return new FaultSchedule(faults.stream().filter(f -> f.atMs() < ms).toList());
    }

    public Map<FaultKind, Integer> countsByKind() {
        Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
        for (TimedFault f : faults) {
            counts.merge(f.fault().kind(), 1, Integer::sum);
        }
        return counts;
    }

    /** {@code 120@crash:1:300,450@split:0.1}, or {@code -} when empty. */
    public String encode() {
        if (faults.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (TimedFault f : faults) {
            sb.append(sb.length() == 0 ? "" : ",").append(f.encode());
        }
        return sb.toString();
    }

    public static FaultSchedule parse(String text) {
        if (text.isEmpty() || text.equals("-")) {
            return NONE;
        }
        List<TimedFault> faults = new ArrayList<>();
        for (String f : text.split(",")) {
            faults.add(TimedFault.parse(f.trim()));
        }
        return new FaultSchedule(faults);
    }

    /** One fault per line, for reports. */
    public String describe() {
        if (faults.isEmpty()) {
            return "  (no faults)\n";
        }
        StringBuilder sb = new StringBuilder();
        for (TimedFault f : faults) {
            sb.append(String.format("  %6d ms  %s%n", f.atMs(), f.fault().encode()));
        }
        return sb.toString();
    }
}
