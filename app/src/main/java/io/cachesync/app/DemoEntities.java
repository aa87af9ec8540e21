package io.cachesync.app;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entity configuration of {@code cachesync demo}'s tables ({@code public.products}, {@code public.users}, whose
 * {@code password_hash} is sensitive). It lives in the service CLI because {@code cachesync verify --ports-file} checks
 * a running demo with it; the demo itself (cachesync-devtools) creates the tables and runs with the same map.
 */
public final class DemoEntities {
    /** The {@code entities.*} keys the demo runs with. */
    public static final Map<String, String> CONFIG = Map.of(
            "entities", "products,users",
            "entities.products.table", "public.products",
            "entities.products.key", "id",
            "entities.products.lists", "category",
            "entities.products.lists.category.max-per-page", "100",
            "entities.products.search.fields", "name,category",
            "entities.users.table", "public.users",
            "entities.users.key", "id",
            "entities.users.sensitive", "password_hash");

    /**
     * The view {@code product_pages} and its parts: a product with its brand (a reference through {@code brand_id}), its
     * stock per warehouse (children embedded as an array) and a summary of its reviews (count and average rating).
     * With {@link #CONFIG}: {@link #WITH_VIEWS}.
     */
    public static final Map<String, String> VIEW_CONFIG = Map.ofEntries(
            Map.entry("entities.brands.key", "id"),
            Map.entry("entities.stock.key", "id"),
            Map.entry("entities.reviews.key", "id"),
            Map.entry("views", "product_pages"),
            Map.entry("views.product_pages.root", "products"),
            Map.entry("views.product_pages.columns", "id,name,category,price"),
            Map.entry("views.product_pages.references", "brand"),
            Map.entry("views.product_pages.references.brand.entity", "brands"),
            Map.entry("views.product_pages.references.brand.via", "brand_id"),
            Map.entry("views.product_pages.references.brand.columns", "id,name,country"),
            Map.entry("views.product_pages.children", "stock,reviews"),
            Map.entry("views.product_pages.children.stock.parent", "product_id"),
            Map.entry("views.product_pages.children.stock.columns", "warehouse,quantity"),
            Map.entry("views.product_pages.children.reviews.parent", "product_id"),
            Map.entry("views.product_pages.children.reviews.summary", "rating"));

    /** The demo's whole configuration: its entities, the view's parts and the view. */
    public static final Map<String, String> WITH_VIEWS = withViews();

    private static Map<String, String> withViews() {
        Map<String, String> all = new LinkedHashMap<>(CONFIG);
        all.putAll(VIEW_CONFIG);
        all.put("entities", CONFIG.get("entities") + ",brands,stock,reviews");
        return Map.copyOf(all);
    }

    private DemoEntities() {
    }
}
