package dev.descent.backend.cuda;

import dev.descent.backend.Probe;
import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.spi.Faults;
import dev.descent.backend.spi.Kernels;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The CUDA backend (JCuda driver API): a context on one device and the module loaded from the
 * fatbin that nvcc built from kernels/cuda/descent.cu at build time. Sessions own their device
 * memory. Any thread may call the backend and its sessions (one call at a time per session): each
 * call makes the context current on its thread first.
 */
public final class CudaBackend implements Backend {
    static final String FATBIN = "cuda/descent.fatbin";

    final CUdevice device = new CUdevice();
    final CUcontext context = new CUcontext();
    final CUmodule module = new CUmodule();
    final int multiprocessors;
    final long totalMem;
    final int maxSharedPerBlock;
    private final String description;
    private boolean closed;

    private CudaBackend(int index, byte[] fatbin) {
        JCudaDriver.cuDeviceGet(device, index);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        multiprocessors = v[0];
        JCudaDriver.cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, device);
        maxSharedPerBlock = v[0];
        int[] major = new int[1], minor = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        long[] mem = new long[1];
        JCudaDriver.cuDeviceTotalMem(mem, device);
        totalMem = mem[0];
        int[] drv = new int[1];
        JCudaDriver.cuDriverGetVersion(drv);
        JCudaDriver.cuCtxCreate(context, 0, device);
        try {
            JCudaDriver.cuModuleLoadData(module, fatbin);
        } catch (CudaException e) {
            JCudaDriver.cuCtxDestroy(context);
            throw new DescentException("CUDA kernels failed to load on this GPU (" + e.getMessage()
                    + "): the fatbin holds SASS for sm_80/sm_90 and PTX for compute_90; a PTX JIT needs an R580+ driver");
        }
        if (Faults.injected(Faults.CUDA_BACKEND)) {
            JCudaDriver.cuModuleUnload(module);
            JCudaDriver.cuCtxDestroy(context);
            throw new DescentException("CUDA device " + index + " failed to start: injected fault");
        }
        description = String.format(Locale.ROOT, "%s (sm_%d%d, %d SMs, %.1f GiB, driver API %d.%d)", cString(name), major[0], minor[0],
                multiprocessors, totalMem / 1073741824.0, drv[0] / 1000, (drv[0] % 1000) / 10);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    /** Initializes the driver; a clear DescentException when there is no driver or no device. */
    static int deviceCount() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) throw new DescentException("CUDA unavailable: no CUDA device (the driver answers but lists no GPU)");
            return count[0];
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            String m = String.valueOf(e.getMessage());
            String natives = "lib/libJCudaDriver-" + jcuda.JCudaVersion.get() + "-linux-x86_64.so";
            boolean x64 = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
            if (e instanceof UnsatisfiedLinkError && x64 && CudaBackend.class.getClassLoader().getResource(natives) == null) {
                throw new DescentException("CUDA unavailable: JCuda's native library is not on the class path (descent-core leaves it "
                        + "optional): add org.jcuda:jcuda-natives:" + jcuda.JCudaVersion.get() + ":linux-x86_64 to use a GPU");
            }
            if (m.contains("libcuda") || m.contains("JCudaDriver")) {
                throw new DescentException("CUDA unavailable: no NVIDIA driver (libcuda.so.1 not found)");
            }
            throw new DescentException("CUDA unavailable: JCuda's native library did not load (" + m + ")");
        } catch (CudaException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("NO_DEVICE")) throw new DescentException("CUDA unavailable: no CUDA device");
            throw new DescentException("CUDA unavailable: the driver failed to start (" + m + ")");
        }
    }

    /** The fatbin built at build time, or a DescentException saying why it is not there. */
    static byte[] fatbin() {
        byte[] f = Kernels.bytes(FATBIN);
        if (f != null) return f;
        throw new DescentException("CUDA kernels were not built (nvcc not found at build time): install the CUDA toolkit and rebuild (mvn package)");
    }

    /** Opens device {@code index} (default 0). */
    public static Backend open(String index) {
        byte[] f = fatbin();
        int count = deviceCount();
        int i = 0;
        if (index != null && !index.isBlank()) {
            try {
                i = Integer.parseInt(index.trim());
            } catch (NumberFormatException e) {
                throw new DescentException.InvalidArgument("CUDA device '" + index + "' is not an index: use 0.." + (count - 1));
            }
            if (i < 0 || i >= count) {
                throw new DescentException.InvalidArgument("no CUDA device " + i + ": this machine has " + count + " (0.." + (count - 1) + ")");
            }
        }
        try {
            return new CudaBackend(i, f);
        } catch (CudaException e) {
            throw new DescentException("CUDA device " + i + " failed to start: " + e.getMessage());
        }
    }

    /** Whether CUDA can start here, in one line. */
    public static Probe probe() {
        try {
            byte[] f = fatbin();
            int count = deviceCount();
            try (CudaBackend b = new CudaBackend(0, f)) {
                return new Probe("cuda", true, b.device() + (count > 1 ? ", " + count + " devices" : ""));
            }
        } catch (DescentException e) {
            return new Probe("cuda", false, e.getMessage());
        } catch (CudaException e) {
            return new Probe("cuda", false, "CUDA error: " + e.getMessage());
        }
    }

    @Override public String name() { return "cuda"; }
    @Override public String device() { return description; }

    void makeCurrent() {
        JCudaDriver.cuCtxSetCurrent(context);
    }

    @Override
    public Session open(Dataset data, Spec spec) {
        return open(data, spec, dev.descent.backend.Streaming.AUTO);
    }

    @Override
    public Session open(Dataset data, Spec spec, dev.descent.backend.Streaming streaming) {
        if (closed) throw new IllegalStateException("backend is closed");
        makeCurrent();
        return new CudaSession(this, data, spec, streaming);
    }

    /**
     * Read, write and copy probes on device buffers of {@code bytes}, timed with CUDA events. Read and
     * copy are each measured in two access patterns, grid-stride (read_sum, copy_f4: one wave of
     * 8 blocks per SM) and block-contiguous chunks (read_chunk, copy_chunk, the gradient's pattern, at
     * one and at four waves); each keeps the pattern whose best repetition is highest, since a probe
     * can only under-measure the memory.
     */
    @Override
    public dev.descent.backend.Ceilings ceilings(long bytes, int reps) {
        makeCurrent();
        long b = bytes / 16 * 16;
        int wave = multiprocessors * 8, threads = 256, outSlots = 4 * wave * threads;
        jcuda.driver.CUdeviceptr src = new jcuda.driver.CUdeviceptr(), dst = new jcuda.driver.CUdeviceptr(),
                out = new jcuda.driver.CUdeviceptr();
        boolean[] held = new boolean[3];
        try {
            JCudaDriver.cuMemAlloc(src, b);
            held[0] = true;
            JCudaDriver.cuMemAlloc(dst, b);
            held[1] = true;
            JCudaDriver.cuMemAlloc(out, 4L * outSlots);
            held[2] = true;
            JCudaDriver.cuMemsetD32(src, Float.floatToRawIntBits(1f), b / 4);
            jcuda.Pointer n4 = jcuda.Pointer.to(new long[] {b / 16});
            jcuda.Pointer readArgs = jcuda.Pointer.to(jcuda.Pointer.to(src), n4, jcuda.Pointer.to(out));
            jcuda.Pointer writeArgs = jcuda.Pointer.to(jcuda.Pointer.to(dst), n4, jcuda.Pointer.to(new float[] {2f}));
            jcuda.Pointer copyArgs = jcuda.Pointer.to(jcuda.Pointer.to(src), jcuda.Pointer.to(dst), n4);
            Variant read = best(reps, b, 1,
                    probe(CudaKernels.READ_PROBE, wave, threads, readArgs),
                    probe(CudaKernels.READ_CHUNK_PROBE, wave, threads, readArgs),
                    probe(CudaKernels.READ_CHUNK_PROBE, 4 * wave, threads, readArgs));
            Variant write = best(reps, b, 1, probe(CudaKernels.WRITE_PROBE, wave, threads, writeArgs));
            Variant copy = best(reps, b, 2,
                    probe(CudaKernels.COPY_PROBE, wave, threads, copyArgs),
                    probe(CudaKernels.COPY_CHUNK_PROBE, wave, threads, copyArgs),
                    probe(CudaKernels.COPY_CHUNK_PROBE, 4 * wave, threads, copyArgs));
            return new dev.descent.backend.Ceilings("CUDA " + read.name + ", " + write.name + ", " + copy.name, false, b,
                    read.gbs, write.gbs, copy.gbs);
        } finally {                               // frees what was allocated, also when an allocation failed
            if (held[0]) JCudaDriver.cuMemFree(src);
            if (held[1]) JCudaDriver.cuMemFree(dst);
            if (held[2]) JCudaDriver.cuMemFree(out);
        }
    }

    private record Variant(String name, Runnable launch, double[] gbs) {}

    private Variant probe(String kernel, int blocks, int threads, jcuda.Pointer args) {
        jcuda.driver.CUfunction f = new jcuda.driver.CUfunction();
        JCudaDriver.cuModuleGetFunction(f, module, kernel);
        return new Variant(kernel + " " + blocks + "×" + threads,
                () -> JCudaDriver.cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, null, args, null), null);
    }

    /** Times each candidate ({@code passes} × {@code bytes} moved per launch) and keeps the one with the highest best repetition. */
    private Variant best(int reps, long bytes, int passes, Variant... candidates) {
        Variant top = null;
        for (Variant p : candidates) {
            double[] g = dev.descent.backend.Ceilings.gbs((double) passes * bytes, eventSeconds(reps, p.launch));
            Variant timed = new Variant(p.name, p.launch, g);
            if (top == null || java.util.Arrays.stream(g).max().orElse(0) > java.util.Arrays.stream(top.gbs).max().orElse(0)) top = timed;
        }
        return top;
    }

    /** Seconds of each of {@code reps} launches timed with events, after 3 warm-ups. */
    double[] eventSeconds(int reps, Runnable launch) {
        jcuda.driver.CUevent a = new jcuda.driver.CUevent(), z = new jcuda.driver.CUevent();
        JCudaDriver.cuEventCreate(a, 0);
        JCudaDriver.cuEventCreate(z, 0);
        try {
            for (int i = 0; i < 3; i++) launch.run();
            double[] t = new double[reps];
            float[] ms = new float[1];
            for (int i = 0; i < t.length; i++) {
                JCudaDriver.cuEventRecord(a, null);
                launch.run();
                JCudaDriver.cuEventRecord(z, null);
                JCudaDriver.cuEventSynchronize(z);
                JCudaDriver.cuEventElapsedTime(ms, a, z);
                t[i] = ms[0] / 1e3;
            }
            return t;
        } finally {
            JCudaDriver.cuEventDestroy(a);
            JCudaDriver.cuEventDestroy(z);
        }
    }

    /** Free and total device memory in bytes, as the driver reports them (for leak checks and size checks). */
    public long[] memoryInfo() {
        makeCurrent();
        long[] free = new long[1], total = new long[1];
        JCudaDriver.cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        makeCurrent();                                   // the module unloads from the current context: any thread may close
        JCudaDriver.cuModuleUnload(module);
        JCudaDriver.cuCtxDestroy(context);
    }
}
