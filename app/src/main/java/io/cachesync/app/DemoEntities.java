package io.cachesync.app;

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

    private DemoEntities() {
    }
}
