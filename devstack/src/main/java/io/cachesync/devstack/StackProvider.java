package io.cachesync.devstack;

import io.cachesync.devstack.containers.DockerEngine;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Which servers the devstack runs: the embedded ones (the default), Docker containers through Testcontainers, or
 * {@code auto} (containers when a Docker engine answers, embedded otherwise). Set by the system property
 * {@value #PROPERTY} (the Maven profile {@code docker} sets it for the tests) or the environment variable
 * {@value #ENV}; {@code cachesync demo --stack} names one for the demo.
 */
public enum StackProvider {
    EMBEDDED, TESTCONTAINERS, AUTO;

    public static final String PROPERTY = "cachesync.devstack";
    public static final String ENV = "CACHESYNC_DEVSTACK";

    /** The provider the setting names (system property, then environment), {@link #EMBEDDED} when neither is set. */
    public static StackProvider configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
        }
        return value == null || value.isBlank() ? EMBEDDED : parse(value);
    }

    /** The configured provider as it runs here: {@link #EMBEDDED} or {@link #TESTCONTAINERS} (see {@link #resolve}). */
    public static StackProvider chosen() {
        return configured().resolve(DockerEngine::answers);
    }

    /**
     * {@code embedded}, {@code testcontainers} or {@code auto}, in any case.
     *
     * @throws DevStackException naming the accepted values for anything else
     */
    public static StackProvider parse(String value) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.label().equals(name)).findFirst()
                .orElseThrow(() -> new DevStackException("devstack: unknown provider '" + value + "' (" + PROPERTY + ", " + ENV
                        + ", --stack); accepted values: " + accepted()));
    }

    /** "embedded, testcontainers, auto". */
    public static String accepted() {
        return Arrays.stream(values()).map(StackProvider::label).collect(Collectors.joining(", "));
    }

    /**
     * The provider that runs: {@link #AUTO} becomes {@link #TESTCONTAINERS} when {@code engineAnswers}, {@link #EMBEDDED}
     * otherwise; {@link #TESTCONTAINERS} needs an engine.
     *
     * @throws DevStackException when {@link #TESTCONTAINERS} is asked for and no Docker engine answers
     */
    public StackProvider resolve(BooleanSupplier engineAnswers) {
        return switch (this) {
            case EMBEDDED -> EMBEDDED;
            case AUTO -> engineAnswers.getAsBoolean() ? TESTCONTAINERS : EMBEDDED;
            case TESTCONTAINERS -> {
                if (!engineAnswers.getAsBoolean()) {
                    throw DockerEngine.missing();
                }
                yield TESTCONTAINERS;
            }
        };
    }

    /** The name the setting uses: {@code embedded}, {@code testcontainers}, {@code auto}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
