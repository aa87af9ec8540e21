package io.cachesync.api.cache;

import io.cachesync.core.redis.CacheEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidationSubscriberTest {
    final CacheEntry v1 = CacheEntry.present("100", "{\"n\":1}");

    L1Cache holding(String... keys) {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1));
        l1.live(true);
        for (String k : keys) {
            l1.put(k, v1, l1.ticket());
        }
        return l1;
    }

    @Test
    void aMessageNamingSeveralRowsDropsEachOfThemAndNoOther() {
        L1Cache l1 = holding("cs:products:1", "cs:products:2", "cs:users:a b", "cs:products:3");

        InvalidationSubscriber.invalidateAll(l1, "products:1\nusers:a b\nproducts:2");

        assertThat(l1.get("cs:products:1")).isNull();
        assertThat(l1.get("cs:products:2")).isNull();
        assertThat(l1.get("cs:users:a b")).isNull();
        assertThat(l1.get("cs:products:3")).isEqualTo(v1);
    }

    @Test
    void aMessageNamingOneRowDropsIt() {
        L1Cache l1 = holding("cs:products:1", "cs:products:10");

        InvalidationSubscriber.invalidateAll(l1, "products:1");

        assertThat(l1.get("cs:products:1")).isNull();
        assertThat(l1.get("cs:products:10")).isEqualTo(v1);
    }

    @Test
    void emptyPartsOfAMessageAreIgnored() {
        L1Cache l1 = holding("cs:products:1", "cs:products:2");

        InvalidationSubscriber.invalidateAll(l1, "\nproducts:2\n\n");

        assertThat(l1.get("cs:products:2")).isNull();
        assertThat(l1.get("cs:products:1")).isEqualTo(v1);
    }
}
