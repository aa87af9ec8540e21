package io.cachesync.app.bench;

import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class CpuMeterTest {
    @Test
    void ticksAreUserPlusSystemTimeEvenWhenTheThreadNameHasSpacesAndParentheses() {
        // fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4711 (C2 CompilerThre) (x) R 1 1 1 0 -1 4194368 10 0 0 0 1234 56 0 0 20 0 1 0 99 0 0";

        assertThat(CpuMeter.ticks(stat)).isEqualTo(1290);
    }

    @Test
    void theLineNamesTheMachineTheJvmItsJitCompilerRedisAndTheRest() {
        CpuMeter meter = new CpuMeter(OptionalLong.of(ProcessHandle.current().pid()));
        CpuMeter.Sample from = meter.sample();
        long until = System.nanoTime() + 50_000_000L;
        long spin = 0;
        while (System.nanoTime() < until) {
            spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
        }

        assertThat(meter.since(from)).as("after spinning %d", spin)
                .matches("CPU: machine \\d+ % of \\d+00 % \\(JVM \\d+ %, of it JIT \\d+ %, redis-server \\d+ %, other \\d+ %\\)");
    }

    @Test
    void redisServersShareIsAbsentWhenItRunsInAContainer() {
        CpuMeter meter = new CpuMeter(OptionalLong.empty());
        CpuMeter.Sample from = meter.sample();
        CpuMeter.Sample to = new CpuMeter.Sample(from.nanos() + 1_000_000_000L, from.busy() + 50, from.total() + 200, from.jvm() + 30, from.jit(), 0);

        assertThat(meter.between(from, to)).matches("CPU: machine \\d+ % of \\d+00 % \\(JVM \\d+ %, of it JIT \\d+ %, redis-server absent, other \\d+ %\\)");
    }
}
