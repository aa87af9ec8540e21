package io.cachesync.app;

import io.cachesync.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cachesync} command line. */
@Command(name = "cachesync", mixinStandardHelpOptions = true, version = "cachesync 0.1.0",
        description = "Keeps a Redis cache exactly in step with PostgreSQL and serves reads from it.",
        subcommands = {DemoCommand.class, BenchCommand.class, VerifyCommand.class, WarmCommand.class, ServiceCommands.Ingest.class, ServiceCommands.Sync.class, ServiceCommands.Api.class,
                CommandLine.HelpCommand.class})
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
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: demo, bench, verify, warm, ingest, sync or api");
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CachesyncCli());
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
        // logging is configured when the first logger is created, so the flags are read before anything else
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[i + 1] : "";
            if (a.startsWith("--log-format")) {
                if (!value.equals("plain") && !value.equals("json")) {
                    System.err.println("cachesync: --log-format must be plain or json, was '" + value + "'");
                    System.exit(2);
                }
                System.setProperty("CACHESYNC_LOG_FORMAT", value);
            } else if (a.startsWith("--log-level")) {
                System.setProperty("CACHESYNC_LOG_LEVEL", value.toUpperCase(java.util.Locale.ROOT));
            }
        }
        String envFormat = System.getenv("CACHESYNC_LOG_FORMAT");
        if (System.getProperty("CACHESYNC_LOG_FORMAT") == null && envFormat != null && !envFormat.equals("plain") && !envFormat.equals("json")) {
            System.err.println("cachesync: CACHESYNC_LOG_FORMAT must be plain or json, was '" + envFormat + "'");
            System.exit(2);
        }
        String format = System.getProperty("CACHESYNC_LOG_FORMAT", envFormat == null ? "plain" : envFormat);
        if ("json".equals(format) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-json.xml");
        }
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
