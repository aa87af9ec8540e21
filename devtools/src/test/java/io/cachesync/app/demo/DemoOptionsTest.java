package io.cachesync.app.demo;

import io.cachesync.devstack.StackProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's options: a rate of 0 is a quiet pipeline, anything below 0 (or not a number) is refused with the option's
 * name; {@code --stack} names one of the devstack's providers.
 */
class DemoOptionsTest {

    private static DemoOptions rates(double writeRate, double readRate) {
        return new DemoOptions(writeRate, readRate, 0, null, null, null);
    }

    @Test
    void zeroRatesMeanNoWriterAndNoReader() {
        DemoOptions quiet = rates(0, 0);
        assertThat(quiet.problem()).isEmpty();
        assertThat(quiet.writes()).isFalse();
        assertThat(quiet.reads()).isFalse();

        DemoOptions readsOnly = rates(0, 1000);
        assertThat(readsOnly.problem()).isEmpty();
        assertThat(readsOnly.writes()).isFalse();
        assertThat(readsOnly.reads()).isTrue();

        DemoOptions defaults = rates(200, 1000);
        assertThat(defaults.problem()).isEmpty();
        assertThat(defaults.writes()).isTrue();
        assertThat(defaults.reads()).isTrue();
    }

    @Test
    void negativeOrNonNumericRatesAreRefusedNamingTheOption() {
        assertThat(rates(-1, 0).problem()).contains("--write-rate must be in [0, 50000] (0: no writes), was -1");
        assertThat(rates(0, -5).problem()).contains("--read-rate must be in [0, 100000] (0: no reads), was -5");
        assertThat(rates(Double.NaN, 0).problem()).hasValueSatisfying(m -> assertThat(m).startsWith("--write-rate must be in"));
        assertThat(rates(0, Double.POSITIVE_INFINITY).problem()).hasValueSatisfying(m -> assertThat(m).startsWith("--read-rate must be in"));
        assertThat(rates(50_000.5, 0).problem()).contains("--write-rate must be in [0, 50000] (0: no writes), was 50000.5");
    }

    @Test
    void aQuietDemoStillNeedsADurationForAReport() {
        assertThat(new DemoOptions(0, 0, 0, null, Path.of("r.json"), null).problem()).contains("--report needs --duration: the summary is made after the run");
        assertThat(new DemoOptions(0, 0, 30, null, Path.of("r.json"), null).problem()).isEmpty();
        assertThat(new DemoOptions(0, 0, -1, null, null, null).problem()).contains("--duration must be 0 (until Ctrl-C) or a number of seconds, was -1");
    }

    private static DemoOptions stack(String stack) {
        return new DemoOptions(0, 0, 0, null, null, stack);
    }

    @Test
    void stackNamesAProviderInAnyCaseAndDefaultsToTheSetting() {
        assertThat(stack("embedded").provider()).isEqualTo(StackProvider.EMBEDDED);
        assertThat(stack("TestContainers").provider()).isEqualTo(StackProvider.TESTCONTAINERS);
        assertThat(stack("auto").provider()).isEqualTo(StackProvider.AUTO);
        assertThat(stack("auto").problem()).isEmpty();
        assertThat(stack(null).provider()).isEqualTo(StackProvider.configured());
    }

    @Test
    void anUnknownStackIsRefusedNamingTheAcceptedValues() {
        assertThat(stack("docker").problem()).contains("--stack must be one of embedded, testcontainers, auto, was 'docker'");
        assertThat(stack("").problem()).contains("--stack must be one of embedded, testcontainers, auto, was ''");
    }
}
