package dev.descent.cli;

import dev.descent.bench.Compare;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Work with benchmark reports.",
        subcommands = {ReportCommand.CompareCommand.class})
final class ReportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: compare");
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare two reports of the same suite: per benchmark the ratio of medians B/A with its spread. "
                    + "Exit code 1 when a benchmark got slower beyond the threshold and outside the noise (usable in CI).")
    static final class CompareCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "A", description = "The baseline report (folder or report.json).")
        Path a;

        @Parameters(index = "1", paramLabel = "B", description = "The report to judge (folder or report.json).")
        Path b;

        @Option(names = "--threshold", description = "Relative change that counts (0.2 = 20%%). Default: per benchmark, what the "
                + "reports' measured between-fork spread can resolve (the larger of the two, at least 5%%; 20%% where neither ran forks).")
        Double threshold;

        @Override
        public Integer call() {
            var result = Compare.compare(Compare.load(a), Compare.load(b), threshold);
            spec.commandLine().getOut().print(Compare.table(result, threshold));
            if (result.regression()) {
                spec.commandLine().getErr().println("descent: regression: at least one benchmark is slower beyond "
                        + (threshold == null ? "its threshold (the measured between-fork spread)" : Math.round(threshold * 100) + "%")
                        + " and outside the noise");
                return 1;
            }
            return 0;
        }
    }
}
