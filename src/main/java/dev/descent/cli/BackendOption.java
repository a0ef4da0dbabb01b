package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The {@code --backend} option shared by commands that compute. */
final class BackendOption {
    @Option(names = {"-b", "--backend"}, paramLabel = "NAME", defaultValue = "auto",
            description = "auto (CUDA, else an OpenCL GPU, else cpu; OpenCL on the CPU for large problems), cpu (fast, float32), "
                    + "ref (the double-precision reference), opencl[:device] or cuda[:index]. Default: ${DEFAULT-VALUE}.")
    String backend;

    /** Opens the backend and says on {@code err} which one runs. */
    Backend open(PrintWriter err) {
        return open(err, null);
    }

    /** Opens the backend for a problem ({@code auto} weighs its size) and says which one runs, and for auto why. */
    Backend open(PrintWriter err, Backends.Problem problem) {
        boolean auto = backend.trim().equalsIgnoreCase("auto");
        Backends.Choice c = auto ? Backends.choose(problem) : null;
        Backend b = Backends.open(auto ? c.name() : backend);
        err.println("descent: backend " + b.name() + " — " + b.device() + (auto ? " (auto: " + c.why() + ")" : ""));
        return b;
    }
}
