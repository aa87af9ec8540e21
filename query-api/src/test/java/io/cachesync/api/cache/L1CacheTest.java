package io.cachesync.api.cache;

import io.cachesync.api.testing.FakeTicker;
import io.cachesync.core.redis.CacheEntry;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class L1CacheTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    final CacheEntry v1 = CacheEntry.present("100", "{\"n\":1}");
    final FakeTicker ticker = new FakeTicker();

    /** An L1 whose subscription is up and has heard a first message. */
    L1Cache live() {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, ticker);
        l1.subscribed();
        l1.heard();
        return l1;
    }

    @Test
    void entryReadBeforeAnInvalidationIsNotCachedAfterIt() {
        L1Cache l1 = live();
        long ticket = l1.ticket();          // reader starts, reads Redis (old value)
        l1.invalidate("cs:p:1");            // the push for a newer write arrives meanwhile
        l1.put("cs:p:1", v1, ticket);       // the reader would now cache the old value
        assertThat(l1.get("cs:p:1")).isNull();
    }

    @Test
    void entryReadAfterTheInvalidationIsCached() {
        L1Cache l1 = live();
        l1.invalidate("cs:p:1");
        long ticket = l1.ticket();
        l1.put("cs:p:1", v1, ticket);
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
        l1.invalidate("cs:p:1");
        assertThat(l1.get("cs:p:1")).isNull();
    }

    @Test
    void anInvalidationIsRememberedHoweverManyOthersFollowIt() {
        // many more invalidations than the L1 holds entries, all while readers of those keys are in flight: a bounded
        // record of invalidations would have forgotten most of them by the time the readers put their old values
        L1Cache l1 = live();
        long ticket = l1.ticket();
        int keys = 20_000;
        for (int i = 0; i < keys; i++) {
            l1.invalidate("cs:p:" + i);
        }
        List<String> landed = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            l1.put("cs:p:" + i, v1, ticket);
            if (l1.get("cs:p:" + i) != null) {
                landed.add("cs:p:" + i);
            }
        }
        assertThat(landed).as("stale entries let into the L1").isEmpty();
    }

    @Test
    void withoutALiveSubscriptionTheL1IsBypassed() {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, ticker);
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isNull();
        l1.subscribed();
        l1.heard();
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
        l1.unsubscribed();                   // subscription lost: everything goes, nothing is served
        assertThat(l1.get("cs:p:1")).isNull();
        assertThat(l1.inUse()).isFalse();
    }

    @Test
    void aNewSubscriptionIsNotTrustedBeforeItsFirstMessage() {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, ticker);
        l1.subscribed();                     // subscribed, but cache-sync may not be running
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isNull();
        assertThat(l1.inUse()).isFalse();
        l1.heard();
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
    }

    @Test
    void aLostSubscriptionDropsReadsThatStartedBeforeIt() {
        L1Cache l1 = live();
        long ticket = l1.ticket();
        l1.unsubscribed();
        l1.subscribed();
        l1.heard();
        l1.put("cs:p:2", v1, ticket);
        assertThat(l1.get("cs:p:2")).isNull();
    }

    @Test
    void messagesWithinTheTimeoutKeepTheL1InUse() {
        L1Cache l1 = live();
        l1.put("cs:p:1", v1, l1.ticket());
        ticker.advance(Duration.ofSeconds(4));
        l1.heard();
        ticker.advance(Duration.ofSeconds(4));   // 8 s since the first message, 4 s since the last
        assertThat(l1.inUse()).isTrue();
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
    }

    @Test
    void silenceLongerThanTheTimeoutBypassesTheL1() {
        L1Cache l1 = live();
        l1.put("cs:p:1", v1, l1.ticket());
        ticker.advance(TIMEOUT);
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
        ticker.advance(Duration.ofMillis(1));
        assertThat(l1.inUse()).isFalse();
        assertThat(l1.get("cs:p:1")).isNull();
        l1.put("cs:p:2", v1, l1.ticket());        // not filled either
        assertThat(l1.size()).isEqualTo(1);
    }

    @Test
    void afterASilenceTheL1RestartsEmpty() {
        L1Cache l1 = live();
        l1.put("cs:p:1", v1, l1.ticket());
        ticker.advance(Duration.ofSeconds(6));
        l1.heard();                                  // pushes are back: what came in between is unknown
        assertThat(l1.inUse()).isTrue();
        assertThat(l1.get("cs:p:1")).isNull();
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
    }

    @Test
    void aReadThatStartedBeforeASilenceIsNotCachedAfterIt() {
        L1Cache l1 = live();
        long ticket = l1.ticket();
        ticker.advance(Duration.ofSeconds(6));
        l1.heard();
        l1.put("cs:p:1", v1, ticket);
        assertThat(l1.get("cs:p:1")).isNull();
    }

    @Test
    void absentEntriesAreNeverCachedAndZeroSizeDisablesIt() {
        L1Cache l1 = live();
        l1.put("cs:p:3", CacheEntry.ABSENT, l1.ticket());
        assertThat(l1.get("cs:p:3")).isNull();
        L1Cache off = new L1Cache(0, Duration.ofSeconds(2), TIMEOUT, ticker);
        off.subscribed();
        off.heard();
        off.put("cs:p:3", v1, off.ticket());
        assertThat(off.get("cs:p:3")).isNull();
        assertThat(off.enabled()).isFalse();
        assertThat(off.inUse()).isFalse();
    }

    /**
     * Any interleaving of reads (ticket, then later the put of the value read), writes (each pushing its invalidation)
     * and losses of the subscription, with four slots for eight keys so that keys share slots: the L1 never answers
     * with a value older than the key's last write.
     */
    @Property(tries = 500)
    void theL1NeverServesAValueOlderThanTheLastWrite(@ForAll @Size(max = 300) List<@IntRange(min = 0, max = 39) Integer> steps) {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, ticker, 4);
        l1.subscribed();
        l1.heard();
        int[] version = new int[8];
        List<long[]> reads = new ArrayList<>();      // {key, ticket, version read}
        for (int step : steps) {
            int key = step / 5;
            switch (step % 5) {
                case 0 -> reads.add(new long[] {key, l1.ticket(), version[key]});
                case 1 -> {
                    version[key]++;
                    l1.invalidate("cs:p:" + key);
                }
                case 2 -> {
                    if (!reads.isEmpty()) {
                        long[] r = reads.remove(key % reads.size());
                        l1.put("cs:p:" + r[0], CacheEntry.present(Long.toString(r[2]), "{}"), r[1]);
                    }
                }
                case 3 -> {
                    l1.unsubscribed();
                    l1.subscribed();
                    l1.heard();
                }
                default -> {
                    ticker.advance(Duration.ofSeconds(key));  // up to 7 s: sometimes a silence
                    l1.heard();
                }
            }
            for (int k = 0; k < version.length; k++) {
                CacheEntry e = l1.get("cs:p:" + k);
                if (e != null) {
                    assertThat(Integer.parseInt(e.version())).as("version served for key %d", k).isEqualTo(version[k]);
                }
            }
        }
    }
}
