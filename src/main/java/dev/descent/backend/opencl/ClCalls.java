package dev.descent.backend.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;

/** Small JOCL helpers: typed info queries, kernel arguments, owned buffers. */
final class ClCalls {
    private ClCalls() {}

    /** A local-memory kernel argument of this many bytes. */
    record Local(long bytes) {}

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    static long deviceSizeT(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    /**
     * Rounds allocations up to whole 64-byte lines. PoCL vectorizes a work-group's loop over
     * work-items and its stores ran past 8-byte buffers (heap corruption seen with d = 1).
     */
    static long padded(long bytes) {
        return (Math.max(bytes, 64) + 63) / 64 * 64;
    }

    /**
     * Bytes every device buffer gets past its end. PoCL vectorizes a work-group's loop over its
     * work-items and stores whole vectors, masked-off lanes included: a loop
     * {@code for (c = lid; c < n; c += L)} wrote up to L floats past n (seen with a guard zone:
     * run_steps_block at d = 9 wrote params[10..15], and with a three-slot optimizer state 12
     * bytes past its 64-byte rounding, which corrupted the process's heap). The kernels' work-groups
     * are at most 256 work-items, so 1 KiB keeps every such store inside the allocation.
     */
    static final long SLACK = 1024;

    /** Sets every argument of a kernel: cl_mem, Integer, Long, Float or {@link Local}. */
    static void args(cl_kernel k, Object... args) {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Buffer b) {
                CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(b.mem));
            } else if (a instanceof Integer v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            } else if (a instanceof Long v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
            } else if (a instanceof Float v) {
                CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            } else if (a instanceof Local l) {
                CL.clSetKernelArg(k, i, padded(l.bytes), null);
            } else {
                throw new IllegalArgumentException("kernel argument " + i + ": " + a);
            }
        }
    }

    /** One device buffer; closing releases it once. */
    static final class Buffer implements AutoCloseable {
        final cl_mem mem;
        final long bytes;
        private boolean released;

        Buffer(cl_context ctx, long bytes) {
            this.bytes = padded(bytes);
            this.mem = CL.clCreateBuffer(ctx, CL.CL_MEM_READ_WRITE, this.bytes + SLACK, null, null);
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                CL.clReleaseMemObject(mem);
            }
        }
    }

    /** Runs a release call after a failure; an error it raises is kept as suppressed on {@code cause}, not thrown. */
    static void releaseQuietly(Runnable release, Throwable cause) {
        try {
            release.run();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
