package io.flotilla.jepsen.brokersim;

import io.flotilla.jepsen.sim.DriverFault;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The broker's data path under generated fault schedules in the deterministic simulation: every
 * history must be free of anomalies and every replica set must converge after healing. See
 * {@link BrokerSimProperties} for the knobs, e.g. a long campaign:
 * <pre>./mvnw -B -pl jepsen-style-tests -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=BrokerSimulationTest -Dflotilla.brokersim.schedules=10000 -Dflotilla.brokersim.maxSeconds=36000</pre>
 */
class BrokerSimulationTest {
    @Test
    void generatedSchedulesShowNoAnomaly() {
        BrokerCampaign.Report report = BrokerSimProperties.campaign(DriverFault.NONE, 200);
        System.out.println(report.summary());
        if (!report.passed()) {
            System.out.println(report.failureReport());
            fail(report.failureReport());
        }
        assertTrue(report.runs() >= report.planned(), "only " + report.runs() + " of " + report.planned()
                + " schedules ran before -Dflotilla.brokersim.maxSeconds");
    }
}
