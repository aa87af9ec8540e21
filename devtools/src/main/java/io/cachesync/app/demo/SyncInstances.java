package io.cachesync.app.demo;

import io.cachesync.core.config.Settings;
import io.cachesync.core.consistency.Consistency;
import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.audit.ConsistencyAuditor;
import io.cachesync.sync.config.SyncConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's cache-sync instances ({@code --sync-instances}): one Kafka Streams application (one application id, so
 * they split the CDC partitions), each instance with its own state directory. The first reports to the demo's registry
 * (served with the API's /metrics); every other one to its own, served on its own free port. What the demo prints adds
 * them up.
 */
final class SyncInstances implements AutoCloseable {
    private final List<SyncService> instances = new ArrayList<>();
    private final List<MeterRegistry> registries = new ArrayList<>();

    /** Starts {@code n} instances with {@code settings}; the first one reports to {@code registry}. */
    static SyncInstances start(int n, Map<String, String> settings, Path stateDirs, MeterRegistry registry) {
        SyncInstances all = new SyncInstances();
        try {
            for (int i = 0; i < n; i++) {
                Map<String, String> m = new HashMap<>(settings);
                if (n > 1) {
                    m.put("sync.state-dir", stateDirs.resolve("sync-state-" + (i + 1)).toString());
                }
                if (i > 0) {
                    m.put("sync.http-port", "0");
                }
                SyncConfig config = SyncConfig.from(Settings.of(m));
                MeterRegistry own = i == 0 ? registry : Metrics.newRegistry();
                all.registries.add(own);
                all.instances.add(new SyncService(config, own).start());
            }
            return all;
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
    }

    /** Every instance, in start order. */
    List<SyncService> all() {
        return List.copyOf(instances);
    }

    /** Records applied, skipped as older or superseded in their batch, by every instance. */
    long processed() {
        return instances.stream().mapToLong(s -> s.stats().processed()).sum();
    }

    /** Records of {@code entity} (a table's or a view's) applied, skipped as older or superseded, by every instance. */
    long processed(String entity) {
        double sum = 0;
        for (MeterRegistry r : registries) {
            for (String name : MetricNames.EVENTS_PROCESSED) {
                FunctionCounter c = r.find(name).tag("entity", entity).functionCounter();
                sum += c == null ? 0 : c.count();
            }
        }
        return Math.round(sum);
    }

    long stale() {
        return instances.stream().mapToLong(s -> s.stats().stale()).sum();
    }

    long deadLettered() {
        return instances.stream().mapToLong(s -> s.stats().deadLetteredCount()).sum();
    }

    /** The lag since the last call, as the worst instance saw it: counts add up, percentiles and the maximum are the highest. */
    LagRecorder.Snapshot lagInterval() {
        return worst(instances.stream().map(s -> s.stats().lag().interval()).toList());
    }

    /** The lag since the start, as {@link #lagInterval()}. */
    LagRecorder.Snapshot lagTotal() {
        return worst(instances.stream().map(s -> s.stats().lag().total()).toList());
    }

    private static LagRecorder.Snapshot worst(List<LagRecorder.Snapshot> snapshots) {
        return new LagRecorder.Snapshot(snapshots.stream().mapToLong(LagRecorder.Snapshot::count).sum(),
                snapshots.stream().mapToLong(LagRecorder.Snapshot::p50).max().orElse(0),
                snapshots.stream().mapToLong(LagRecorder.Snapshot::p99).max().orElse(0),
                snapshots.stream().mapToLong(LagRecorder.Snapshot::max).max().orElse(0));
    }

    /** Sampled checks of every instance's live auditor that ended as {@code r}. */
    long audited(ConsistencyAuditor.Result r) {
        return instances.stream().mapToLong(s -> s.auditor().total(r)).sum();
    }

    long auditsJudged() {
        return instances.stream().mapToLong(s -> s.auditor().judged()).sum();
    }

    long auditsInconsistent() {
        return instances.stream().mapToLong(s -> s.auditor().inconsistent()).sum();
    }

    /** The consistency of every instance's sampled checks together, in nines. */
    double nines() {
        return Consistency.nines(auditsJudged(), auditsInconsistent());
    }

    /** Checks scheduled and not yet made, over every instance. */
    long auditsPending() {
        return instances.stream().mapToLong(s -> s.auditor().pending()).sum();
    }

    @Override
    public void close() {
        for (int i = instances.size() - 1; i >= 0; i--) {
            instances.get(i).close();
        }
    }
}
