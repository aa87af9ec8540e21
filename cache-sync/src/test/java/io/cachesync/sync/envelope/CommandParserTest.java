package io.cachesync.sync.envelope;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandParserTest {
    final CommandParser parser = new CommandParser(EntityCatalog.from(Settings.of(Map.of(
            "entities", "users", "entities.users.sensitive", "password_hash")), new ArrayList<>()));

    CacheMutation parse(String json) throws PoisonRecordException {
        return parser.parse("cachesync.commands", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void upsertKeepsTheVersionAndDropsSensitiveColumns() throws Exception {
        CacheMutation m = parse("{\"entity\":\"users\",\"id\":\"0042\",\"op\":\"upsert\",\"version\":18446744073709551615,"
                + "\"data\":{\"z\":1,\"a\":\"x\",\"password_hash\":\"h\"},\"ts_ms\":123}");
        assertThat(m.id()).isEqualTo("42");
        assertThat(m.version()).isEqualTo("18446744073709551615");
        assertThat(m.document()).isEqualTo("{\"a\":\"x\",\"z\":1}");
        assertThat(m.sourceTimestampMs()).isEqualTo(123);
    }

    @Test
    void everyMalformedCommandHasAReason() {
        assertThatThrownBy(() -> parse("nope")).hasMessageStartingWith("command is not JSON");
        assertThatThrownBy(() -> parse("{\"entity\":\"orders\",\"id\":1,\"op\":\"upsert\",\"version\":1,\"data\":{}}"))
                .hasMessageContaining("entity 'orders', which is not configured");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"op\":\"upsert\",\"version\":1,\"data\":{}}")).hasMessage("command has no id");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"id\":\"x\",\"op\":\"upsert\",\"version\":1,\"data\":{}}"))
                .hasMessageContaining("is not a 64-bit integer");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"id\":1,\"op\":\"merge\",\"version\":1}")).hasMessageContaining("expected upsert or delete");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"id\":1,\"op\":\"upsert\",\"version\":0,\"data\":{}}")).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"id\":1,\"op\":\"upsert\",\"version\":-3,\"data\":{}}")).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> parse("{\"entity\":\"users\",\"id\":1,\"op\":\"upsert\",\"version\":2}")).hasMessageContaining("no data object");
    }
}
