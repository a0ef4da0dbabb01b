package dev.descent.cli;

import dev.descent.DescentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code descent} command line. Exit codes: 0 ok, 1 failure, 2 bad usage. */
@Command(name = "descent", mixinStandardHelpOptions = true, version = "descent " + Main.VERSION,
        description = "Gradient descent and SGD on GPUs (CUDA, OpenCL) with a double-precision CPU reference.",
        subcommands = {ReproduceCommand.class, TrainCommand.class, PredictCommand.class, DevicesCommand.class, DataCommand.class, PlotCommand.class, BenchCommand.class, SweepCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** This build's version, as {@code descent --version} prints it. */
    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: reproduce, train or devices");
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        out.flush();                  // autoflush covers println only: a command that print()s would lose its output
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("descent: " + ex.getMessage() + " (see '" + ("descent".equals(cmd) ? "" : "descent ") + cmd + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof DescentException de) {
                err.println("descent: " + de.getMessage());
                return de.exitCode();
            }
            err.println("descent: internal error: " + ex + " (set DESCENT_DEBUG=1 for the stack trace, and please report it)");
            if (System.getenv("DESCENT_DEBUG") != null) ex.printStackTrace(err);
            return 1;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("descent: out of Java heap memory: give the JVM more with JAVA_OPTS=-Xmx<size>, or use less data");
            return 1;
        } catch (LinkageError e) {
            err.println("descent: a library did not load (" + e.getMessage() + "): reinstall descent, or install what it names");
            return 1;
        }
    }
}
