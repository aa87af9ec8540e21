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
            "entities", "users,products", "entities.users.sensitive", "password_hash", "entities.users.source", "commands")), new ArrayList<>()));

    /** The command's value alone (the record key is checked in {@link #recordsMustBeKeyedEntityColonId}). */
    CacheMutation parse(String json) throws PoisonRecordException {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    CacheMutation parse(String key, String json) throws PoisonRecordException {
        return parser.parse("cachesync.commands", key == null ? null : key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void recordsMustBeKeyedEntityColonId() throws Exception {
        String json = "{\"entity\":\"users\",\"id\":42,\"op\":\"upsert\",\"version\":1,\"data\":{}}";
        assertThat(parse("users:42", json).id()).isEqualTo("42");
        assertThat(parse("users:0042", json).id()).as("the key's id is compared canonically").isEqualTo("42");
        assertThatThrownBy(() -> parse("42", json)).hasMessageContaining("commands must be keyed <entity>:<id> ('users:42')");
        assertThatThrownBy(() -> parse("users:43", json)).hasMessageContaining("is keyed 'users:43'");
        assertThatThrownBy(() -> parse(null, json)).hasMessageContaining("is keyed null");
    }

    @Test
    void aCompositeIdIsGivenCanonicallyOrAsItsPartsAndTheRecordKeyIsComparedCanonically() throws Exception {
        CommandParser composite = new CommandParser(EntityCatalog.from(Settings.of(Map.of("entities", "tags", "entities.tags.source", "commands",
                "entities.tags.key", "owner,n", "entities.tags.key-type", "text,bigint")), new ArrayList<>()));
        String parts = "{\"entity\":\"tags\",\"id\":[\"o, 1/x\",7],\"op\":\"upsert\",\"version\":1,\"data\":{}}";
        String canonical = "{\"entity\":\"tags\",\"id\":\"o%2c%201%2Fx,007\",\"op\":\"upsert\",\"version\":1,\"data\":{}}";
        for (String json : new String[] {parts, canonical}) {
            assertThat(composite.parse("cachesync.commands", "tags:o%2C%201%2Fx,7".getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)).id()).isEqualTo("o%2C%201%2Fx,7");
        }
        assertThatThrownBy(() -> composite.parse(("{\"entity\":\"tags\",\"id\":[\"o\"],\"op\":\"upsert\",\"version\":1,\"data\":{}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("does not fit the key (owner text, n bigint)");
        assertThatThrownBy(() -> composite.parse(("{\"entity\":\"tags\",\"id\":\"o,x\",\"op\":\"upsert\",\"version\":1,\"data\":{}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("is not 2 parts separated by ','");
    }

    @Test
    void aCdcFedEntityRefusesCommands() {
        assertThatThrownBy(() -> parse("products:1", "{\"entity\":\"products\",\"id\":1,\"op\":\"upsert\",\"version\":1,\"data\":{}}"))
                .hasMessageContaining("entity 'products' is fed by CDC: commands for it are refused");
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
