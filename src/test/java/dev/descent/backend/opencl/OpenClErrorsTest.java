package dev.descent.backend.opencl;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Spec;
import dev.descent.backend.TestBackends;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import org.jocl.CL;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenCL backend's bad input: each gets one clear line. */
class OpenClErrorsTest {

    /** The build preloads libjsig into the test JVM (pom profile signal-chaining), as ./descent does. */
    @Test
    void theTestJvmChainsSignals() {
        Assumptions.assumeTrue(java.nio.file.Files.exists(Path.of(System.getProperty("java.home"), "lib", "libjsig.so")),
                "this JDK has no libjsig.so");
        assertTrue(OpenClBackend.signalChaining(), "LD_PRELOAD of libjsig.so is missing from the test JVM");
    }

    @Test
    void unknownDeviceNamesTheDevicesThereAre() {
        TestBackends.open("opencl").close();
        DescentException e = assertThrows(DescentException.class, () -> OpenClBackend.open("no-such-device-xyz"));
        assertTrue(e.getMessage().startsWith("no OpenCL device matches 'no-such-device-xyz': the devices are 0: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(DescentException.InvalidArgument.class, () -> OpenClBackend.open("0@tpu"));
    }

    @Test
    void datasetLargerThanTheMaxAllocationStreamsInsteadOfFailing() {
        String key = "descent.opencl.maxAllocBytes";
        var ds = Generators.linear(5000, new float[64], 0, 0, 1);              // 1.2 MiB of features and targets
        Spec spec = Spec.of(Objective.SQUARED);
        double streamedLoss;
        String residency;
        int chunk;
        System.setProperty(key, String.valueOf(1 << 20));
        try (Backend b = TestBackends.open("opencl"); var s = b.open(ds, spec)) {
            assertTrue(s.streamed(), "rows over one allocation must stream");
            residency = s.residency();
            streamedLoss = s.loss();
            chunk = Integer.parseInt(residency.replaceAll("^streamed in chunks of (\\d+) rows.*$", "$1"));
        } finally {
            System.clearProperty(key);
        }
        assertTrue(chunk * (64 * 4 + 4) <= 1 << 20, residency);
        try (Backend b = TestBackends.open("opencl"); var s = b.open(ds, spec, dev.descent.backend.Streaming.chunks(chunk))) {
            assertFalse(s.streamed());
            assertEquals(s.loss(), streamedLoss, "streamed loss equals the resident one with the same chunk rows: " + residency);
        }
    }

    @Test
    void kernelBuildFailureCarriesTheBuildLog() {
        TestBackends.open("opencl").close();                    // skips (or fails when required) without OpenCL
        OpenClBackend.Device dev = OpenClBackend.select(OpenClBackend.devices(), null);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL.CL_CONTEXT_PLATFORM, dev.platform());
        cl_context ctx = CL.clCreateContext(props, 1, new cl_device_id[] {dev.id()}, null, null, null);
        try {
            DescentException e = assertThrows(DescentException.class,
                    () -> OpenClBackend.build(ctx, dev.id(), "kernel void broken(global float *x) { x[0] = undefined_name; }"));
            assertTrue(e.getMessage().startsWith("OpenCL kernel build failed"), e.getMessage());
            assertTrue(e.getMessage().contains("undefined_name"), "the log names the error: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        } finally {
            CL.clReleaseContext(ctx);
        }
    }

    /** A JVM whose ICD loader finds no vendors: `descent devices` says what to install; `--backend opencl` fails in one line. */
    @Test
    void noPlatformSaysWhatToInstall(@TempDir Path empty) throws Exception {
        Assumptions.assumeTrue(OpenClLibrary.missing() == null,
                "needs the OpenCL ICD loader (libOpenCL.so.1) to stand for a machine with a loader but no platform: " + OpenClLibrary.missing());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (List<String> args : List.of(List.of("devices"), List.of("train", "--backend", "opencl", "--no-progress"))) {
            var cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.descent.cli.Main"));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("OCL_ICD_VENDORS", empty.toString());
            pb.environment().remove("OPENCL_VENDOR_PATH");
            Process p = pb.start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (args.get(0).equals("devices")) {
                assertEquals(0, p.exitValue(), err);
                assertTrue(out.contains("opencl  unavailable no OpenCL platform found: install an OpenCL runtime"), out);
                assertTrue(out.contains("auto    -> cpu"), out);
            } else {
                assertEquals(1, p.exitValue(), err);
                assertEquals("descent: no OpenCL platform found: install an OpenCL runtime (Debian/Ubuntu: apt-get install "
                        + "pocl-opencl-icd ocl-icd-opencl-dev; or your GPU vendor's driver)", err.strip());
            }
        }
    }

    /**
     * A machine without the OpenCL library: descent says so once, in its own words, and the native
     * loader's lines ("Could not load libOpenCL.so.1 ...") never reach the terminal. An empty
     * library path stands for that machine; a file named libOpenCL.so.1 that is not a library
     * (what a bind mount of /dev/null leaves) counts as absent.
     */
    @Test
    void noLibrarySaysItOnceWithoutNativeNoise(@TempDir Path empty) throws Exception {
        java.nio.file.Files.writeString(empty.resolve("libOpenCL.so.1"), "");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (List<String> args : List.of(List.of("devices"), List.of("train", "--backend", "opencl", "--no-progress"))) {
            var cmd = new java.util.ArrayList<>(List.of(java, "-Ddescent.opencl.libraryPath=" + empty, "-cp",
                    System.getProperty("java.class.path"), "dev.descent.cli.Main"));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertFalse((out + err).contains("Could not load"), out + err);
            if (args.get(0).equals("devices")) {
                assertEquals(0, p.exitValue(), err);
                assertTrue(out.contains("opencl  unavailable no OpenCL library (libOpenCL found but not loadable"), out);
                assertEquals("", err, "devices prints nothing on stderr");
            } else {
                assertEquals(1, p.exitValue(), err);
                assertEquals(1, err.strip().lines().count(), err);
                assertTrue(err.startsWith("descent: no OpenCL library ("), err);
            }
        }
    }
}
