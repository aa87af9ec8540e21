package io.cachesync.api.http;

import io.cachesync.api.cache.PageResult;
import io.cachesync.api.cache.ViewPages;
import io.cachesync.api.cache.Popularity;
import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadResult;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.catalog.ListIndex;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The read routes:
 * <ul>
 *   <li>{@code GET /v1/{entity}/{id}} — one row as a flat JSON object of its (non-sensitive) columns</li>
 *   <li>{@code GET /v1/{entity}?ids=1,2,3} — a batch, in request order, missing ids reported ({@code ids=a,1;a,2} for a
 *       composite key, see {@link EntityKey})</li>
 *   <li>{@code GET /v1/{entity}?{field}={value}&page=&per_page=} — a page of a configured list</li>
 *   <li>{@code GET /v1/{entity}/search?q=&page=&per_page=} — a page of a text search over the configured fields</li>
 * </ul>
 * A view ({@code views.<name>}) is served like an entity by id, one or a batch; its lists and search are its root's
 * ({@code /v1/product_pages?category=x} is the page of {@code /v1/products?category=x}, each row as its view document:
 * {@link ViewPages}).
 */
public final class EntityRoutes {
    public static final String X_CACHE = "X-Cache";
    private static final Set<String> PAGING = Set.of("page", "per_page");
    private static final int DEFAULT_PER_PAGE = 20;
    /** The largest {@code per_page} of a search. */
    public static final int MAX_SEARCH_PER_PAGE = 100;

    private final EntityCatalog catalog;
    private final ReadThroughCache cache;
    private final QueryCache queries;
    private final Popularity popularity;
    private final ApiLimits limits;
    private final ViewPages viewPages;

    public EntityRoutes(EntityCatalog catalog, ReadThroughCache cache, QueryCache queries, Popularity popularity, ApiLimits limits) {
        this.catalog = catalog;
        this.cache = cache;
        this.queries = queries;
        this.popularity = popularity;
        this.limits = limits;
        this.viewPages = new ViewPages(cache);
    }

    /** The entity whose lists and search a request runs: the entity itself, or a view's root. */
    private EntityDefinition listed(EntityDefinition e) {
        return e.source() == EntityDefinition.Source.VIEW ? catalog.byName(catalog.view(e).root()).orElseThrow() : e;
    }

    /** A page of {@code listed}'s rows, as the documents of {@code e} (itself, or the view whose root it is). */
    private PageResult pageOf(EntityDefinition e, EntityDefinition listed, PageResult rows) throws Exception {
        return e == listed ? rows : viewPages.of(e, listed, rows);
    }

    private EntityDefinition entity(Context ctx) {
        String name = ctx.pathParam("entity");
        return catalog.byName(name).orElseThrow(() -> ApiProblem.unknownEntity(name));
    }

    public void getOne(Context ctx) throws Exception {
        EntityDefinition e = entity(ctx);
        String rawId = ctx.pathParam("id");
        String id = e.key().canonical(rawId).orElseThrow(() -> ApiProblem.malformedId(e.name(), rawId, e.key().describe()));
        ReadResult r = cache.get(e, id);
        ctx.header(X_CACHE, r.source().header());
        if (!r.found()) {
            throw ApiProblem.notFound(e.name(), id);
        }
        if (popularity != null) {
            // only rows that exist: ids a client made up must not crowd the real ones out of the set warming reads
            popularity.record(e.name(), id);
        }
        if (HttpCaching.notModified(ctx, HttpCaching.rowTag(r.version(), r.document()), e.query().httpMaxAge())) {
            return;
        }
        ctx.contentType("application/json").result(r.document());
    }

    /** {@code GET /v1/{entity}}: a batch ({@code ids=}) or a list page ({@code <field>=<value>}). */
    public void getMany(Context ctx) throws Exception {
        EntityDefinition e = entity(ctx);
        Map<String, List<String>> params = ctx.queryParamMap();
        if (params.containsKey("ids")) {
            Set<String> others = params.keySet().stream().filter(k -> !k.equals("ids")).collect(Collectors.toSet());
            if (!others.isEmpty()) {
                throw bad("ids= cannot be combined with " + others);
            }
            batch(ctx, e, params.get("ids"));
            return;
        }
        EntityDefinition listed = listed(e);
        Set<String> filters = params.keySet().stream().filter(k -> !PAGING.contains(k)).collect(Collectors.toSet());
        String fields = listed.query().lists().stream().map(ListIndex::field).collect(Collectors.joining(", "));
        if (filters.size() != 1) {
            throw bad("give ids=1,2,3 or exactly one list filter" + (fields.isEmpty() ? " (" + e.name() + " has no list index)"
                    : " among: " + fields) + (filters.isEmpty() ? "" : "; got " + filters));
        }
        String field = filters.iterator().next();
        ListIndex index = listed.query().list(field).orElseThrow(() -> bad("'" + field + "' is not a list field of " + e.name()
                + (e == listed ? "" : " (the lists of its root " + listed.name() + ")")
                + (fields.isEmpty() ? " (it has none)" : "; list fields: " + fields)));
        List<String> values = params.get(field);
        if (values.size() != 1 || values.get(0).isEmpty() || values.get(0).length() > limits.maxQueryLength()) {
            throw bad(field + " takes one non-empty value of at most " + limits.maxQueryLength() + " characters");
        }
        if (hasControlCharacter(values.get(0))) {
            throw bad(field + " must not contain control characters");
        }
        String value = index.type().canonical(values.get(0)).orElseThrow(() -> bad(field + " of " + listed.name() + " is "
                + index.type().expected() + ", not '" + values.get(0) + "'"));
        int perPage = intParam(ctx, "per_page", Math.min(DEFAULT_PER_PAGE, index.maxPerPage()), 1, index.maxPerPage());
        int page = pageParam(ctx, perPage);
        page(ctx, e, pageOf(e, listed, queries.list(listed, index, value, page, perPage)));
    }

