package io.cachesync.core.config;

import java.util.List;

/** A configuration that cannot start a service; the message lists every problem found, each one actionable. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException of(String component, List<String> problems) {
        StringBuilder sb = new StringBuilder(component).append(": invalid configuration");
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  - ").append(p);
        }
        return new ConfigException(sb.toString());
    }
}
