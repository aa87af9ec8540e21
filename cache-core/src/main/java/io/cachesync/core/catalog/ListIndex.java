package io.cachesync.core.catalog;

/**
 * A column clients may list rows by ({@code GET /v1/products?category=books}).
 *
 * @param field      the column
 * @param maxPerPage the largest page a client may ask for
 * @param type       how a requested value is read and compared: by the column's type, read from the table at start
 *                   ({@link ColumnTypeCheck#check}); its text until then
 */
public record ListIndex(String field, int maxPerPage, ListColumnType type) {
    /** A list index whose column type is not known yet. */
    public ListIndex(String field, int maxPerPage) {
        this(field, maxPerPage, ListColumnType.TEXT);
    }

    public ListIndex withType(ListColumnType t) {
        return new ListIndex(field, maxPerPage, t);
    }
}