    public void search(Context ctx) throws Exception {
        EntityDefinition e = entity(ctx);
        EntityDefinition listed = listed(e);
        if (listed.query().searchFields().isEmpty()) {
            throw new ApiProblem(404, "no-search", "Search not configured", e.name() + " has no search fields"
                    + (e == listed ? "" : " (a view searches its root " + listed.name() + "'s)"));
        }
        Set<String> unknown = ctx.queryParamMap().keySet().stream().filter(k -> !k.equals("q") && !PAGING.contains(k)).collect(Collectors.toSet());
        if (!unknown.isEmpty()) {
            throw bad("search takes q, page and per_page; unknown " + unknown);
        }
        List<String> q = ctx.queryParams("q");
        if (q.size() != 1 || q.get(0).isBlank()) {
            throw bad("q is required: the text to search for in " + listed.query().searchFields());
        }
        if (q.get(0).length() > limits.maxQueryLength()) {
            throw bad("q is longer than " + limits.maxQueryLength() + " characters");
        }
        if (hasControlCharacter(q.get(0))) {
            throw bad("q must not contain control characters");
        }
        int perPage = intParam(ctx, "per_page", DEFAULT_PER_PAGE, 1, MAX_SEARCH_PER_PAGE);
        int page = pageParam(ctx, perPage);
        page(ctx, e, pageOf(e, listed, queries.search(listed, q.get(0).trim(), page, perPage)));
    }

    /**
     * {@code ids=} lists ids separated by {@code ,}; a composite key's ids hold {@code ,} between their parts, so they are
     * separated by {@code ;} ({@code ids=acme,1;acme,2}). Either way {@code ids=} may also be repeated.
     */
    private void batch(Context ctx, EntityDefinition e, List<String> raw) throws Exception {
        String separator = String.valueOf(e.key().composite() ? EntityKey.COMPOSITE_ID_SEPARATOR : ',');
        List<String> parts = new ArrayList<>();
        for (String r : raw) {
            for (String p : r.split(separator, -1)) {
                parts.add(p.trim());
            }
        }
        if (parts.isEmpty() || parts.stream().allMatch(String::isEmpty)) {
            throw bad("ids is empty: give " + (e.key().composite() ? "ids=a,1;a,2 (ids separated by ';', each with its key's parts separated by ',')" : "ids=1,2,3"));
        }
        if (parts.size() > limits.maxBatchIds()) {
            throw bad("at most " + limits.maxBatchIds() + " ids per request, got " + parts.size());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String p : parts) {
            ids.add(e.key().canonical(p).orElseThrow(() -> ApiProblem.malformedId(e.name(), p, e.key().describe())));
        }
        Map<String, ReadResult> results = cache.getMany(e, new ArrayList<>(ids));
        StringBuilder items = new StringBuilder();
        List<String> missing = new ArrayList<>();
        boolean allCached = true;
        for (var r : results.entrySet()) {
            allCached &= r.getValue().source() != ReadResult.Source.MISS;
            if (r.getValue().found()) {
                items.append(items.length() == 0 ? "" : ",").append(r.getValue().document());
                if (popularity != null) {
                    popularity.record(e.name(), r.getKey());
                }
            } else {
                missing.add(r.getKey());
            }
        }
        String body = "{\"items\":[" + items + "],\"missing\":" + ValueCodec.mapper().writeValueAsString(missing) + "}";
        ctx.header(X_CACHE, allCached ? "HIT" : "MISS");
        if (!HttpCaching.notModified(ctx, HttpCaching.pageTag(body), e.query().httpMaxAge())) {
            ctx.contentType("application/json").result(body);
        }
    }

    private static void page(Context ctx, EntityDefinition e, PageResult p) {
        ctx.header(X_CACHE, p.cached() ? "HIT" : "MISS");
        if (!HttpCaching.notModified(ctx, HttpCaching.pageTag(p.body()), e.query().httpMaxAge())) {
            ctx.contentType("application/json").result(p.body());
        }
    }

    /**
     * The page number: at least 1, and {@code page × perPage} at most {@link ApiLimits#maxPageDepth()} — an OFFSET makes
     * PostgreSQL read and skip every row before the page, so a deep page costs as much as all the pages before it.
     */
    private int pageParam(Context ctx, int perPage) {
        int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE);
        if ((long) page * perPage > limits.maxPageDepth()) {
            throw ApiProblem.pageTooDeep(page, perPage, limits.maxPageDepth());
        }
        return page;
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        List<String> v = ctx.queryParams(name);
        if (v.isEmpty()) {
            return dflt;
        }
        if (v.size() > 1) {
            throw bad(name + " is given more than once");
        }
        try {
            int n = Integer.parseInt(v.get(0).trim());
            if (n < min || n > max) {
                throw bad(name + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException ex) {
            throw bad(name + " is not a whole number: '" + v.get(0) + "'");
        }
    }

    /** PostgreSQL text cannot hold NUL (a query with one fails), and no other control character is searchable text. */
    private static boolean hasControlCharacter(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    private static ApiProblem bad(String detail) {
        return new ApiProblem(400, "bad-request", "Bad request", detail);
    }
}
