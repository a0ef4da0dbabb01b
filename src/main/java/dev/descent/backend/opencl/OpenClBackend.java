package dev.descent.backend.opencl;

import dev.descent.backend.Probe;
import dev.descent.DescentException;
import dev.descent.backend.Ceilings;
import dev.descent.backend.Backend;
import dev.descent.backend.spi.Faults;
import dev.descent.backend.spi.Kernels;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL backend (JOCL): one device, its context, an in-order queue and the built program.
 * Sessions made from it own their buffers and kernels. Device selection: by index or by a part of
 * its name; by default the first GPU, else the first device of any kind.
 *
 * <p>Embedding programs: PoCL compiles kernels with LLVM, whose signal handlers go in front of the
 * JVM's and delete the compiler's temporary files when a JVM thread takes an ordinary SIGSEGV
 * (an implicit null check) during a build; builds then fail with "unable to rename temporary".
 * Start the JVM with the JDK's signal chaining library, {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so},
 * as {@code ./descent} and the test suite do.
 */
public final class OpenClBackend implements Backend {
    private static final String INSTALL = "install an OpenCL runtime (Debian/Ubuntu: apt-get install pocl-opencl-icd ocl-icd-opencl-dev; or your GPU vendor's driver)";

    /** A device and the platform it belongs to. */
    record Device(cl_platform_id platform, cl_device_id id, String name, String platformName, boolean gpu) {}

    /** Which kernels sessions use: the row-range CPU kernels or the work-group (GPU-shaped) ones. */
    enum Family { AUTO, CPU, GPU }

    final Device device;
    final Family family;
    final cl_context context;
    final cl_command_queue queue;
    final cl_program program;
    final long maxAlloc;
    final long globalMem;
    final long localMem;
    final int maxWorkGroup;
    final int computeUnits;
    /** Whether the device shares the host's memory (a CPU, an integrated GPU): streaming then keeps one chunk on it (see Streaming#slots). */
    final boolean hostUnifiedMemory;
    /**
     * Models a work-item of the CPU kernels' vector sweeps (descent.cl's SW): 16 where the device prefers 16-wide float
     * vectors (PoCL on AVX-512: one float16 fills a register), else 8; the program is built with it. The system property
     * {@code descent.opencl.laneWidth} (8 or 16) overrides it.
     */
    final int laneWidth;
    private final String description;
    private boolean closed;

