package io.cachesync.core.catalog;

/**
 * A column clients may list rows by ({@code GET /v1/products?category=books}).
 *
 * @param field      the column
 * @param maxPerPage the largest page a client may ask for
 */
public record ListIndex(String field, int maxPerPage) {
}
