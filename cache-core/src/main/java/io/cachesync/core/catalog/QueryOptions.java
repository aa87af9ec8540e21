package io.cachesync.core.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What clients may ask of an entity beyond single rows, and how long the answers are cached.
 *
 * @param lists        the list indexes ({@code entities.<name>.lists}, each with {@code .max-per-page})
 * @param listTtl      TTL of a cached list page ({@code entities.<name>.list-ttl})
 * @param searchFields the text columns {@code /search?q=} matches ({@code entities.<name>.search.fields})
 * @param searchTtl    TTL of a cached search page ({@code entities.<name>.search.ttl})
 * @param httpMaxAge   {@code Cache-Control: max-age} of a row ({@code entities.<name>.http-max-age})
 */
public record QueryOptions(List<ListIndex> lists, Duration listTtl, List<String> searchFields, Duration searchTtl, Duration httpMaxAge) {
    public static final QueryOptions NONE = new QueryOptions(List.of(), EntityCatalog.LIST_TTL.typedDefault(), List.of(),
            EntityCatalog.SEARCH_TTL.typedDefault(), EntityCatalog.HTTP_MAX_AGE.typedDefault());

    public QueryOptions {
        lists = List.copyOf(lists);
        searchFields = List.copyOf(searchFields);
    }

    /** The same options with each list column's type from {@code types} (by field; a field not in it keeps its type). */
    public QueryOptions withListTypes(Map<String, ListColumnType> types) {
        return new QueryOptions(lists.stream().map(l -> l.withType(types.getOrDefault(l.field(), l.type()))).toList(), listTtl,
                searchFields, searchTtl, httpMaxAge);
    }

    public Optional<ListIndex> list(String field) {
        return lists.stream().filter(l -> l.field().equals(field)).findFirst();
    }
}
