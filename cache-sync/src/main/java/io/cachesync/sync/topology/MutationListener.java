package io.cachesync.sync.topology;

import io.cachesync.sync.envelope.CacheMutation;

/** Told about every mutation after its Redis write was acknowledged (the auditor samples these). */
@FunctionalInterface
public interface MutationListener {
    MutationListener NONE = m -> { };

    void applied(CacheMutation m);
}
