package io.cachesync.core.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The canonical id form: one per row, unambiguous whatever the parts hold, and the same from every direction. */
class EntityKeyTest {
    static final EntityKey TENANT_LINE = new EntityKey(List.of(new EntityKey.Column("tenant", KeyType.TEXT),
            new EntityKey.Column("line", KeyType.BIGINT)), EntityKey.Origin.CATALOG);
    static final EntityKey THREE = new EntityKey(List.of(new EntityKey.Column("region", KeyType.TEXT),
            new EntityKey.Column("order_id", KeyType.UUID_TYPE), new EntityKey.Column("line", KeyType.BIGINT)), EntityKey.Origin.CATALOG);

    @Test
    void aSingleColumnKeyIsItsValueAsBefore() {
        EntityKey id = EntityKey.single("id", KeyType.BIGINT);
        assertThat(id.canonical("007")).contains("7");
        assertThat(id.ofValues(List.of("42"))).contains("42");
        assertThat(id.jdbcValues("42")).containsExactly(42L);
        EntityKey code = EntityKey.single("code", KeyType.TEXT);
        assertThat(code.canonical("a,b/c: d%2C")).as("one column: nothing is split or decoded").contains("a,b/c: d%2C");
    }

    @Test
    void compositePartsAreJoinedByCommasAndEveryOtherByteIsPercentEncoded() {
        assertThat(TENANT_LINE.ofValues(List.of("acme", "42"))).contains("acme,42");
        assertThat(TENANT_LINE.ofValues(List.of("acme, inc/eu:1 %", "-3"))).contains("acme%2C%20inc%2Feu%3A1%20%25,-3");
        assertThat(TENANT_LINE.ofValues(List.of("zürich", "1"))).contains("z%C3%BCrich,1");
        assertThat(TENANT_LINE.ofValues(List.of("", "1"))).as("an empty text part").contains(",1");
        UUID u = UUID.randomUUID();
        assertThat(THREE.ofValues(List.of("eu;west", u.toString().toUpperCase(), "007"))).contains("eu%3Bwest," + u + ",7");
    }

    @Test
    void readingAnIdAcceptsAnyPercentEncodingAndWritesItCanonically() {
        assertThat(TENANT_LINE.canonical("acme%2c%20inc,042")).contains("acme%2C%20inc,42");
        assertThat(TENANT_LINE.canonical("acme inc:x,1")).as("unencoded characters other than ','").contains("acme%20inc%3Ax,1");
        assertThat(TENANT_LINE.canonical("z%C3%BCrich,1")).contains("z%C3%BCrich,1");
        assertThat(TENANT_LINE.canonical("zürich,1")).contains("z%C3%BCrich,1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme", "acme,1,2", "acme,x", "acme%2,1", "acme%zz,1", "%FF,1", "a%0Ab,1", ",", "acme,"})
    void malformedCompositeIdsAreRefused(String raw) {
        assertThat(TENANT_LINE.canonical(raw)).isEmpty();
    }

    @Test
    void valuesAndJdbcValuesRoundTripWhateverThePartsHold() {
        for (String tenant : List.of("a,b", "a/b", "a:b", "a b", "a%2Cb", "a;b", "%", ",,,", "ü€😀", "")) {
            String id = TENANT_LINE.ofValues(List.of(tenant, "5")).orElseThrow();
            assertThat(id.chars().filter(ch -> ch == ',').count()).as(tenant).isEqualTo(1);
            assertThat(TENANT_LINE.values(id)).containsExactly(tenant, "5");
            assertThat(TENANT_LINE.jdbcValues(id)).containsExactly(tenant, 5L);
            assertThat(TENANT_LINE.canonical(id)).as("a canonical id reads back as itself").contains(id);
        }
    }

    @Test
    void sqlNamesEveryColumnInKeyOrder() {
        assertThat(THREE.whereEquals()).isEqualTo("\"region\" = ? AND \"order_id\" = ? AND \"line\" = ?");
        assertThat(THREE.columnList()).isEqualTo("\"region\", \"order_id\", \"line\"");
        assertThat(THREE).hasToString("(region text, order_id uuid, line bigint)");
    }
}
