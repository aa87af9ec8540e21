package io.cachesync.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.redis.CacheEntry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cachesync verify --json}: the counts other tools parse, and the offenders with both sides. */
class VerifyCommandJsonTest {

    private static final VerifyResult RESULT = new VerifyResult(
            Map.of("products", new VerifyResult.Counts(1000, 990, 7, 2, 0, 1)),
            List.of("stale cs:products:1", "stale cs:products:2", "extra cs:products:3"),
            List.of(new VerifyResult.Offender("products", "1", "cs:products:1", KeyCheck.STALE, 20,
                            "{\"id\":1,\"name\":\"new\",\"price\":\"9.90\"}", CacheEntry.present("17", "{\"id\":1,\"name\":\"old\",\"price\":\"9.90\"}")),
                    new VerifyResult.Offender("products", "2", "cs:products:2", KeyCheck.STALE, 20,
                            "{\"id\":2,\"name\":\"x\"}", CacheEntry.tombstone("18")),
                    new VerifyResult.Offender("products", "3", "cs:products:3", KeyCheck.EXTRA, 20,
                            null, CacheEntry.present("0", "{\"id\":3,\"name\":\"y\"}"))));

    @Test
    void countsNinesOkAndSamplesKeepTheirShape() {
        JsonNode j = VerifyCommand.toJson(RESULT, false);

        assertThat(j.at("/entities/products/checked").asLong()).isEqualTo(1000);
        assertThat(j.at("/entities/products/converged").asLong()).isEqualTo(7);
        assertThat(j.at("/total/stale").asLong()).isEqualTo(2);
        assertThat(j.at("/total/extra").asLong()).isEqualTo(1);
        assertThat(j.get("consistency_nines").asDouble()).isEqualTo(2.52);
        assertThat(j.get("ok").asBoolean()).isFalse();
        assertThat(j.get("samples")).extracting(JsonNode::asText).containsExactly("stale cs:products:1", "stale cs:products:2", "extra cs:products:3");
    }

    @Test
    void staleKeyListsBothDocumentsAndTheFieldsThatDiffer() {
        JsonNode o = VerifyCommand.toJson(RESULT, false).get("offenders").get(0);

        assertThat(o.get("key").asText()).isEqualTo("cs:products:1");
        assertThat(o.get("result").asText()).isEqualTo("stale");
        assertThat(o.get("rechecks").asInt()).isEqualTo(20);
        assertThat(o.at("/postgres/exists").asBoolean()).isTrue();
        assertThat(o.at("/postgres/document/name").asText()).isEqualTo("new");
        assertThat(o.at("/redis/state").asText()).isEqualTo("present");
        assertThat(o.at("/redis/version").asText()).isEqualTo("17");
        assertThat(o.at("/redis/tombstone").asBoolean()).isFalse();
        assertThat(o.at("/redis/document/name").asText()).isEqualTo("old");
        assertThat(o.get("differing_fields")).extracting(JsonNode::asText).containsExactly("name");
    }

    @Test
    void tombstoneAndExtraShowTheMissingSideAsNull() {
        JsonNode offenders = VerifyCommand.toJson(RESULT, false).get("offenders");
        JsonNode tombstone = offenders.get(1);
        JsonNode extra = offenders.get(2);

        assertThat(tombstone.at("/redis/tombstone").asBoolean()).isTrue();
        assertThat(tombstone.at("/redis/version").asText()).isEqualTo("18");
        assertThat(tombstone.at("/redis/document").isNull()).isTrue();
        assertThat(tombstone.at("/postgres/document/name").asText()).isEqualTo("x");
        assertThat(tombstone.has("differing_fields")).isFalse();
        assertThat(extra.get("result").asText()).isEqualTo("extra");
        assertThat(extra.at("/postgres/exists").asBoolean()).isFalse();
        assertThat(extra.at("/postgres/document").isNull()).isTrue();
        assertThat(extra.at("/redis/document/id").asInt()).isEqualTo(3);
    }
}
