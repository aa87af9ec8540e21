package io.cachesync.app.demo;

import java.nio.file.Path;

/**
 * What the demo was asked to do.
 *
 * @param writeRate  committed writes per second
 * @param readRate   API reads per second
 * @param duration   seconds to run, or 0 to run until interrupted
 * @param portsFile  where to write the component URLs as JSON, or null
 * @param reportFile where to write the summary as JSON, or null
 */
public record DemoOptions(double writeRate, double readRate, long duration, Path portsFile, Path reportFile) {
}
