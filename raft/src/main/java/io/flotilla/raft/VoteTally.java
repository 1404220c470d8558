package io.flotilla.raft;

import java.util.HashMap;
import java.util.Map;

/** The answers a (pre-)candidate collected; only voters' answers count. */
final class VoteTally {
    enum Outcome { PENDING, WON, LOST }

    private final Map<MemberId, Boolean> answers = new HashMap<>();

    void record(MemberId voter, boolean granted) {
        answers.putIfAbsent(voter, granted);
    }

    Outcome outcome(Membership membership) {
        int granted = 0;
        int rejected = 0;
        for (Map.Entry<MemberId, Boolean> answer : answers.entrySet()) {
            if (membership.isVoter(answer.getKey())) {
                if (answer.getValue()) {
                    granted++;
                } else {
                    rejected++;
                }
            }
        }
        if (granted >= membership.quorum()) {
            return Outcome.WON;
        }
        return rejected > membership.voters().size() - membership.quorum() ? Outcome.LOST : Outcome.PENDING;
    }
}
