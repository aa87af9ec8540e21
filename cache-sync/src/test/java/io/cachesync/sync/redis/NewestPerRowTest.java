package io.cachesync.sync.redis;

import io.cachesync.core.redis.CacheStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NewestPerRowTest {
    /** The writes of changes of these rows with these versions, in order. */
    private static NewestPerRow of(List<String> keys, List<String> versions) {
        List<CacheStore.Write> writes = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            writes.add(new CacheStore.Write(keys.get(i), versions.get(i), "{}", Duration.ofMinutes(1)));
        }
        return NewestPerRow.of(writes);
    }

    @Test
    void eachRowIsAppliedOnceWithItsHighestVersionLongerBeingNewer() {
        // a publisher's decimal versions: "10" is newer than "9" although it sorts first as text
        NewestPerRow n = of(List.of("a", "b", "a", "a", "c", "b"), List.of("9", "1", "10", "2", "5", "3"));
        assertThat(n.applied()).containsExactly(2, 5, 4);
        assertThat(n.superseded()).isEqualTo(3);
        assertThat(List.of(n.applyOf(0), n.applyOf(1), n.applyOf(2), n.applyOf(3), n.applyOf(4), n.applyOf(5))).containsExactly(0, 1, 0, 0, 2, 1);
        assertThat(List.of(n.isApplied(0), n.isApplied(2), n.isApplied(3), n.isApplied(4))).containsExactly(false, true, false, true);
    }

    @Test
    void ofEqualVersionsTheFirstIsAppliedAsApplyingThemInOrderWouldSkipTheOthers() {
        NewestPerRow n = of(List.of("a", "a", "a"), List.of("0007", "0007", "0006"));
        assertThat(n.applied()).containsExactly(0);
        assertThat(n.superseded()).isEqualTo(2);
    }

    @Test
    void aBatchWithoutRepeatedRowsAppliesEveryChangeInOrder() {
        NewestPerRow n = of(List.of("a", "b", "c"), List.of("3", "2", "1"));
        assertThat(n.applied()).containsExactly(0, 1, 2);
        assertThat(n.superseded()).isZero();
    }
}
