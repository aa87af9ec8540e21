package io.cachesync.sync.topology;

/**
 * Every node, store and internal topic of the view topology ({@link ViewTopology}), named from the view and part names:
 * a generated name would shift when a view is added, and renaming a store or repartition topic loses its state.
 */
final class ViewNames {
    private ViewNames() {
    }


    static String source(String entity) {
        return "view-part-source-" + entity;
    }

    static String parse(String entity) {
        return "view-part-parse-" + entity;
    }

    /** The part's rows by id: a state store, its changelog and the repartition topic keyed by id. */
    static String part(String entity) {
        return "view-part-" + entity;
    }

    /** Each row of the part by id with its version, kept so that a TRUNCATE of the part's table can delete them. */
    static String partVersions(String entity) {
        return "view-part-" + entity + "-versions";
    }

    static String start(String view) {
        return "view-" + view + "-root";
    }

    static String reference(String view, String ref) {
        return "view-" + view + "-ref-" + ref;
    }

    static String childFilter(String view, String child) {
        return "view-" + view + "-child-" + child + "-with-parent";
    }

    static String childGroup(String view, String child) {
        return "view-" + view + "-child-" + child + "-by-parent";
    }

    static String childAggregate(String view, String child) {
        return "view-" + view + "-child-" + child + "-agg";
    }

    static String childJoin(String view, String child) {
        return "view-" + view + "-child-" + child + "-join";
    }

    static String changes(String view) {
        return "view-" + view + "-changes";
    }

    static String rootDeletes(String view) {
        return "view-" + view + "-root-deletes";
    }

    static String apply(String view) {
        return "view-" + view + "-apply-to-redis";
    }

    /** The pending Redis writes of a view's task, flushed before every commit. */
    static String batchStore(String view) {
        return "redis-batch-view-" + view;
    }
}
