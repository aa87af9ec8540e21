package io.cachesync.api.cache;

import io.cachesync.core.redis.CacheEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class L1CacheTest {
    final CacheEntry v1 = CacheEntry.present("100", "{\"n\":1}");

    L1Cache live() {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1));
        l1.live(true);
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
    void withoutALiveSubscriptionTheL1IsBypassed() {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1));
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isNull();
        l1.live(true);
        l1.put("cs:p:1", v1, l1.ticket());
        assertThat(l1.get("cs:p:1")).isEqualTo(v1);
        l1.live(false);                      // subscription lost: everything goes, nothing is served
        assertThat(l1.get("cs:p:1")).isNull();
    }

    @Test
    void aLostSubscriptionDropsReadsThatStartedBeforeIt() {
        L1Cache l1 = live();
        long ticket = l1.ticket();
        l1.live(false);
        l1.live(true);
        l1.put("cs:p:2", v1, ticket);
        assertThat(l1.get("cs:p:2")).isNull();
    }

    @Test
    void absentEntriesAreNeverCachedAndZeroSizeDisablesIt() {
        L1Cache l1 = live();
        l1.put("cs:p:3", CacheEntry.ABSENT, l1.ticket());
        assertThat(l1.get("cs:p:3")).isNull();
        L1Cache off = new L1Cache(0, Duration.ofSeconds(2));
        off.live(true);
        off.put("cs:p:3", v1, off.ticket());
        assertThat(off.get("cs:p:3")).isNull();
        assertThat(off.enabled()).isFalse();
    }
}
