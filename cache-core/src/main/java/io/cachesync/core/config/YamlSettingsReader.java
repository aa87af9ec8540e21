package io.cachesync.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a YAML config file ({@code cachesync.yaml}) into the flat keys every config class reads, so that a YAML file,
 * a properties file and environment variables all configure the same keys:
 * <pre>
 * redis:                                   redis.url=redis://127.0.0.1:6379
 *   url: redis://127.0.0.1:6379
 * sync: {audit-fraction: 0.1}              sync.audit-fraction=0.1
 * entities:                                entities=products,users            (names in file order)
 *   products:
 *     lists:                               entities.products.lists=category
 *       - {field: category, max-per-page: 100}   entities.products.lists.category.max-per-page=100
 *     search: {fields: [name, category]}   entities.products.search.fields=name,category
 *   users:
 *     sensitive: [password_hash]           entities.users.sensitive=password_hash
 * </pre>
 * Nested maps become dotted keys, lists of values are comma-joined, scalars keep the text YAML gives them
 * ({@code 0.1}, {@code 100}, {@code true}) and a null (an empty value, {@code ~}) leaves the key unset.
 * {@code entities.<name>.lists} is the one list of maps ({@code field} and {@code max-per-page}; a plain column name
 * is short for {@code {field: <name>}}). Every problem is collected with the path of the bad key and reported at
 * once as a {@link ConfigException}; YAML syntax errors name the line and column.
 *
 * <p>Longer than our ~250-line guide: most of it is the error reporting (a path and a reason for every kind of misplaced
 * value). YAML is read into the flat keys rather than bound to typed structures because an environment variable must be
 * able to override any one key of the file, and a properties file must configure the same keys (docs/architecture.md).
 */
public final class YamlSettingsReader {

    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // `key:` with no value is YAML's null, as `key: ~`
            .build();
    private static final String ENTITIES = "entities";
    private static final String LISTS = "lists";
    private static final String FIELD = "field";
    private static final String MAX_PER_PAGE = "max-per-page";
    private static final List<String> LIST_INDEX_KEYS = List.of(FIELD, MAX_PER_PAGE);
    /**
     * Maps of named parts, which also yield the list of their names as {@code entities:} does:
     * {@code views: {product_pages: {references: {brand: {via: brand_id}}}}} sets {@code views=product_pages},
     * {@code views.product_pages.references=brand} and {@code views.product_pages.references.brand.via=brand_id}.
     */
    private static final Pattern NAMED_MAPS = Pattern.compile("views|views\\.[^.]+\\.(references|children)");
    /** How SnakeYAML marks a position in its messages: {@code  in 'reader', line 3, column 5:}. */
    private static final Pattern MARK = Pattern.compile("^\\s*in '[^']*', line (\\d+), column (\\d+):?\\s*$");

    private YamlSettingsReader() {
    }

