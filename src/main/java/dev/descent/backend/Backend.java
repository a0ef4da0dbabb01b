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

    /** Measures this device's read and copy bandwidth on buffers of {@code bytes}. */
    Bandwidth bandwidth(long bytes);

    @Override
    void close();
}
