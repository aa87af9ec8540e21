package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.TypedKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The views of the configuration ({@link ViewDefinition}):
 * <pre>
 * views=product_pages
 * views.product_pages.root=products                          (an entity fed by CDC)
 * views.product_pages.columns=id,name,price                  (default: every cached column of the root)
 * views.product_pages.references=brand
 * views.product_pages.references.brand.entity=brands         (default: the reference's name)
 * views.product_pages.references.brand.via=brand_id          (default: &lt;reference&gt;_id)
 * views.product_pages.references.brand.columns=id,name       (default: every cached column)
 * views.product_pages.children=stock,reviews
 * views.product_pages.children.reviews.entity=reviews        (default: the child's name)
 * views.product_pages.children.reviews.parent=product_id     (required)
 * views.product_pages.children.reviews.summary=rating        (count and average instead of an array)
 * views.product_pages.ttl=1h
 * </pre>
 */
public final class ViewDefinitions {
    public static final ConfigKey VIEWS = ConfigKey.of("views",
            "Comma-separated names of the views (documents composed of several entities); each is configured under views.<name>.*", "");
    public static final ConfigKey ROOT = ConfigKey.of("views.<name>.root", "The entity (fed by CDC) whose rows the view's documents are", "");
    public static final ConfigKey COLUMNS = ConfigKey.of("views.<name>.columns",
            "Root columns in the document (comma-separated; default: every cached column)", "");
    public static final ConfigKey REFERENCES = ConfigKey.of("views.<name>.references",
            "Names of the rows the root references, each embedded as an object (comma-separated)", "");
    public static final ConfigKey REF_ENTITY = ConfigKey.of("views.<name>.references.<ref>.entity",
            "The referenced entity (default: the reference's name)", "");
    public static final ConfigKey REF_VIA = ConfigKey.of("views.<name>.references.<ref>.via",
            "The root column holding the referenced row's key (default: <ref>_id)", "");
    public static final ConfigKey REF_COLUMNS = ConfigKey.of("views.<name>.references.<ref>.columns",
            "Columns of the referenced row in the document (default: every cached column)", "");
    public static final ConfigKey CHILDREN = ConfigKey.of("views.<name>.children",
            "Names of the child collections, each embedded as an array or a summary (comma-separated)", "");
    public static final ConfigKey CHILD_ENTITY = ConfigKey.of("views.<name>.children.<child>.entity",
            "The child entity (default: the child's name)", "");
    public static final ConfigKey CHILD_PARENT = ConfigKey.of("views.<name>.children.<child>.parent",
            "The child column holding the root's key (required)", "");
    public static final ConfigKey CHILD_COLUMNS = ConfigKey.of("views.<name>.children.<child>.columns",
            "Columns of each child in the array (default: every cached column)", "");
    public static final ConfigKey CHILD_SUMMARY = ConfigKey.of("views.<name>.children.<child>.summary",
            "A numeric child column: embed {\"count\": n, \"avg_<column>\": average} instead of the array", "");
    public static final TypedKey<Duration> TTL = TypedKey.positiveDuration("views.<name>.ttl",
            "Time to live of a cached document (before jitter)", Duration.ofHours(1));
    public static final TypedKey<Duration> TOMBSTONE_TTL = TypedKey.positiveDuration("views.<name>.tombstone-ttl",
            "Time to live of a tombstone (a deleted root, or a fill that found none) and of the version an uncached change leaves", Duration.ofSeconds(60));
    public static final TypedKey<Duration> HTTP_MAX_AGE = TypedKey.duration("views.<name>.http-max-age",
            "Cache-Control max-age of a document (0 for no-cache)", Duration.ofSeconds(5));

    /** Every key of a view, in the order the documentation shows them. */
    public static final List<ConfigKey> VIEW_KEYS = List.of(ROOT, COLUMNS, REFERENCES, REF_ENTITY, REF_VIA, REF_COLUMNS,
            CHILDREN, CHILD_ENTITY, CHILD_PARENT, CHILD_COLUMNS, CHILD_SUMMARY, TTL, TOMBSTONE_TTL, HTTP_MAX_AGE);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final double TTL_JITTER = 0.1;

    private ViewDefinitions() {
    }

    /** The views and the entity each is served as; every problem is added to {@code problems} with the key that causes it. */
    static List<Parsed> from(Settings s, Map<String, EntityDefinition> entities, List<String> problems) {
        List<Parsed> out = new ArrayList<>();
        for (String name : Settings.list(s.get(VIEWS))) {
            if (!NAME.matcher(name).matches()) {
                problems.add("views: '" + name + "' is not a valid view name (lower-case letters, digits, _; starting with a letter)");
                continue;
            }
            if (entities.containsKey(name)) {
                problems.add("views: '" + name + "' is also an entity's name: a view needs a name of its own");
                continue;
            }
            int before = problems.size();
            String rootName = s.raw(ROOT.at(name)).orElse("");
            EntityDefinition root = part(entities, rootName, ROOT.at(name), problems);
            if (root == null) {
                continue;
            }
            List<String> columns = columns(s, COLUMNS.at(name), root, problems);
            Set<String> embedded = new HashSet<>();
            List<ViewDefinition.Reference> refs = new ArrayList<>();
            for (String ref : names(s, REFERENCES.at(name), NAME, "a plain lower-case name", problems)) {
                String entity = s.raw(at(REF_ENTITY, name, "<ref>", ref)).orElse(ref);
                EntityDefinition e = part(entities, entity, at(REF_ENTITY, name, "<ref>", ref), problems);
                String via = s.raw(at(REF_VIA, name, "<ref>", ref)).orElse(ref + "_id");
                column(root, via, at(REF_VIA, name, "<ref>", ref), problems);
                if (e != null) {
                    refs.add(new ViewDefinition.Reference(ref, entity, via, columns(s, at(REF_COLUMNS, name, "<ref>", ref), e, problems)));
                }
                embed(name, ref, root, columns, embedded, problems);
            }
            List<ViewDefinition.Child> children = new ArrayList<>();
            for (String child : names(s, CHILDREN.at(name), NAME, "a plain lower-case name", problems)) {
                String entity = s.raw(at(CHILD_ENTITY, name, "<child>", child)).orElse(child);
                EntityDefinition e = part(entities, entity, at(CHILD_ENTITY, name, "<child>", child), problems);
                Optional<String> parent = s.raw(at(CHILD_PARENT, name, "<child>", child));
                if (parent.isEmpty()) {
                    problems.add(at(CHILD_PARENT, name, "<child>", child) + " is required: the column of " + entity + " holding the key of its " + rootName + " row");
                }
                Optional<String> summary = s.raw(at(CHILD_SUMMARY, name, "<child>", child)).filter(v -> !v.isBlank()).map(String::trim);
                if (e != null) {
                    parent.ifPresent(p -> column(e, p, at(CHILD_PARENT, name, "<child>", child), problems));
                    summary.ifPresent(c -> column(e, c, at(CHILD_SUMMARY, name, "<child>", child), problems));
                    children.add(new ViewDefinition.Child(child, entity, parent.orElse(""),
                            columns(s, at(CHILD_COLUMNS, name, "<child>", child), e, problems), summary));
                }
                embed(name, child, root, columns, embedded, problems);
            }
            if (problems.size() > before) {
                continue;
            }
            ViewDefinition view = new ViewDefinition(name, rootName, columns, refs, children);
            EntityDefinition served = new EntityDefinition(name, root.schema(), root.table(), root.key(),
                    TTL.read(s, TTL.at(name), problems), TTL_JITTER, TOMBSTONE_TTL.read(s, TOMBSTONE_TTL.at(name), problems),
                    root.sensitive(), new QueryOptions(List.of(), Duration.ofMinutes(5), List.of(), Duration.ofSeconds(30),
                    HTTP_MAX_AGE.read(s, HTTP_MAX_AGE.at(name), problems)), EntityDefinition.Source.VIEW, root.generated());
            out.add(new Parsed(view, served));
        }
        return out;
    }

    /** A view and the entity it is served as. */
    record Parsed(ViewDefinition view, EntityDefinition served) {
    }

    private static String at(ConfigKey key, String view, String placeholder, String part) {
        return key.at(view).replace(placeholder, part);
    }

    private static EntityDefinition part(Map<String, EntityDefinition> entities, String name, String key, List<String> problems) {
        EntityDefinition e = entities.get(name);
        if (name.isBlank()) {
            problems.add(key + " is required: name an entity fed by CDC");
        } else if (e == null) {
            problems.add(key + ": '" + name + "' is not an entity (every part of a view is configured under entities=…)");
        } else if (e.source() != EntityDefinition.Source.CDC) {
            problems.add(key + ": '" + name + "' is fed by " + e.source().name().toLowerCase() + ", and a view's parts must be fed by CDC");
        } else {
            return e;
        }
        return null;
    }

    /**
     * @param allowed {@link #NAME} for the names of references and children, a column name for columns
     * @param what    what {@code allowed} admits, for the problem
     */
    private static List<String> names(Settings s, String key, Pattern allowed, String what, List<String> problems) {
        List<String> out = Settings.list(s.raw(key).orElse(""));
        for (String n : out) {
            if (!allowed.matcher(n).matches()) {
                problems.add(key + ": '" + n + "' is not " + what);
            }
        }
        if (new HashSet<>(out).size() != out.size()) {
            problems.add(key + " names one twice: " + out);
        }
        return out.stream().filter(n -> allowed.matcher(n).matches()).distinct().toList();
    }

    private static List<String> columns(Settings s, String key, EntityDefinition e, List<String> problems) {
        List<String> out = names(s, key, EntityCatalog.IDENTIFIER, "a column name (" + EntityCatalog.IDENTIFIER_RULE + ")", problems);
        out.forEach(c -> column(e, c, key, problems));
        return out;
    }

    /** A column the view reads must be cached: a sensitive column never leaves its table. */
    private static void column(EntityDefinition e, String column, String key, List<String> problems) {
        if (!EntityCatalog.IDENTIFIER.matcher(column).matches()) {
            problems.add(key + ": '" + column + "' is not a column name (" + EntityCatalog.IDENTIFIER_RULE + ")");
        } else if (!e.isCached(column)) {
            problems.add(key + ": '" + column + "' is a sensitive column of " + e.name() + " (never cached nor served)");
        }
    }

    /** An embedded name must not hide a root column nor another embedded part. */
    private static void embed(String view, String part, EntityDefinition root, List<String> columns, Set<String> embedded, List<String> problems) {
        if (!embedded.add(part)) {
            problems.add("views." + view + ": '" + part + "' is both a reference and a child; each embedded part needs its own name");
        }
        if (columns.contains(part)) {
            problems.add("views." + view + ": '" + part + "' is a root column in views." + view + ".columns and an embedded part");
        }
    }

    /**
     * What the database must hold for the view (run at start with the entities' resolved keys and their tables'
     * columns): the root and the referenced entities keyed by one column, every named column present.
     */
    public static List<String> problems(ViewDefinition v, EntityCatalog catalog, Function<EntityDefinition, Set<String>> tableColumns) {
        List<String> problems = new ArrayList<>();
        String where = "views." + v.name();
        EntityDefinition root = catalog.byName(v.root()).orElseThrow();
        if (root.key().composite()) {
            problems.add(where + ": the root " + root.name() + " has a composite key " + root.key().names()
                    + "; views need roots and referenced rows keyed by one column");
        }
        Set<String> rootColumns = tableColumns.apply(root);
        v.columns().forEach(c -> present(where + ".columns", root, c, rootColumns, problems));
        for (ViewDefinition.Reference r : v.references()) {
            EntityDefinition e = catalog.byName(r.entity()).orElseThrow();
            if (e.key().composite()) {
                problems.add(where + ".references." + r.name() + ": " + e.name() + " has a composite key " + e.key().names()
                        + "; a reference is followed through one column");
            }
            present(where + ".references." + r.name() + ".via", root, r.via(), rootColumns, problems);
            Set<String> cols = tableColumns.apply(e);
            r.columns().forEach(c -> present(where + ".references." + r.name() + ".columns", e, c, cols, problems));
        }
        for (ViewDefinition.Child ch : v.children()) {
            EntityDefinition e = catalog.byName(ch.entity()).orElseThrow();
            Set<String> cols = tableColumns.apply(e);
            present(where + ".children." + ch.name() + ".parent", e, ch.parent(), cols, problems);
            ch.summary().ifPresent(c -> present(where + ".children." + ch.name() + ".summary", e, c, cols, problems));
            ch.columns().forEach(c -> present(where + ".children." + ch.name() + ".columns", e, c, cols, problems));
        }
        return problems;
    }

    private static void present(String key, EntityDefinition e, String column, Set<String> columns, List<String> problems) {
        if (!columns.isEmpty() && !columns.contains(column)) {
            problems.add(key + ": " + e.qualifiedTable() + " has no column '" + column + "'");
        } else if (e.generated().contains(column)) {
            problems.add(key + ": '" + column + "' is a generated column of " + e.qualifiedTable() + ": logical replication does not "
                    + "carry its value, so cachesync never caches it");
        }
    }
}
