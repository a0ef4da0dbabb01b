package dev.descent.cli;

import dev.descent.plot.Charts;
import dev.descent.plot.HistoryPlots;
import dev.descent.train.History;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Plot saved loss histories (CSV from --history or reproduce), several overlaid in one chart.")
final class PlotCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "HISTORY.csv", description = "History files to overlay.")
    List<Path> files;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "The chart: a .png or .svg file.")
    Path out;

    @Option(names = "--title", defaultValue = "Loss", description = "Chart title. Default: ${DEFAULT-VALUE}.")
    String title;

    @Option(names = "--linear", description = "A linear loss axis (default: log, unless a loss is ≤ 0).")
    boolean linear;

    @Override
    public Integer call() {
        List<History> hs = new ArrayList<>();
        for (Path f : files) hs.add(History.readCsv(f));
        boolean log = !linear && hs.stream().allMatch(TrainCommand::positive);
        Charts.save(HistoryPlots.lossCurves(title, hs, log), out);
        return 0;
    }
}
