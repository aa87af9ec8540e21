package io.cachesync.ingest.publish;

import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An event without a commit key gets the highest position seen as its key, and nothing else of any event changes. */
class CommitKeyStampTest {
    private static final ChangeEvents ITEMS = ChangeEvents.table("public.items").key("id", ConnectType.INT64);
    private static final String ROW = ITEMS.row(1);

    /** An update of the row at {@code lsn} whose transaction follows the commit at {@code lastCommit} (null: none decoded). */
    private static String update(Long lastCommit, Long lsn) {
        return ITEMS.update(null, ROW).lastCommit(lastCommit).lsn(lsn).json();
    }

    @Test
    void firstTransactionAfterTheInitialSnapshotGetsTheSnapshotPointAsCommitKey() {
        CommitKeyStamp s = new CommitKeyStamp(100);
        // the initial snapshot's reads: [null, S] with lsn S
        assertThat(s.apply(ITEMS.read(ROW).lastCommit(null).lsn(500L).json())).isEqualTo(ITEMS.read(ROW).lastCommit(500L).lsn(500L).json());
        // a transaction open while the slot was created: its record lies below S, and it has no commit key yet
        assertThat(s.apply(update(null, 300L))).isEqualTo(update(500L, 300L));
        // later transactions carry the commit key Debezium gives them, untouched
        String later = update(900L, 800L);
        assertThat(s.apply(later)).isEqualTo(later);
        assertThat(s.highest()).isEqualTo(800);
    }

    @Test
    void floorStandsInBeforeAnyPositionWasSeen() {
        assertThat(new CommitKeyStamp(42).apply(update(null, 7L))).isEqualTo(update(42L, 7L));
        String unknown = update(null, null);
        assertThat(new CommitKeyStamp(0).apply(unknown)).isEqualTo(unknown);
    }

    @Test
    void columnsNamedLsnOrSequenceAreNotMistakenForTheSourceBlock() {
        ChangeEvents positions = ITEMS.optionalColumn("lsn", ConnectType.INT64).optionalColumn("sequence", ConnectType.STRING);
        String row = positions.row(1, 999_999, "[null,\"1\"]");
        CommitKeyStamp s = new CommitKeyStamp(0);
        s.apply(positions.update(null, row).lastCommit(1L).lsn(700L).json());
        assertThat(s.highest()).isEqualTo(700);
        assertThat(s.apply(positions.update(null, row).lastCommit(null).lsn(5L).json()))
                .isEqualTo(positions.update(null, row).lastCommit(700L).lsn(5L).json());
    }

    @Test
    void heartbeatsWithoutASourceBlockPassUnchanged() {
        assertThat(new CommitKeyStamp(9).apply("{\"ts_ms\":1}")).isEqualTo("{\"ts_ms\":1}");
    }
}
