package io.cachesync.core.views;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.catalog.KeyType;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ViewDocumentTest {
    private static final EntityCatalog CATALOG = EntityCatalog.from(Settings.of(Map.ofEntries(
            Map.entry("entities", "products,brands,stock,reviews"),
            Map.entry("views", "pages"),
            Map.entry("views.pages.root", "products"),
            Map.entry("views.pages.columns", "name,id"),
            Map.entry("views.pages.references", "brand"),
            Map.entry("views.pages.references.brand.entity", "brands"),
            Map.entry("views.pages.references.brand.columns", "name"),
            Map.entry("views.pages.children", "stock,reviews"),
            Map.entry("views.pages.children.stock.parent", "product_id"),
            Map.entry("views.pages.children.stock.columns", "qty"),
            Map.entry("views.pages.children.reviews.parent", "product_id"),
            Map.entry("views.pages.children.reviews.summary", "rating"))), new ArrayList<>());
    private static final ViewDefinition VIEW = CATALOG.view("pages").orElseThrow();

    private static JsonNode doc(String json) {
        return ValueCodec.parse(json);
    }

    @Test
    void fieldsInNameOrderReferencesAsObjectsChildrenByKeyAndSummaries() {
        Map<String, JsonNode> stock = new LinkedHashMap<>();
        stock.put("10", doc("{\"id\":10,\"product_id\":1,\"qty\":3}"));
        stock.put("9", doc("{\"id\":9,\"product_id\":1,\"qty\":1}"));
        Map<String, JsonNode> reviews = Map.of("1", doc("{\"rating\":5}"), "2", doc("{\"rating\":4}"), "3", doc("{\"rating\":null}"));
        Map<String, JsonNode> refs = new HashMap<>();
        refs.put("brand", doc("{\"country\":\"NL\",\"id\":7,\"name\":\"Acme\"}"));

        String composed = ViewDocument.compose(CATALOG, VIEW, doc("{\"brand_id\":7,\"id\":1,\"name\":\"p\",\"price\":\"1.10\"}"), refs,
                Map.of("stock", new ViewDocument.Items(stock), "reviews", new ViewDocument.Items(reviews)));

        assertThat(composed).as("stock 9 before 10: ordered by the key's number, not its text").isEqualTo(
                "{\"brand\":{\"name\":\"Acme\"},\"id\":1,\"name\":\"p\",\"reviews\":{\"avg_rating\":4.50,\"count\":3},"
                        + "\"stock\":[{\"qty\":1},{\"qty\":3}]}");
    }

    @Test
    void aMissingReferenceIsNullAndNoChildrenAnEmptyArrayAndANullAverage() {
        String composed = ViewDocument.compose(CATALOG, VIEW, doc("{\"brand_id\":null,\"id\":2,\"name\":\"q\"}"), new HashMap<>(), Map.of());

        assertThat(composed).isEqualTo("{\"brand\":null,\"id\":2,\"name\":\"q\",\"reviews\":{\"avg_rating\":null,\"count\":0},\"stock\":[]}");
    }

    @Test
    void summaryCountersAddAndSubtractExactlyAsTheItemsTheyCount() {
        ViewDocument.Summary s = ViewDocument.Summary.EMPTY
                .plus(doc("{\"r\":\"1.10\"}").get("r"), 1)
                .plus(doc("{\"r\":2}").get("r"), 1)
                .plus(doc("{\"r\":null}").get("r"), 1)
                .plus(doc("{\"r\":2}").get("r"), -1);

        assertThat(s).isEqualTo(new ViewDocument.Summary(2, 1, new BigDecimal("1.10")));
        assertThat(ViewDocument.compose(CATALOG, VIEW, doc("{\"id\":3,\"name\":\"x\"}"), new HashMap<>(), Map.of("reviews",
                new ViewDocument.Summary(3, 3, new BigDecimal("10")))))
                .contains("\"reviews\":{\"avg_rating\":3.33,\"count\":3}");
    }

    @Test
    void childrenAreOrderedByTheirKeyPartByPartABigintPartByItsNumber() {
        EntityKey composite = new EntityKey(List.of(new EntityKey.Column("region", KeyType.TEXT), new EntityKey.Column("no", KeyType.BIGINT)),
                EntityKey.Origin.CATALOG);
        List<String> ids = new ArrayList<>(List.of("us,1", "eu,204", "eu,4", "eu,-3", "e%2Cu,9"));
        ids.sort(ViewDocument.idOrder(composite));
        assertThat(ids).containsExactly("e%2Cu,9", "eu,-3", "eu,4", "eu,204", "us,1");
        List<String> single = new ArrayList<>(List.of("10", "9", "-1"));
        single.sort(ViewDocument.idOrder(EntityKey.single("id", KeyType.BIGINT)));
        assertThat(single).containsExactly("-1", "9", "10");
    }

    @Test
    void aComposedDocumentReadsBackToTheSameText() {
        String composed = ViewDocument.compose(CATALOG, VIEW, doc("{\"id\":4,\"name\":\"y\"}"), new HashMap<>(),
                Map.of("reviews", new ViewDocument.Summary(1, 1, new BigDecimal("4"))));

        assertThat(composed).contains("\"avg_rating\":4.00");
        assertThat(ValueCodec.encode(ValueCodec.parse(composed))).isEqualTo(composed);
    }
}
