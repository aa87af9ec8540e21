package io.cachesync.ingest.publish;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LsnStampTest {
    static String event(String lsn, String rowLsnColumn) {
        return "{\"schema\":{\"fields\":[{\"field\":\"lsn\"}]},\"payload\":{\"before\":null,\"after\":{\"id\":1" + rowLsnColumn
                + "},\"source\":{\"version\":\"3.6.1.Final\",\"snapshot\":\"incremental\",\"lsn\":" + lsn + ",\"xmin\":null},\"op\":\"r\"}}";
    }

    @Test
    void incrementalSnapshotReadTakesTheHighestLsnStreamedBeforeIt() {
        LsnStamp s = new LsnStamp(100);
        assertThat(s.apply(event("500", ""))).contains("\"lsn\":500");
        assertThat(s.apply(event("300", ""))).contains("\"lsn\":300");
        assertThat(s.apply(event("null", ""))).contains("\"lsn\":500,");
        assertThat(s.highest()).isEqualTo(500);
    }

    @Test
    void floorStandsInBeforeAnythingWasStreamed() {
        assertThat(new LsnStamp(42).apply(event("null", ""))).contains("\"lsn\":42,");
        assertThat(new LsnStamp(0).apply(event("null", ""))).contains("\"lsn\":null");
    }

    @Test
    void aColumnNamedLsnIsNotMistakenForTheSourceLsn() {
        LsnStamp s = new LsnStamp(0);
        s.apply(event("700", ",\"lsn\":999999"));
        assertThat(s.highest()).isEqualTo(700);
        assertThat(s.apply(event("null", ",\"lsn\":5"))).contains("\"after\":{\"id\":1,\"lsn\":5}").contains("\"source\":{\"version\":\"3.6.1.Final\",\"snapshot\":\"incremental\",\"lsn\":700,");
    }

    @Test
    void heartbeatsWithoutASourceBlockPassUnchanged() {
        assertThat(new LsnStamp(9).apply("{\"ts_ms\":1}")).isEqualTo("{\"ts_ms\":1}");
    }
}
