package io.cachesync.app;

import io.cachesync.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code cachesync} command line of the service jar: the services {@code ingest}, {@code sync}, {@code api} and the
 * operator commands {@code verify}, {@code warm}. cachesync-devtools runs the same command line with {@code demo} and
 * {@code bench} added ({@link #run(String[], List)}).
 */
@Command(name = "cachesync", mixinStandardHelpOptions = true, version = "cachesync 0.1.0",
        description = "Keeps a Redis cache exactly in step with PostgreSQL and serves reads from it.")
public final class CachesyncCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--log-format", scope = CommandLine.ScopeType.INHERIT, paramLabel = "plain|json",
            description = "Log lines as plain text (default) or one JSON object per line (also CACHESYNC_LOG_FORMAT).")
    String logFormat;

    @CommandLine.Option(names = "--log-level", scope = CommandLine.ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "Level of cachesync's own loggers: INFO (default), DEBUG shows every cache operation (also CACHESYNC_LOG_LEVEL).")
    String logLevel;

    @Override
    public void run() {
        List<String> names = new ArrayList<>(spec.subcommands().keySet());
        names.remove("help");
        String last = names.remove(names.size() - 1);
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: " + String.join(", ", names) + " or " + last);
    }

    /** The service command line: verify, warm, ingest, sync, api. */
    public static CommandLine commandLine() {
        return commandLine(List.of());
    }

    /** The service command line with {@code extraCommands} (picocli commands) listed before the others. */
    public static CommandLine commandLine(List<Object> extraCommands) {
        CommandLine cl = new CommandLine(new CachesyncCli());
        extraCommands.forEach(cl::addSubcommand);
        List.of(new VerifyCommand(), new WarmCommand(), new ServiceCommands.Ingest(), new ServiceCommands.Sync(), new ServiceCommands.Api(),
                new ExampleConfigCommand(), new CommandLine.HelpCommand()).forEach(cl::addSubcommand);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof ConfigException) {
                cmd.getErr().println(ex.getMessage());
                return 2;
            }
            cmd.getErr().println("cachesync " + cmd.getCommandName() + ": " + ex);
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(run(args, List.of()));
    }

    /** Sets up logging from {@code --log-format}, {@code --log-level} and the environment, then runs the command line; the exit code. */
    public static int run(String[] args, List<Object> extraCommands) {
        // logging is configured when the first logger is created, so the flags are read before anything else
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[i + 1] : "";
            if (a.startsWith("--log-format")) {
                if (!value.equals("plain") && !value.equals("json")) {
                    System.err.println("cachesync: --log-format must be plain or json, was '" + value + "'");
                    return 2;
                }
                System.setProperty("CACHESYNC_LOG_FORMAT", value);
            } else if (a.startsWith("--log-level")) {
                System.setProperty("CACHESYNC_LOG_LEVEL", value.toUpperCase(Locale.ROOT));
            }
        }
        String envFormat = System.getenv("CACHESYNC_LOG_FORMAT");
        if (System.getProperty("CACHESYNC_LOG_FORMAT") == null && envFormat != null && !envFormat.equals("plain") && !envFormat.equals("json")) {
            System.err.println("cachesync: CACHESYNC_LOG_FORMAT must be plain or json, was '" + envFormat + "'");
            return 2;
        }
        String format = System.getProperty("CACHESYNC_LOG_FORMAT", envFormat == null ? "plain" : envFormat);
        if ("json".equals(format) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        return commandLine(extraCommands).execute(args);
    }
}
