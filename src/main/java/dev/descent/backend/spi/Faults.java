package dev.descent.backend.spi;

/**
 * A test seam: named points inside backend and session construction where a test can make the
 * next step fail as a driver would, to prove that everything allocated before it is released
 * (the leak test's "open fails midway" cycles). Off unless the system property
 * {@code descent.fault} names the point; costs one property read per open.
 */
public final class Faults {
    /** After the OpenCL context, queue and program exist, before the backend is returned. */
    public static final String OPENCL_BACKEND = "opencl.backend";
    /** After every OpenCL session buffer and kernel exists, before the data are uploaded. */
    public static final String OPENCL_SESSION = "opencl.session";
    /** After the CUDA context and module are loaded, before the backend is returned. */
    public static final String CUDA_BACKEND = "cuda.backend";
    /** After every CUDA session allocation, before the data are uploaded. */
    public static final String CUDA_SESSION = "cuda.session";

    private Faults() {}

    /** Whether a test asked for a failure at {@code point}. */
    public static boolean injected(String point) {
        return point.equals(System.getProperty("descent.fault"));
    }
}
