package io.cachesync.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cachesync example-config}: prints the documented YAML configuration with every key at its default. */
@Command(name = "example-config", mixinStandardHelpOptions = true,
        description = "Print a YAML config file with every key of every service at its default, documented (cachesync.example.yaml is its output).")
final class ExampleConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(ExampleConfig.render());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
