package io.cachesync.devtools;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The devtools command line: demo and bench besides the service commands; bad input is a usage error before anything starts. */
class DevtoolsCliTest {
    record Run(int code, String err, String out) {
    }

    static Run run(String... args) {
        CommandLine cl = DevtoolsCli.commandLine();
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute(args);
        return new Run(code, err.toString(), out.toString());
    }

    @Test
    void listsDemoAndBenchFirstThenTheServiceCommands() {
        Run r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("name a command: demo, bench, verify, warm, ingest, sync, api or example-config");
        assertThat(run("api", "--print-config-keys").code()).isZero();
        assertThat(run("demo", "--log-level", "WARN", "--help").code()).isZero();
    }

    @Test
    void demoRejectsBadRatesAndAReportWithoutDuration() {
        assertThat(run("demo", "--write-rate", "abc").code()).isEqualTo(2);
        Run negative = run("demo", "--read-rate", "-5");
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err()).contains("--read-rate must be in [0, 100000] (0: no reads), was -5");
        Run negativeWrites = run("demo", "--write-rate", "-0.5", "--read-rate", "0");
        assertThat(negativeWrites.code()).isEqualTo(2);
        assertThat(negativeWrites.err()).contains("--write-rate must be in [0, 50000] (0: no writes), was -0.5");
        Run report = run("demo", "--report", "r.json");
        assertThat(report.code()).isEqualTo(2);
        assertThat(report.err()).contains("--report needs --duration");
        Run stack = run("demo", "--stack", "docker");
        assertThat(stack.code()).isEqualTo(2);
        assertThat(stack.err()).contains("--stack must be one of embedded, testcontainers, auto, was 'docker'");
    }

    @Test
    void benchRejectsUnknownSectionsAndTooFewEvents() {
        Run sections = run("bench", "--sections", "sync,disk");
        assertThat(sections.code()).isEqualTo(2);
        assertThat(sections.err()).contains("--sections: unknown [disk]; choose from lag, sync, api, capacity");
        Run capacity = run("bench", "--sections", "capacity", "--capacity-seconds", "0");
        assertThat(capacity.code()).isEqualTo(2);
        assertThat(capacity.err()).contains("--capacity-seconds must be at least 1");
        Run events = run("bench", "--events", "5");
        assertThat(events.code()).isEqualTo(2);
        assertThat(events.err()).contains("--events must be in [10000, 50000000], was 5");
        assertThat(run("bench", "--connections", "0").err()).contains("--connections must be in [1, 1024]");
    }
}
