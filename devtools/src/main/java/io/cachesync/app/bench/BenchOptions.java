package io.cachesync.app.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code cachesync bench} runs.
 *
 * @param events       change events pre-filled into the CDC topic the sync figures are measured on
 * @param syncRows     rows those events update, in turn (few rows: each changes several times per batch)
 * @param naiveSeconds longest the naive sink runs (it is measured over the events it applies in that time)
 * @param lagRates     committed rows per second of the lag figures
 * @param lagSeconds   measured seconds per lag rate (after a warm-up)
 * @param apiSeconds   seconds of load per API scenario
 * @param capacitySeconds measured seconds per rate of the capacity ladder
 * @param connections  HTTP connections the load generator keeps open
 * @param sections     which parts run: sync, lag, api, view (by default), capacity (only when asked for: it takes long)
 * @param report       also write the JSON here (may be null)
 * @param overrides    configuration keys set for every service the bench starts (e.g. sync.threads=2)
 */
public record BenchOptions(int events, int syncRows, int naiveSeconds, List<Integer> lagRates, int lagSeconds, int apiSeconds, int capacitySeconds, int connections,
                           Set<String> sections, Path report, java.util.Map<String, String> overrides) {
    /** The sections a bench runs when none are named. */
    public static final Set<String> ALL_SECTIONS = Set.of("sync", "lag", "api", "view");
    /** Every section, in the order they run (view last, on a devstack of its own). */
    public static final List<String> KNOWN_SECTIONS = List.of("lag", "sync", "api", "capacity", "view");
    /** The sections that share the first devstack (products and users only). */
    public static final Set<String> ENTITY_SECTIONS = Set.of("lag", "sync", "api", "capacity");
    public static final List<Integer> LAG_RATES = List.of(500, 2000, 5000);

    public boolean runs(String section) {
        return sections.contains(section);
    }

    /** Whether a section of the first devstack (lag, sync, api, capacity) runs. */
    public boolean runsEntitySections() {
        return sections.stream().anyMatch(ENTITY_SECTIONS::contains);
    }
}
