package io.cachesync.app;

import io.cachesync.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cachesync} command line. */
@Command(name = "cachesync", mixinStandardHelpOptions = true, version = "cachesync 0.1.0",
        description = "Keeps a Redis cache exactly in step with PostgreSQL and serves reads from it.",
        subcommands = {DemoCommand.class, VerifyCommand.class, WarmCommand.class, ServiceCommands.Ingest.class, ServiceCommands.Sync.class, ServiceCommands.Api.class,
                CommandLine.HelpCommand.class})
public final class CachesyncCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: demo, ingest, sync or api");
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
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
