package dev.descent.backend;

import dev.descent.data.Dataset;

/** A compute device that can hold datasets and run the hot path on them. */
public interface Backend extends AutoCloseable {

    /** "cpu", "opencl" or "cuda". */
    String name();

    /** The device in words (model, driver/runtime where known). */
    String device();

    /** Uploads the dataset once and prepares parameters (zeros) and optimizer state for {@code spec}. */
    Session open(Dataset data, Spec spec);

    /**
     * {@link #open(Dataset, Spec)} with a say in how much of the data the device holds at once (see
     * {@link Streaming}). Backends whose data live in host memory ignore it.
     */
    default Session open(Dataset data, Spec spec, Streaming streaming) {
        return open(data, spec);
    }

    /**
     * Read, write and copy bandwidth of this device's memory, {@code reps} repetitions each on
     * buffers of about {@code bytes}, measured by probes built to reach the memory's limit (every
     * core or SM, vectorized, several loads in flight). The default is the host's memory measured
     * from Java ({@link HostBandwidth}): right for every backend whose data lives in Java arrays.
     */
    default Ceilings ceilings(long bytes, int reps) {
        return HostBandwidth.measure(bytes, reps);
    }

    /**
     * Measures this device's read and copy bandwidth on buffers of {@code bytes}: the best of
     * {@link #ceilings}' repetitions.
     */
    default Bandwidth bandwidth(long bytes) {
        Ceilings c = ceilings(bytes, 7);
        return new Bandwidth(c.bytes(), c.best(Ceilings.Kind.READ), c.best(Ceilings.Kind.COPY));
    }

    @Override
    void close();
}
