package io.cachesync.ingest.publish;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommitKeyStampTest {
    /** An event as Debezium 3.6 writes it (sequence is a JSON string holding a JSON array). */
    static String event(String op, String sequence, String lsn, String rowColumns) {
        return "{\"schema\":{\"fields\":[{\"field\":\"lsn\"}]},\"payload\":{\"before\":null,\"after\":{\"id\":1" + rowColumns
                + "},\"source\":{\"version\":\"3.6.1.Final\",\"snapshot\":\"false\",\"sequence\":\"" + sequence + "\",\"lsn\":" + lsn
                + ",\"xmin\":null},\"op\":\"" + op + "\"}}";
    }

    @Test
    void firstTransactionAfterTheInitialSnapshotGetsTheSnapshotPointAsCommitKey() {
        CommitKeyStamp s = new CommitKeyStamp(100);
        // the initial snapshot's reads: [null, S] with lsn S
        assertThat(s.apply(event("r", "[null,\\\"500\\\"]", "500", ""))).contains("\"sequence\":\"[\\\"500\\\",\\\"500\\\"]\"");
        // a transaction open while the slot was created: its record lies below S, and it has no commit key yet
        assertThat(s.apply(event("u", "[null,\\\"300\\\"]", "300", ""))).contains("\"sequence\":\"[\\\"500\\\",\\\"300\\\"]\"");
        // later transactions carry the commit key Debezium gives them, untouched
        String later = event("u", "[\\\"900\\\",\\\"800\\\"]", "800", "");
        assertThat(s.apply(later)).isEqualTo(later);
        assertThat(s.highest()).isEqualTo(800);
    }

    @Test
    void floorStandsInBeforeAnyPositionWasSeen() {
        assertThat(new CommitKeyStamp(42).apply(event("u", "[null,\\\"7\\\"]", "7", ""))).contains("[\\\"42\\\",\\\"7\\\"]");
        String unknown = event("u", "[null,null]", "null", "");
        assertThat(new CommitKeyStamp(0).apply(unknown)).isEqualTo(unknown);
    }

    @Test
    void columnsNamedLsnOrSequenceAreNotMistakenForTheSourceBlock() {
        CommitKeyStamp s = new CommitKeyStamp(0);
        s.apply(event("u", "[\\\"1\\\",\\\"700\\\"]", "700", ",\"lsn\":999999,\"sequence\":\"[null,\\\"1\\\"]\""));
        assertThat(s.highest()).isEqualTo(700);
        String stamped = s.apply(event("u", "[null,\\\"5\\\"]", "5", ",\"sequence\":\"[null,\\\"1\\\"]\""));
        assertThat(stamped).contains("\"after\":{\"id\":1,\"sequence\":\"[null,\\\"1\\\"]\"}").contains("\"sequence\":\"[\\\"700\\\",\\\"5\\\"]\"");
    }

    @Test
    void heartbeatsWithoutASourceBlockPassUnchanged() {
        assertThat(new CommitKeyStamp(9).apply("{\"ts_ms\":1}")).isEqualTo("{\"ts_ms\":1}");
    }
}