    @SuppressWarnings("deprecation")     // clCreateCommandQueue: also works on OpenCL 1.2 platforms
    private OpenClBackend(Device device, Family family) {
        this.device = device;
        this.family = family;
        // the device's facts first: a query that fails then leaves nothing to release
        long cap = Long.getLong("descent.opencl.maxAllocBytes", Long.MAX_VALUE);
        this.maxAlloc = Math.min(cap, ClCalls.deviceLong(device.id, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE));
        this.globalMem = Math.min(cap, ClCalls.deviceLong(device.id, CL.CL_DEVICE_GLOBAL_MEM_SIZE));
        this.localMem = ClCalls.deviceLong(device.id, CL.CL_DEVICE_LOCAL_MEM_SIZE);
        this.maxWorkGroup = (int) Math.min(1024, ClCalls.deviceSizeT(device.id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE));
        this.computeUnits = Math.max(1, ClCalls.deviceInt(device.id, CL.CL_DEVICE_MAX_COMPUTE_UNITS));
        this.hostUnifiedMemory = hostUnified(device.id);
        int width = Integer.getInteger("descent.opencl.laneWidth", 0);     // 8 or 16 chooses (tests take both on one machine)
        this.laneWidth = width == 8 || width == 16 ? width : ClCalls.deviceInt(device.id, CL.CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT) >= 16 ? 16 : 8;
        this.description = device.name + (family == Family.AUTO ? "" : " [" + family.name().toLowerCase(Locale.ROOT) + " kernels]")
                + " (" + device.platformName + ", " + ClCalls.deviceString(device.id, CL.CL_DEVICE_VERSION)
                + ", driver " + ClCalls.deviceString(device.id, CL.CL_DRIVER_VERSION) + ", " + computeUnits + " compute units)";
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform);
        cl_context ctx = null;
        cl_command_queue q = null;
        cl_program prog = null;
        try {
            ctx = CL.clCreateContext(props, 1, new cl_device_id[] {device.id}, null, null, null);
            q = CL.clCreateCommandQueue(ctx, device.id, 0, null);
            prog = build(ctx, device.id, Kernels.openClSource("descent.cl"), "-DSW=" + laneWidth);
            if (Faults.injected(Faults.OPENCL_BACKEND)) throw new CLException("injected fault", CL.CL_OUT_OF_RESOURCES);
        } catch (RuntimeException e) {              // release in reverse order; a failing release must not hide the cause
            cl_program fp = prog;
            cl_command_queue fq = q;
            cl_context fc = ctx;
            if (fp != null) ClCalls.releaseQuietly(() -> CL.clReleaseProgram(fp), e);
            if (fq != null) ClCalls.releaseQuietly(() -> CL.clReleaseCommandQueue(fq), e);
            if (fc != null) ClCalls.releaseQuietly(() -> CL.clReleaseContext(fc), e);
            throw e instanceof CLException ce ? new DescentException("OpenCL error while opening " + device.name + ": "
                    + CL.stringFor_errorCode(ce.getStatus()), ce) : e;
        }
        this.program = prog;
        this.context = ctx;
        this.queue = q;
    }

    /**
     * Builds an OpenCL program for one device; a failure carries the driver's build log. Builds
     * are serialised across descent processes on the machine by a file lock: a platform's kernel
     * cache (PoCL's kcache) is written by renaming a temporary file into place, and two processes
     * compiling the same program at once can collide there. A build whose log names such a
     * collision is retried once.
     */
    static cl_program build(cl_context ctx, cl_device_id dev, String source) {
        return build(ctx, dev, source, "");
    }

    /** {@link #build(cl_context, cl_device_id, String)} with more compiler options ({@code -D} definitions). */
    static cl_program build(cl_context ctx, cl_device_id dev, String source, String options) {
        try (BuildLock lock = BuildLock.acquire()) {
            try {
                return buildOnce(ctx, dev, source, options);
            } catch (DescentException e) {
                if (!e.getMessage().contains("rename")) throw e;
                try {
                    return buildOnce(ctx, dev, source, options);
                } catch (DescentException again) {
                    if (!again.getMessage().contains("rename") || signalChaining()) throw again;
                    throw new DescentException(again.getMessage() + " (the compiler's temporary files were removed by its"
                            + " signal handler, which runs before the JVM's: preload the JDK's signal chaining library,"
                            + " LD_PRELOAD=" + java.nio.file.Path.of(System.getProperty("java.home"), "lib", "libjsig.so")
                            + ", as ./descent does)", again);
                }
            }
        }
    }

    /** Whether the JDK's signal chaining library (libjsig) is loaded in this process. */
    static boolean signalChaining() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/maps")).contains("libjsig");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** A machine-wide lock file for program builds; when it cannot be had (read-only home, odd file system), builds go unlocked. */
    private static final class BuildLock implements AutoCloseable {
        private final java.nio.channels.FileChannel channel;
        private final java.nio.channels.FileLock lock;

        private BuildLock(java.nio.channels.FileChannel channel, java.nio.channels.FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static BuildLock acquire() {
            String home = System.getenv("XDG_CACHE_HOME");
            java.nio.file.Path dir = home != null && !home.isBlank() ? java.nio.file.Path.of(home, "descent")
                    : java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "descent");
            try {
                java.nio.file.Files.createDirectories(dir);
                var ch = java.nio.channels.FileChannel.open(dir.resolve("opencl-build.lock"),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                try {
                    return new BuildLock(ch, ch.lock());
                } catch (java.io.IOException | RuntimeException e) {
                    ch.close();
                    return new BuildLock(null, null);
                }
            } catch (java.io.IOException | RuntimeException e) {
                return new BuildLock(null, null);
            }
        }

        @Override
        public void close() {
            try {
                if (lock != null) lock.release();
                if (channel != null) channel.close();
            } catch (java.io.IOException ignored) {
                // closing the channel releases the lock in any case
            }
        }
    }

    private static cl_program buildOnce(cl_context ctx, cl_device_id dev, String source, String options) {
        cl_program p = CL.clCreateProgramWithSource(ctx, 1, new String[] {source}, null, null);
        try {
            CL.clBuildProgram(p, 1, new cl_device_id[] {dev}, ("-cl-std=CL1.2 " + options).strip(), null, null);
            return p;
        } catch (CLException e) {
            String log = buildLog(p, dev);
            CL.clReleaseProgram(p);
            String code = String.valueOf(e.getMessage()).strip().split("\\R", 2)[0];   // JOCL appends the log itself
            throw new DescentException("OpenCL kernel build failed (" + code + "); build log: "
                    + log.strip().replaceAll("\\s*\\n\\s*", " | "));
        }
    }

    private static String buildLog(cl_program p, cl_device_id dev) {
        try {
            long[] size = new long[1];
            CL.clGetProgramBuildInfo(p, dev, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] b = new byte[(int) size[0]];
            CL.clGetProgramBuildInfo(p, dev, CL.CL_PROGRAM_BUILD_LOG, b.length, org.jocl.Pointer.to(b), null);
            int n = 0;
            while (n < b.length && b[n] != 0) n++;
            return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    /** All devices of all platforms; a clear DescentException when there is no OpenCL at all. */
    /**
     * Every OpenCL device of every platform. Serialised: some platforms' discovery is not thread-safe
     * (PoCL crashed in clGetDeviceInfo when four threads asked at once).
     */
    static List<Device> devices() {
        String missing = OpenClLibrary.missing();
        if (missing != null) throw new DescentException("no OpenCL library (" + missing + "): " + INSTALL);
        synchronized (DISCOVERY) {
            return discover();
        }
    }

    /** Whether the device opened by default is not a GPU (a CPU device such as PoCL's); false when that cannot be told. */
    static boolean defaultIsHostCpu() {
        try {
            return !select(devices(), null).gpu();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Serialises the platform calls that are not safe to make from several threads at once. */
    static final Object DISCOVERY = new Object();

    private static List<Device> discover() {
        try {
            CL.setExceptionsEnabled(true);
            int[] np = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, np);
            } catch (CLException e) {
                np[0] = 0;
            }
            if (np[0] == 0) throw new DescentException("no OpenCL platform found: " + INSTALL);
            cl_platform_id[] ps = new cl_platform_id[np[0]];
            CL.clGetPlatformIDs(ps.length, ps, null);
            List<Device> out = new ArrayList<>();
            for (cl_platform_id p : ps) {
                int[] nd = new int[1];
                try {
                    CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, nd);
                } catch (CLException e) {
                    continue;                  // a platform with no devices
                }
                cl_device_id[] ds = new cl_device_id[nd[0]];
                CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, ds.length, ds, null);
                String pn = ClCalls.platformString(p, CL.CL_PLATFORM_NAME);
                for (cl_device_id d : ds) {
                    boolean gpu = (ClCalls.deviceLong(d, CL.CL_DEVICE_TYPE) & CL.CL_DEVICE_TYPE_GPU) != 0;
                    out.add(new Device(p, d, ClCalls.deviceString(d, CL.CL_DEVICE_NAME), pn, gpu));
                }
            }
            if (out.isEmpty()) throw new DescentException("OpenCL platforms found but no devices: " + INSTALL);
            return out;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new DescentException("no OpenCL library (libOpenCL.so): " + INSTALL);
        }
    }

    /** Picks a device by index or name part; {@code null} picks the first GPU, else the first device. */
    static Device select(List<Device> all, String selector) {
        if (selector == null || selector.isBlank()) {
            return all.stream().filter(Device::gpu).findFirst().orElse(all.get(0));
        }
        try {
            int i = Integer.parseInt(selector.trim());
            if (i >= 0 && i < all.size()) return all.get(i);
        } catch (NumberFormatException ignored) {
            // not an index: match by name
        }
        String key = selector.trim().toLowerCase(Locale.ROOT);
        for (Device d : all) if (d.name.toLowerCase(Locale.ROOT).contains(key)) return d;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.size(); i++) sb.append(i == 0 ? "" : "; ").append(i).append(": ").append(all.get(i).name);
        throw new DescentException.InvalidArgument("no OpenCL device matches '" + selector + "': the devices are " + sb);
    }

    /**
     * Opens the selected device (see {@link #select}). A suffix {@code @cpu} or {@code @gpu}
     * ({@code opencl:@gpu}, {@code opencl:1@cpu}) forces a kernel family, to compare them on one device.
     */
    public static Backend open(String selector) {
        Family family = Family.AUTO;
        if (selector != null && selector.contains("@")) {
            String f = selector.substring(selector.indexOf('@') + 1).trim().toUpperCase(Locale.ROOT);
            try {
                family = Family.valueOf(f);
            } catch (IllegalArgumentException e) {
                throw new DescentException.InvalidArgument("unknown OpenCL kernel family '" + f.toLowerCase(Locale.ROOT) + "': use @cpu or @gpu");
            }
            selector = selector.substring(0, selector.indexOf('@'));
        }
        Device d = select(devices(), selector);
        try {
            synchronized (DISCOVERY) {           // context creation and the program build: serialised like discovery
                return new OpenClBackend(d, family);
            }
        } catch (CLException e) {
            throw new DescentException("OpenCL device " + d.name + " failed to start: " + e.getMessage());
        }
    }

    /** Whether OpenCL can start here, and with which device, in one line. */
    public static Probe probe() {
        try {
            List<Device> all = devices();
            Device d = select(all, null);
            return new Probe("opencl", true, d.name + " (" + d.platformName + ")"
                    + (all.size() > 1 ? ", " + all.size() + " devices" : ""));
        } catch (DescentException e) {
            return new Probe("opencl", false, e.getMessage());
        } catch (CLException e) {
            return new Probe("opencl", false, "OpenCL error: " + e.getMessage());
        }
    }

    @Override public String name() { return "opencl"; }
    @Override public String device() { return description; }

    /** Whether sessions use the CPU kernels. */
    boolean cpuKernels() { return family == Family.CPU || (family == Family.AUTO && !device.gpu); }

    @Override
    public Session open(Dataset data, Spec spec) {
        return open(data, spec, dev.descent.backend.Streaming.AUTO);
    }

    @Override
    public Session open(Dataset data, Spec spec, dev.descent.backend.Streaming streaming) {
        if (closed) throw new IllegalStateException("backend is closed");
        return new OpenClSession(this, data, spec, streaming);
    }

    /**
     * The bw_read, bw_write and bw_copy kernels of descent.cl (the family the sessions use: a
     * contiguous run per work-item on CPUs, coalesced grid-stride on GPUs) on device buffers of
     * {@code bytes}; the read's sum is checked so a kernel that skipped data cannot pass.
     */
    @Override
    public Ceilings ceilings(long bytes, int reps) {
        boolean cpu = cpuKernels();
        long n16 = Math.max(1, Math.min(bytes, maxAlloc / 2) / 64);
        long b = 64 * n16;
        // CPU: a few contiguous runs per core, one work-item per group (PoCL hands groups to its threads)
        long local = cpu ? 1 : 256, items = cpu ? computeUnits * 8L : computeUnits * 2048L;
        String suffix = cpu ? "_cpu" : "_gpu";
        try (ClCalls.Buffer src = new ClCalls.Buffer(context, b); ClCalls.Buffer dst = new ClCalls.Buffer(context, b);
             ClCalls.Buffer out = new ClCalls.Buffer(context, 4L * items)) {
            org.jocl.cl_kernel read = CL.clCreateKernel(program, "bw_read" + suffix, null),
                    write = CL.clCreateKernel(program, "bw_write" + suffix, null),
                    copy = CL.clCreateKernel(program, "bw_copy" + suffix, null);
            try {
                CL.clEnqueueFillBuffer(queue, src.mem, org.jocl.Pointer.to(new float[] {1f}), 4, 0, b, 0, null, null);
                CL.clEnqueueFillBuffer(queue, dst.mem, org.jocl.Pointer.to(new float[] {0f}), 4, 0, b, 0, null, null);
                CL.clFinish(queue);
                ClCalls.args(read, src, n16, out);
                ClCalls.args(write, dst, n16, 2f);
                ClCalls.args(copy, src, dst, n16);
                Runnable r = launch(read, items, local), w = launch(write, items, local), c = launch(copy, items, local);
                double[] tr = Ceilings.seconds(reps, r), tw = Ceilings.seconds(reps, w), tc = Ceilings.seconds(reps, c);
                float[] sums = new float[(int) items];
                CL.clEnqueueReadBuffer(queue, out.mem, CL.CL_TRUE, 0, 4L * items, org.jocl.Pointer.to(sums), 0, null, null);
                double total = 0;
                for (float s : sums) total += s;
                float[] last = new float[1];
                CL.clEnqueueReadBuffer(queue, dst.mem, CL.CL_TRUE, b - 4, 4, org.jocl.Pointer.to(last), 0, null, null);
                // each partial sums at most 2^24 ones exactly in float: per item ≤ 16·4 accumulators·2^24
                if (Math.abs(total - b / 4.0) > 1e-6 * b || last[0] != 1f) {
                    throw new DescentException("OpenCL bandwidth probe computed wrong values (sum " + total + " of " + b / 4
                            + " ones, copy left " + last[0] + "): the ceilings would be wrong");
                }
                return new Ceilings("OpenCL bw_*" + suffix + ", " + items + " work-items", !device.gpu, b,
                        Ceilings.gbs(b, tr), Ceilings.gbs(b, tw), Ceilings.gbs(2.0 * b, tc));
            } finally {
                CL.clReleaseKernel(read);
                CL.clReleaseKernel(write);
                CL.clReleaseKernel(copy);
            }
        }
    }

    private Runnable launch(org.jocl.cl_kernel k, long items, long local) {
        return () -> {
            CL.clEnqueueNDRangeKernel(queue, k, 1, null, new long[] {items}, new long[] {local}, 0, null, null);
            CL.clFinish(queue);
        };
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // serialised with context creation: JOCL keeps its contexts in one native std::map, unguarded, which
        // clCreateContext inserts into and clReleaseContext erases from; a backend closed on one thread while
        // another opened crashed the JVM in that map's rebalancing (OpenClThreadsTest, round 37 of 50, on CI)
        synchronized (DISCOVERY) {
            CL.clReleaseProgram(program);
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
    }

    /** CL_DEVICE_HOST_UNIFIED_MEMORY (deprecated since OpenCL 2.0, still answered; a platform that refuses: a CPU counts as unified). */
    private static boolean hostUnified(org.jocl.cl_device_id id) {
        try {
            return ClCalls.deviceInt(id, CL.CL_DEVICE_HOST_UNIFIED_MEMORY) != 0;
        } catch (org.jocl.CLException e) {
            return ClCalls.deviceLong(id, CL.CL_DEVICE_TYPE) == CL.CL_DEVICE_TYPE_CPU;
        }
    }
}
