package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The {@code --backend} option shared by commands that compute. */
final class BackendOption {
    @Option(names = {"-b", "--backend"}, paramLabel = "NAME", defaultValue = "auto",
            description = "auto (CUDA, else OpenCL, else CPU), cpu, opencl[:device] or cuda[:index]. Default: ${DEFAULT-VALUE}.")
    String backend;

    /** Opens the backend and says on {@code err} which one runs. */
    Backend open(PrintWriter err) {
        Backend b = Backends.open(backend);
        err.println("descent: backend " + b.name() + " — " + b.device());
        return b;
    }
}
