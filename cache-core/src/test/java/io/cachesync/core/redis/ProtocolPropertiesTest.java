package io.cachesync.core.redis;

import io.cachesync.core.redis.ProtocolRun.Advance;
import io.cachesync.core.redis.ProtocolRun.Commit;
import io.cachesync.core.redis.ProtocolRun.Deliver;
import io.cachesync.core.redis.ProtocolRun.DeliverNext;
import io.cachesync.core.redis.ProtocolRun.Evict;
import io.cachesync.core.redis.ProtocolRun.Fill;
import io.cachesync.core.redis.ProtocolRun.Miss;
import io.cachesync.core.redis.ProtocolRun.ReadDb;
import io.cachesync.core.redis.ProtocolRun.Release;
import io.cachesync.core.redis.ProtocolRun.Rewind;
import io.cachesync.core.redis.ProtocolRun.Step;
import io.cachesync.devstack.DevRedis;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.cachesync.core.redis.ProtocolRun.LEASE_TTL;
import static io.cachesync.core.redis.ProtocolRun.VALUE_TTL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests of the cache protocol (DESIGN "The consistency protocol", rules 1-3) against a real
 * redis-server: random interleavings of CDC applies (duplicates, replays, older after newer), deletes, leases,
 * database reads, fills, releases and evictions of one row, checked against a model of the database
 * ({@link ProtocolRun}).
 *
 * <p>Where the interleavings come from decides what the protocol can promise:
 * <ul>
 *   <li>CDC in topic order with rewinds (what Kafka's per-key order and at-least-once redelivery produce) plus
 *       evictions: the key converges to the database's row ({@link #cacheConvergesToTheDatabaseOnceEveryChangeIsApplied}).</li>
 *   <li>CDC in any order without evictions: the stored version alone keeps the key right
 *       ({@link #versionedApplyToleratesAnyDeliveryOrderWhileTheKeyIsNotEvicted}).</li>
 *   <li>CDC in any order <em>and</em> evictions: the key can stay stale, because an eviction forgets the version
 *       that rejected older changes. The counter-examples are pinned below as examples.</li>
 *   <li>Whatever the order, a fill never overwrites what CDC wrote ({@link #aFillNeverOverwritesACdcWrittenValue}).</li>
 * </ul>
 */
class ProtocolPropertiesTest {

    private static final int MAX_STEPS = 40;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static Path workDir;
    private static DevRedis redis;
    private static RedisClient client;
    private static CacheStore store;

    @BeforeContainer
    static void startRedis() throws IOException {
        workDir = Files.createTempDirectory("cachesync-protocol-properties");
        redis = DevRedis.start(workDir.resolve("redis"));
        client = RedisConnections.client(URI.create(redis.url()), 4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
    }

    @AfterContainer
    static void stopRedis() {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.stop();
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Every try and every example works on a key of its own. */
    private static ProtocolRun newRun(String name) {
        return new ProtocolRun(store, "cs:t_" + name + ":" + RUNS.incrementAndGet());
    }

    // ------------------------------------------------------------------ properties

    /**
     * The property: once every CDC event is applied, the key equals the database's last value or is absent
     * (absent or a tombstone when the last write deleted the row). CDC comes in topic order with rewinds, so
     * duplicates and older-after-newer replays happen, each replay going on in order from where it restarted.
     * Convergence is checked when the consumer has caught up and again after each later step of readers still in
     * flight (their leases and database reads possibly older than the catch-up) and of evictions.
     */
    @Property(tries = 200)
    void cacheConvergesToTheDatabaseOnceEveryChangeIsApplied(@ForAll("kafkaOrderedSteps") List<Step> steps,
                                                             @ForAll("afterCatchUp") List<Step> afterCatchUp) {
        ProtocolRun run = newRun("converges").play(steps).drainToEndOfLog();

        run.playStayingConverged(afterCatchUp);

        Statistics.label("final entry").collect(run.finalShape());
        Statistics.label("a fill was kept").collect(run.fillsKept > 0);
        Statistics.label("a stale fill was dropped").collect(run.staleFillsDropped > 0);
        Statistics.label("an older change was applied after a newer one").collect(run.olderAppliedAfterNewer > 0);
        Statistics.label("a fill was kept after the catch-up").collect(run.fillsKeptAfterCatchUp > 0);
        Statistics.label("a fill leased before the catch-up was dropped after it").collect(run.fillsFromBeforeCatchUpDropped > 0);
        // the generators must reach the interesting interleavings (thresholds far below the observed rates)
        Statistics.label("final entry").coverage(c -> {
            c.check("PRESENT by cdc").percentage(p -> p > 5);
            c.check("TOMBSTONE by cdc").percentage(p -> p > 2);
        });
        Statistics.label("a stale fill was dropped").coverage(c -> c.check(true).percentage(p -> p > 10));
        Statistics.label("an older change was applied after a newer one").coverage(c -> c.check(true).percentage(p -> p > 3));
        Statistics.label("a fill was kept after the catch-up").coverage(c -> c.check(true).percentage(p -> p > 3));
        Statistics.label("a fill leased before the catch-up was dropped after it").coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    /**
     * Rule 1 on its own: without evictions, the stored version rejects every older change, so CDC may arrive in any
     * order at all (here: each change at least once, then every change not applied yet in commit order).
     */
    @Property(tries = 200)
    void versionedApplyToleratesAnyDeliveryOrderWhileTheKeyIsNotEvicted(@ForAll("anyOrderStepsWithoutEviction") List<Step> steps) {
        ProtocolRun run = newRun("anyorder").play(steps).drainUndelivered();

        run.assertConvergedToDatabase();

        Statistics.label("final entry").collect(run.finalShape());
        Statistics.label("an older change was applied after a newer one").collect(run.olderAppliedAfterNewer > 0);
        Statistics.label("an older change was applied after a newer one").coverage(c -> c.check(true).percentage(p -> p > 15));
    }

    /**
     * A fill never overwrites a CDC-written value: whenever the stored origin is {@code fill}, no CDC apply happened
     * since the key was last gone, i.e. the fill's lease was never removed; and a kept fill's lease saw no apply and
     * no eviction. Checked after every step, for CDC in any order mixed with evictions.
     */
    @Property(tries = 200)
    void aFillNeverOverwritesACdcWrittenValue(@ForAll("anyOrderSteps") List<Step> steps,
                                              @ForAll("afterCatchUp") List<Step> afterCatchUp) {
        ProtocolRun run = newRun("fillnevercdc").play(steps).drainUndelivered().play(afterCatchUp);

        if ("fill".equals(run.origin())) {
            assertThat(run.entry().version()).isEqualTo("0");
        }

        Statistics.label("origin at the end").collect(String.valueOf(run.origin()));
        Statistics.label("a fill was kept").collect(run.fillsKept > 0);
        Statistics.label("a stale fill was dropped").collect(run.staleFillsDropped > 0);
        Statistics.label("a fill was kept").coverage(c -> c.check(true).percentage(p -> p > 4));
        Statistics.label("a stale fill was dropped").coverage(c -> c.check(true).percentage(p -> p > 10));
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<Step>> kafkaOrderedSteps() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, commits()),
                Tuple.of(4, Arbitraries.just(new DeliverNext()).map(Step.class::cast)),
                Tuple.of(1, rewinds()),
                Tuple.of(8, reader().map(r -> (Step) new Advance(r))),
                Tuple.of(1, reader().map(r -> (Step) new Release(r))),
                Tuple.of(2, Arbitraries.just(new Evict()).map(Step.class::cast))
        ).list().ofMaxSize(MAX_STEPS).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Step>> anyOrderStepsWithoutEviction() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, commits()),
                Tuple.of(2, Arbitraries.just(new DeliverNext()).map(Step.class::cast)),
                Tuple.of(3, anyDelivery()),
                Tuple.of(1, rewinds()),
                Tuple.of(8, reader().map(r -> (Step) new Advance(r))),
                Tuple.of(1, reader().map(r -> (Step) new Release(r)))
        ).list().ofMaxSize(MAX_STEPS).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Step>> anyOrderSteps() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, commits()),
                Tuple.of(2, Arbitraries.just(new DeliverNext()).map(Step.class::cast)),
                Tuple.of(2, anyDelivery()),
                Tuple.of(1, rewinds()),
                Tuple.of(8, reader().map(r -> (Step) new Advance(r))),
                Tuple.of(1, reader().map(r -> (Step) new Release(r))),
                Tuple.of(2, Arbitraries.just(new Evict()).map(Step.class::cast))
        ).list().ofMaxSize(MAX_STEPS).withSizeDistribution(RandomDistribution.uniform());
    }

    /** What can still happen once every change has been applied: in-flight readers and evictions, no commits. */
    @Provide
    Arbitrary<List<Step>> afterCatchUp() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, reader().map(r -> (Step) new Advance(r))),
                Tuple.of(1, reader().map(r -> (Step) new Release(r))),
                Tuple.of(2, Arbitraries.just(new Evict()).map(Step.class::cast))
        ).list().ofMaxSize(15).withSizeDistribution(RandomDistribution.uniform());
    }

    /** Version gaps up to 999, so versions cross decimal lengths (9 to 10, 999 to 1000) as LSNs do. */
    private static Arbitrary<Step> commits() {
        return Combinators.combine(Arbitraries.longs().between(1, 999), Arbitraries.of(false, false, true))
                .as((gap, delete) -> (Step) new Commit(gap, delete));
    }

    private static Arbitrary<Step> rewinds() {
        return Arbitraries.integers().between(1, 5).map(back -> (Step) new Rewind(back));
    }

    private static Arbitrary<Step> anyDelivery() {
        return Arbitraries.integers().between(0, MAX_STEPS - 1).map(pick -> (Step) new Deliver(pick));
    }

    private static Arbitrary<Integer> reader() {
        return Arbitraries.integers().between(0, ProtocolRun.READERS - 1);
    }

    // ------------------------------------------------------------------ counter-examples: CDC out of topic order + eviction
    //
    // With CDC in any order and evictions, "once every CDC event is applied the key equals the database" does not hold:
    // an eviction (TTL expiry, maxmemory) forgets the stored version, so the next older change finds no version to
    // lose against and is written. Kafka's per-key order rules these interleavings out for a single consumer: a first
    // delivery is never out of order, and a replay of an older change is followed by the replay of every newer one.
    // They remain reachable when a writer applies changes outside that order (a zombie cache-sync instance that lost
    // its partition flushing a pipeline late, a replay tool re-sending single old records) and the key is evicted in
    // between. These examples pin today's behaviour; if the protocol gains a version floor that survives evictions,
    // they fail and should become convergence checks.

    /** Shrunk by jqwik from the model: [commit, commit, deliver(#2), evict], then the drain applies #1. */
    @Example
    void changeDeliveredOutOfOrderOntoAnEvictedKeyStaysStale() {
        ProtocolRun run = newRun("outoforder").play(
                new Commit(100, false), new Commit(100, false),
                new Deliver(1), new Evict());

        run.drainUndelivered();

        assertThat(run.databaseRow()).isEqualTo("{\"id\":1,\"n\":2}");
        assertThat(run.entry()).as("stale: #1 landed on the evicted key and nothing newer follows")
                .isEqualTo(CacheEntry.present("100", "{\"id\":1,\"n\":1}"));
    }

    @Example
    void olderChangeReplayedOntoAnEvictedKeyStaysStale() {
        ProtocolRun run = newRun("replayevicted").play(
                new Commit(100, false), new Commit(100, false),
                new DeliverNext(), new DeliverNext(), new Evict(),
                new Deliver(0));

        run.drainUndelivered(); // nothing left: both changes were applied

        assertThat(run.entry()).as("stale: the replayed #1 won over an empty key")
                .isEqualTo(CacheEntry.present("100", "{\"id\":1,\"n\":1}"));
    }

    @Example
    void olderChangeReplayedOverAFillOfTheCurrentRowStaysStale() {
        ProtocolRun run = newRun("replayfill").play(
                new Commit(100, false), new Commit(100, false),
                new DeliverNext(), new DeliverNext(), new Evict(),
                new Miss(0), new ReadDb(0), new Fill(0));
        assertThat(run.entry()).as("the fill of the current row").isEqualTo(CacheEntry.present("0", "{\"id\":1,\"n\":2}"));

        run.play(new Deliver(0));

        assertThat(run.entry()).as("stale: every version is > 0, so the replayed #1 wins over the correct fill")
                .isEqualTo(CacheEntry.present("100", "{\"id\":1,\"n\":1}"));
    }

    /** The same replay in topic order, as Kafka redelivers it: stale only until the replay reaches #2. */
    @Example
    void replayInTopicOrderAfterAnEvictionConvergesAgain() {
        ProtocolRun run = newRun("orderedreplay").play(
                new Commit(100, false), new Commit(100, false),
                new DeliverNext(), new DeliverNext(), new Evict(),
                new Miss(0), new ReadDb(0), new Fill(0),
                new Rewind(2), new DeliverNext());
        assertThat(run.entry()).as("in flight").isEqualTo(CacheEntry.present("100", "{\"id\":1,\"n\":1}"));

        run.drainToEndOfLog();

        assertThat(run.entry()).isEqualTo(CacheEntry.present("200", "{\"id\":1,\"n\":2}"));
        run.assertConvergedToDatabase();
    }

    /**
     * Why the generators only let a reader read the database after its lease (as ReadThroughCache does): a read taken
     * before the lease can be older than a change that was applied and then evicted, and nothing is left to correct
     * the fill.
     */
    @Example
    void fillOfADatabaseReadTakenBeforeTheLeaseCanPinAStaleRow() {
        String k = "cs:t_readbeforelease:" + RUNS.incrementAndGet();
        String readEarly = "{\"id\":1,\"n\":1}"; // the database row when the reader queried it
        store.apply(k, "100", readEarly, VALUE_TTL);
        store.apply(k, "200", "{\"id\":1,\"n\":2}", VALUE_TTL); // committed after the read, applied
        client.del(k); // evicted

        assertThat(store.lease(k, "late-lease", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(store.fill(k, "late-lease", readEarly, VALUE_TTL)).isTrue();

        assertThat(store.read(k)).as("stale #1 until its TTL; the protocol cannot see that the read predates the lease")
                .isEqualTo(CacheEntry.present("0", readEarly));
    }
}
