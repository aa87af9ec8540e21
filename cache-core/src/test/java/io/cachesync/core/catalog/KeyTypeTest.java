package io.cachesync.core.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyTypeTest {

    @Test
    void bigintIdsAreWrittenCanonically() {
        assertThat(KeyType.BIGINT.canonical("7")).contains("7");
        assertThat(KeyType.BIGINT.canonical("007")).contains("7");
        assertThat(KeyType.BIGINT.canonical("-1")).contains("-1");
        assertThat(KeyType.BIGINT.canonical("0")).contains("0");
        assertThat(KeyType.BIGINT.canonical("9223372036854775807")).contains("9223372036854775807");
        assertThat(KeyType.BIGINT.canonical("-9223372036854775808")).contains("-9223372036854775808");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "1.5", "99999999999999999999", "9223372036854775808", " 7", "7 ", "1e3", "0x10", "-"})
    void malformedBigintIdsAreRejected(String raw) {
        assertThat(KeyType.BIGINT.canonical(raw)).isEmpty();
    }

    @Test
    void nullIdIsRejectedByEveryType() {
        for (KeyType t : KeyType.values()) {
            assertThat(t.canonical(null)).as("%s", t).isEmpty();
        }
    }

    @Test
    void bigintJdbcValueIsALong() {
        assertThat(KeyType.BIGINT.jdbcValue("42")).isEqualTo(42L);
    }

    @Test
    void uuidIdsAreWrittenInLowerCase() {
        assertThat(KeyType.UUID_TYPE.canonical("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
                .contains("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(KeyType.UUID_TYPE.canonical("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .contains("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(KeyType.UUID_TYPE.jdbcValue("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not-a-uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "1-1-1-1-1",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1}"})
    void malformedUuidIdsAreRejected(String raw) {
        assertThat(KeyType.UUID_TYPE.canonical(raw)).isEmpty();
    }

    @Test
    void textIdsAreKeptAsGiven() {
        assertThat(KeyType.TEXT.canonical("sku-123")).contains("sku-123");
        assertThat(KeyType.TEXT.canonical("Ünïcødé ✓")).contains("Ünïcødé ✓");
        assertThat(KeyType.TEXT.canonical(" spaced ")).contains(" spaced ");
        assertThat(KeyType.TEXT.canonical("x".repeat(512))).contains("x".repeat(512));
        assertThat(KeyType.TEXT.jdbcValue("sku-123")).isEqualTo("sku-123");
    }

    @ParameterizedTest(name = "[{index}] control character or empty id is rejected")
    @ValueSource(strings = {"", "line\nbreak", "tab\there", "nul\u0000", "bell\u0007", "del\u007f", "c1\u0085"})
    void textIdsWithControlCharactersOrEmptyAreRejected(String raw) {
        assertThat(KeyType.TEXT.canonical(raw)).isEmpty();
    }

    @Test
    void tooLongTextIdIsRejected() {
        assertThat(KeyType.TEXT.canonical("x".repeat(513))).isEmpty();
    }

    @Test
    void keyTypesParseFromTheirConfigNames() {
        assertThat(KeyType.parse("bigint")).isEqualTo(KeyType.BIGINT);
        assertThat(KeyType.parse(" INT8 ")).isEqualTo(KeyType.BIGINT);
        assertThat(KeyType.parse("integer")).isEqualTo(KeyType.BIGINT);
        assertThat(KeyType.parse("text")).isEqualTo(KeyType.TEXT);
        assertThat(KeyType.parse("varchar")).isEqualTo(KeyType.TEXT);
        assertThat(KeyType.parse("UUID")).isEqualTo(KeyType.UUID_TYPE);
        assertThatThrownBy(() -> KeyType.parse("float")).isInstanceOf(IllegalArgumentException.class);
    }
}
