package io.cachesync.app.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** wrk's summary is read with its units, and errors are counted. */
class WrkTest {
    private static final String OUTPUT = """
            Running 10s test @ http://127.0.0.1:41577
              2 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.45ms    1.20ms  40.12ms   88.10%
                Req/Sec    11.20k     1.01k   13.40k    70.50%
              Latency Distribution
                 50%  {P50}
                 75%    1.80ms
                 90%    2.40ms
                 99%  {P99}
              223456 requests in 10.00s, 61.23MB read
            {EXTRA}
            Requests/sec:  22345.60
            Transfer/sec:      6.12MB
            """;

    private static String output(String p50, String p99, String extra) {
        return OUTPUT.replace("{P50}", p50).replace("{P99}", p99).replace("{EXTRA}", extra);
    }

    @Test
    void readsRateAndPercentilesInEveryUnit() {
        BenchReport.Load l = Wrk.parse(output("655.00us", "1.20s", ""));
        assertThat(l.rps()).isEqualTo(22345.60);
        assertThat(l.requests()).isEqualTo(223456);
        assertThat(l.p50Ms()).isCloseTo(0.655, within(1e-9));
        assertThat(l.p99Ms()).isCloseTo(1200, within(1e-9));
        assertThat(l.errors()).isZero();
    }

    @Test
    void countsNon2xxAnswersAndSocketErrors() {
        BenchReport.Load l = Wrk.parse(output("1.10ms", "5.00ms",
                "  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 17"));
        assertThat(l.p50Ms()).isCloseTo(1.1, within(1e-9));
        assertThat(l.errors()).isEqualTo(27);
    }

    @Test
    void outputWithoutALatencyDistributionIsAnError() {
        assertThatThrownBy(() -> Wrk.parse("Requests/sec: 5.0\n10 requests in 1.00s"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no latency distribution");
    }
}