    /** Whether a config file is YAML (its name ends in {@code .yaml} or {@code .yml}); anything else is a properties file. */
    public static boolean isYaml(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /**
     * The flat keys and values of a YAML config file, in file order.
     *
     * @throws ConfigException naming the file and every bad key's path, or the line and column of a syntax error
     */
    public static Map<String, String> read(Path file) {
        String source = "config file " + file;
        List<String> problems = new ArrayList<>();
        Object root;
        try (Reader reader = Files.newBufferedReader(file); JsonParser parser = YAML.createParser(reader)) {
            root = new TreeReader(parser, problems).document();
        } catch (JsonProcessingException e) {
            throw ConfigException.of(source, List.of(syntaxError(e)));
        } catch (IOException e) {
            throw new ConfigException(source + " cannot be read: " + e.getMessage());
        }
        Map<String, String> values = new Flattener(problems).flatten(root);
        if (!problems.isEmpty()) {
            throw ConfigException.of(source, problems);
        }
        return values;
    }

    /**
     * Reads the document into plain values: {@code Map<String, Object>} (in file order), {@code List<Object>},
     * {@link Scalar} and {@code null}, noting duplicate keys, aliases and extra documents.
     */
    private static final class TreeReader {
        private final JsonParser parser;
        private final List<String> problems;

        TreeReader(JsonParser parser, List<String> problems) {
            this.parser = parser;
            this.problems = problems;
        }

        Object document() throws IOException {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null; // an empty file sets nothing
            }
            Object root = value("", first);
            if (parser.nextToken() != null) {
                problems.add("the file holds more than one YAML document (---): put every setting in the first one");
            }
            return root;
        }

        private Object value(String path, JsonToken token) throws IOException {
            if (token == null) {
                throw new JsonParseException(parser, "unexpected end of the document");
            }
            switch (token) {
                case START_OBJECT: {
                    Map<String, Object> map = new LinkedHashMap<>();
                    JsonToken t;
                    while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
                        String key = parser.currentName();
                        String keyPath = path.isEmpty() ? key : path + "." + key;
                        Object v = value(keyPath, parser.nextToken());
                        if (key.isBlank()) {
                            problems.add((path.isEmpty() ? "the document root" : path) + ": a key is empty");
                        } else if (map.containsKey(key)) {
                            problems.add(keyPath + " is set twice");
                        } else {
                            map.put(key, v);
                        }
                    }
                    if (t != JsonToken.END_OBJECT) {
                        throw new JsonParseException(parser, "unexpected " + t + " in a map");
                    }
                    return map;
                }
                case START_ARRAY: {
                    List<Object> list = new ArrayList<>();
                    JsonToken t;
                    while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                        list.add(value(path + "[" + list.size() + "]", t));
                    }
                    return list;
                }
                case VALUE_NULL:
                    return null;
                default:
                    if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
                        problems.add((path.isEmpty() ? "the document root" : path) + ": YAML aliases (*" + parser.getText()
                                + ") are not supported; write the value out");
                        return null;
                    }
                    // numbers and booleans keep the text written in the file (0.10 stays 0.10, yes stays yes)
                    return new Scalar(parser.getText());
            }
        }
    }

    /** A YAML scalar as written (strings, numbers, booleans alike). */
    private record Scalar(String text) {
    }

    /** Turns the document into flat keys, adding a problem for every value that has no flat form. */
    private static final class Flattener {
        private final List<String> problems;
        private final Map<String, String> out = new LinkedHashMap<>();

        Flattener(List<String> problems) {
            this.problems = problems;
        }

        Map<String, String> flatten(Object root) {
            if (root == null) {
                return out;
            }
            if (!(root instanceof Map<?, ?> map)) {
                problems.add("the document root must be a map of settings (such as 'redis: {url: ...}'), found " + kind(root));
                return out;
            }
            map.forEach((k, v) -> {
                if (k.equals(ENTITIES)) {
                    entities(v);
                } else {
                    walk((String) k, v);
                }
            });
            return out;
        }

        private void walk(String path, Object node) {
            if (node == null) {
                return; // null leaves the key unset
            }
            if (node instanceof Scalar s) {
                put(path, s.text());
            } else if (node instanceof Map<?, ?> map) {
                if (NAMED_MAPS.matcher(path).matches()) {
                    put(path, map.keySet().stream().map(String::valueOf).collect(Collectors.joining(",")));
                }
                map.forEach((k, v) -> walk(path + "." + k, v));
            } else {
                List<String> values = new ArrayList<>();
                List<?> items = (List<?>) node;
                for (int i = 0; i < items.size(); i++) {
                    String itemPath = path + "[" + i + "]";
                    Object item = items.get(i);
                    if (item instanceof Scalar s) {
                        if (separable(itemPath, s.text())) {
                            values.add(s.text());
                        }
                    } else if (item == null) {
                        problems.add(itemPath + " is empty");
                    } else if (item instanceof Map) {
                        problems.add(itemPath + " is a map, but only entities.<name>.lists takes a list of maps: write "
                                + path + " as a list of values");
                    } else {
                        problems.add(itemPath + " is a list: write " + path + " as one list of values");
                    }
                }
                put(path, String.join(",", values));
            }
        }

        /** {@code entities:} maps each entity name to its settings and also yields {@code entities=<names>}. */
        private void entities(Object node) {
            if (node == null) {
                return;
            }
            if (!(node instanceof Map<?, ?> map)) {
                problems.add("entities must be a map of entity name to its settings (such as 'entities: {products: "
                        + "{table: public.products}}'), found " + kind(node));
                return;
            }
            List<String> names = new ArrayList<>();
            map.forEach((k, v) -> {
                String name = (String) k;
                String path = ENTITIES + "." + name;
                if (name.chars().anyMatch(c -> c == ',' || Character.isWhitespace(c))) {
                    problems.add("entities: '" + name + "' is not a valid entity name (lower-case letters, digits, _; starting with a letter)");
                    return;
                }
                names.add(name);
                if (v instanceof Map<?, ?> settings) {
                    settings.forEach((key, value) -> {
                        if (key.equals(LISTS)) {
                            lists(path + "." + LISTS, value);
                        } else {
                            walk(path + "." + key, value);
                        }
                    });
                } else if (v != null) { // a null entity takes every default
                    problems.add(path + " must be a map of the entity's settings (table, key, ttl, ...), found " + kind(v));
                }
            });
            put(ENTITIES, String.join(",", names));
        }

        /** {@code lists: [{field: category, max-per-page: 100}]} → {@code lists=category}, {@code lists.category.max-per-page=100}. */
        private void lists(String path, Object node) {
            if (node == null) {
                return;
            }
            if (node instanceof Scalar s) {
                put(path, s.text()); // comma-separated column names, as in a properties file
                return;
            }
            if (!(node instanceof List<?> items)) {
                problems.add(path + " must be a list of {field: <column>, max-per-page: <n>}, found " + kind(node));
                return;
            }
            Set<String> fields = new LinkedHashSet<>();
            for (int i = 0; i < items.size(); i++) {
                String itemPath = path + "[" + i + "]";
                Object item = items.get(i);
                String field;
                Object maxPerPage = null;
                if (item instanceof Scalar s) {
                    field = s.text(); // `- category` is short for `- {field: category}`
                } else if (item instanceof Map<?, ?> index) {
                    for (Object key : index.keySet()) {
                        if (!LIST_INDEX_KEYS.contains(key)) {
                            problems.add(itemPath + ": unknown key '" + key + "' (expected " + String.join(", ", LIST_INDEX_KEYS) + ")");
                        }
                    }
                    Object f = index.get(FIELD);
                    if (f == null || f instanceof Scalar fs && fs.text().isBlank()) {
                        problems.add(itemPath + "." + FIELD + " is missing");
                        continue;
                    }
                    if (!(f instanceof Scalar fs)) {
                        problems.add(itemPath + "." + FIELD + " must be a column name, found " + kind(f));
                        continue;
                    }
                    field = fs.text();
                    maxPerPage = index.get(MAX_PER_PAGE);
                } else {
                    problems.add(itemPath + " must be {field: <column>, max-per-page: <n>}, found " + kind(item));
                    continue;
                }
                if (!separable(itemPath + (item instanceof Map ? "." + FIELD : ""), field)) {
                    continue;
                }
                if (!fields.add(field)) {
                    problems.add(itemPath + ": field '" + field + "' is listed twice");
                    continue;
                }
                if (maxPerPage instanceof Scalar m) {
                    put(path + "." + field + "." + MAX_PER_PAGE, m.text());
                } else if (maxPerPage != null) {
                    problems.add(itemPath + "." + MAX_PER_PAGE + " must be a whole number, found " + kind(maxPerPage));
                }
            }
            put(path, String.join(",", fields));
        }

        /** A value of a comma-joined list must not hold a comma itself. */
        private boolean separable(String path, String value) {
            if (value.contains(",")) {
                problems.add(path + ": '" + value + "' holds a comma; write each value as its own list item");
                return false;
            }
            return true;
        }

        private void put(String key, String value) {
            if (out.putIfAbsent(key, value) != null) {
                problems.add(key + " is set twice");
            }
        }

        private static String kind(Object node) {
            if (node instanceof Scalar s) {
                return "the value '" + s.text() + "'";
            }
            return node instanceof Map ? "a map" : "a list";
        }
    }

    /**
     * {@code YAML syntax error at line 3, column 1: found unexpected end of stream (while scanning a quoted scalar at
     * line 2, column 4)}: SnakeYAML's message without its source excerpts, placed at the problem's position.
     */
    private static String syntaxError(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        List<String> sentences = new ArrayList<>();
        List<String> marks = new ArrayList<>();
        for (String line : message.split("\\R")) {
            Matcher m = MARK.matcher(line);
            if (m.matches() && !sentences.isEmpty()) {
                marks.set(marks.size() - 1, "line " + m.group(1) + ", column " + m.group(2));
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                sentences.add(line.trim());
                marks.add(null);
            } // else: an excerpt of the file or its ^ pointer
        }
        if (sentences.isEmpty()) {
            sentences.add(message.trim());
            marks.add(null);
        }
        int last = sentences.size() - 1;
        String where = marks.get(last);
        JsonLocation loc = e.getLocation();
        if (where == null && loc != null && loc.getLineNr() > 0) {
            where = "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        }
        StringBuilder sb = new StringBuilder("YAML syntax error");
        if (where != null) {
            sb.append(" at ").append(where);
        }
        sb.append(": ").append(sentences.get(last));
        if (last > 0) {
            List<String> context = new ArrayList<>();
            for (int i = 0; i < last; i++) {
                context.add(sentences.get(i) + (marks.get(i) == null ? "" : " at " + marks.get(i)));
            }
            sb.append(" (").append(String.join("; ", context)).append(')');
        }
        return sb.toString();
    }
}
