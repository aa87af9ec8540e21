package io.cachesync.core.catalog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A list value from a request becomes the text a cached document holds (the name of the list's generation), or is refused
 * when the column cannot hold it.
 */
class ListColumnTypeTest {
    @Test
    void integersAreWrittenAsDocumentsWriteThem() {
        assertThat(ListColumnType.INTEGER.canonical("007")).hasValue("7");
        assertThat(ListColumnType.INTEGER.canonical("+42")).hasValue("42");
        assertThat(ListColumnType.INTEGER.canonical("-0")).hasValue("0");
        assertThat(ListColumnType.INTEGER.canonical("9223372036854775807")).hasValue("9223372036854775807");
        assertThat(ListColumnType.INTEGER.canonical("9223372036854775808")).as("beyond bigint").isEmpty();
        assertThat(ListColumnType.INTEGER.canonical("4.0")).isEmpty();
        assertThat(ListColumnType.INTEGER.canonical(" 4")).isEmpty();
        assertThat(ListColumnType.INTEGER.canonical("abc")).isEmpty();
        assertThat(ListColumnType.INTEGER.predicate("\"owner\"")).isEqualTo("\"owner\" = ?");
    }

    @Test
    void booleansAreTrueOrFalseInAnyCase() {
        assertThat(ListColumnType.BOOLEAN.canonical("TRUE")).hasValue("true");
        assertThat(ListColumnType.BOOLEAN.canonical("false")).hasValue("false");
        assertThat(ListColumnType.BOOLEAN.canonical("maybe")).isEmpty();
        assertThat(ListColumnType.BOOLEAN.canonical("1")).as("PostgreSQL's other spellings are not a document's").isEmpty();
        assertThat(ListColumnType.BOOLEAN.expected()).isEqualTo("true or false");
    }

    @Test
    void uuidsAreHyphenatedAndLowerCase() {
        assertThat(ListColumnType.UUID.canonical("0E1D4A5B-6C7D-4E8F-9A0B-1C2D3E4F5A6B")).hasValue("0e1d4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b");
        assertThat(ListColumnType.UUID.canonical("1-2-3-4-5")).as("java.util.UUID would take it").isEmpty();
        assertThat(ListColumnType.UUID.canonical("0e1d4a5b6c7d4e8f9a0b1c2d3e4f5a6b")).isEmpty();
    }

    @Test
    void charColumnsArePaddedToTheirWidth() {
        ListColumnType code = ListColumnType.padded(4);
        assertThat(code.canonical("ab")).hasValue("ab  ");
        assertThat(code.canonical("ab ")).hasValue("ab  ");
        assertThat(code.canonical("abcd")).hasValue("abcd");
        assertThat(code.canonical("abcde")).isEmpty();
        assertThat(code.canonical(" ab")).as("leading blanks count").hasValue(" ab ");
        assertThat(code.predicate("\"code\"")).isEqualTo("\"code\" = CAST(? AS bpchar)");
        assertThatThrownBy(() -> new ListColumnType(ListColumnType.Kind.TEXT, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textIsTakenAsItIs() {
        assertThat(ListColumnType.TEXT.canonical(" Mixed Case ")).hasValue(" Mixed Case ");
        assertThat(ListColumnType.TEXT.predicate("\"category\"")).isEqualTo("\"category\"::text = ?");
    }
}
