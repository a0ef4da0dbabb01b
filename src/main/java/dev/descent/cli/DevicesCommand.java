package dev.descent.cli;

import dev.descent.backend.Probe;
import dev.descent.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every backend, available or not, and why not.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        List<Probe> probes = Backends.probeAll();
        probes.forEach(out::println);
        var choice = dev.descent.backend.Backends.choose(null);
        out.println("auto    -> " + choice.name() + " (" + choice.why() + "; train weighs its problem's size)");
        return 0;
    }
}
