package io.cachesync.core.catalog;

import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ViewDefinitionsTest {
    private static final Map<String, String> BASE = Map.of(
            "entities", "products,brands,reviews,users",
            "entities.users.sensitive", "password_hash",
            "views", "product_pages",
            "views.product_pages.root", "products",
            "views.product_pages.references", "brand",
            "views.product_pages.references.brand.entity", "brands",
            "views.product_pages.children", "reviews",
            "views.product_pages.children.reviews.parent", "product_id",
            "views.product_pages.children.reviews.summary", "rating");

    private static EntityCatalog parse(Map<String, String> overrides, List<String> problems) {
        Map<String, String> m = new HashMap<>(BASE);
        m.putAll(overrides);
        m.values().removeIf(String::isEmpty);
        return EntityCatalog.from(Settings.of(m), problems);
    }

    private static List<String> problemsOf(Map<String, String> overrides) {
        List<String> problems = new ArrayList<>();
        parse(overrides, problems);
        return problems;
    }

    @Test
    void aViewIsServedAsAnEntityKeyedByItsRootWithItsPartsDeclared() {
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = parse(Map.of(), problems);

        assertThat(problems).isEmpty();
        ViewDefinition v = catalog.view("product_pages").orElseThrow();
        assertThat(v.root()).isEqualTo("products");
        assertThat(v.columns()).as("every cached column").isEmpty();
        assertThat(v.references()).containsExactly(new ViewDefinition.Reference("brand", "brands", "brand_id", List.of()));
        assertThat(v.children()).containsExactly(new ViewDefinition.Child("reviews", "reviews", "product_id", List.of(), Optional.of("rating")));
        assertThat(v.parts()).containsExactly("products", "brands", "reviews");
        EntityDefinition served = catalog.byName("product_pages").orElseThrow();
        assertThat(served.source()).isEqualTo(EntityDefinition.Source.VIEW);
        assertThat(served.qualifiedTable()).isEqualTo("public.products");
        assertThat(catalog.byTable("public.products")).map(EntityDefinition::name).as("the table stays the entity's").contains("products");
        assertThat(catalog.cdcFed()).extracting(EntityDefinition::name).doesNotContain("product_pages");
    }

    @Test
    void theViewFollowsItsRootsResolvedKey() {
        EntityCatalog catalog = parse(Map.of(), new ArrayList<>());
        EntityKey uuid = EntityKey.single("product_uuid", KeyType.UUID_TYPE);

        EntityCatalog resolved = catalog.withKeys(Map.of("products", uuid));

        assertThat(resolved.byName("product_pages").orElseThrow().key()).isEqualTo(uuid);
        assertThat(resolved.view("product_pages")).isPresent();
    }

    @Test
    void everyMistakeIsNamedWithItsKey() {
        assertThat(problemsOf(Map.of("views.product_pages.root", ""))).anyMatch(p -> p.startsWith("views.product_pages.root is required"));
        assertThat(problemsOf(Map.of("views.product_pages.root", "orders")))
                .anyMatch(p -> p.contains("views.product_pages.root: 'orders' is not an entity"));
        assertThat(problemsOf(Map.of("views.product_pages.references.brand.entity", "makers")))
                .anyMatch(p -> p.contains("views.product_pages.references.brand.entity: 'makers' is not an entity"));
        assertThat(problemsOf(Map.of("views.product_pages.children.reviews.parent", "")))
                .anyMatch(p -> p.startsWith("views.product_pages.children.reviews.parent is required"));
        assertThat(problemsOf(Map.of("views", "products"))).anyMatch(p -> p.contains("'products' is also an entity's name"));
        assertThat(problemsOf(Map.of("views.product_pages.columns", "id,brand")))
                .anyMatch(p -> p.contains("'brand' is a root column in views.product_pages.columns and an embedded part"));
        assertThat(problemsOf(Map.of("views.product_pages.children", "reviews,brand", "views.product_pages.children.brand.parent", "x")))
                .anyMatch(p -> p.contains("'brand' is both a reference and a child"));
        assertThat(problemsOf(Map.of("entities.products.source", "commands")))
                .anyMatch(p -> p.contains("'products' is fed by commands, and a view's parts must be fed by CDC"));
    }

    @Test
    void aSensitiveColumnCannotBeTakenIntoAView() {
        assertThat(problemsOf(Map.of("views.product_pages.references", "owner", "views.product_pages.references.owner.entity", "users",
                "views.product_pages.references.owner.columns", "name,password_hash")))
                .containsExactly("views.product_pages.references.owner.columns: 'password_hash' is a sensitive column of users (never cached nor served)");
    }

    @Test
    void atStartEveryNamedColumnMustExistAndRootsAndReferencesNeedOneKeyColumn() {
        EntityCatalog catalog = parse(Map.of("views.product_pages.columns", "id,nme"), new ArrayList<>())
                .withKeys(Map.of("brands", new EntityKey(List.of(new EntityKey.Column("a", KeyType.BIGINT), new EntityKey.Column("b", KeyType.BIGINT)),
                        EntityKey.Origin.DECLARED)));
        Map<String, Set<String>> tables = Map.of("products", Set.of("id", "name", "brand_id"), "brands", Set.of("a", "b", "name"),
                "reviews", Set.of("id", "product_id", "stars"));

        List<String> problems = ViewDefinitions.problems(catalog.view("product_pages").orElseThrow(), catalog, e -> tables.get(e.name()));

        assertThat(problems).containsExactlyInAnyOrder(
                "views.product_pages.columns: public.products has no column 'nme'",
                "views.product_pages.references.brand: brands has a composite key [a, b]; a reference is followed through one column",
                "views.product_pages.children.reviews.summary: public.reviews has no column 'rating'");
    }
}
