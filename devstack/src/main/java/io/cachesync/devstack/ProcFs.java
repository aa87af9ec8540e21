package io.cachesync.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about a process: enough to tell one process from a later one that reuses its pid
 * (its start time, in clock ticks since boot), and to recognise the processes a devstack started (their command name
 * and working directory). Every method answers "unknown" (empty) rather than failing, e.g. for another user's process.
 */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /** True where there is a Linux {@code /proc} to read. */
    static boolean available() {
        return Files.isReadable(PROC.resolve("self/stat"));
    }

    /** The process's start time (field 22 of {@code /proc/<pid>/stat}), or empty when there is no such process. */
    static Optional<String> startTicks(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.US_ASCII);
            // the command name (field 2) is in parentheses and may contain spaces: count fields after its closing one
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return rest.length > 19 && !"Z".equals(rest[0]) ? Optional.of(rest[19]) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True while the process with this pid is the one that had this start time (not a zombie, not a reused pid). */
    static boolean isSameProcess(long pid, String startTicks) {
        return startTicks(pid).map(startTicks::equals).orElse(false);
    }

    /** The command name ({@code /proc/<pid>/comm}, at most 15 characters). */
    static Optional<String> command(long pid) {
        try {
            return Optional.of(Files.readString(PROC.resolve(pid + "/comm"), StandardCharsets.UTF_8).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The working directory, when this user may read it. */
    static Optional<Path> workingDirectory(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(PROC.resolve(pid + "/cwd")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The pids of all processes now running. */
    static List<Long> pids() {
        try (Stream<Path> entries = Files.list(PROC)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
