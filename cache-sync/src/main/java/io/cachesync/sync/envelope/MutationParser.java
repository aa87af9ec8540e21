package io.cachesync.sync.envelope;

/** Turns a record of one input topic into a mutation, or rejects it with a reason for the dead-letter topic. */
@FunctionalInterface
public interface MutationParser {
    CacheMutation parse(String topic, byte[] value) throws PoisonRecordException;
}
