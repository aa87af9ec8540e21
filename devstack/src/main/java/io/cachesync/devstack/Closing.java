package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Stops several servers, each even when an earlier one failed to stop, and reports the first failure afterwards. */
public final class Closing {
    private static final Logger LOG = LoggerFactory.getLogger(Closing.class);

    private Closing() {
    }

    /** Closes every one of {@code parts} in order; throws the first failure once all were tried. */
    public static void all(String what, List<? extends AutoCloseable> parts) {
        RuntimeException first = null;
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("devstack: error while stopping {} ({}): {}", what, c, e.toString());
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new DevStackException(e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
