package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --device-memory} on OpenCL: a cap far below the data makes the run stream, it says
 * so on stderr and in the JSON history, and its printed results equal a resident run with the same
 * {@code --chunk-rows} (dense CSV and sparse LIBSVM).
 */
class StreamingCliTest {

    @Test
    void aTinyDeviceMemoryCapStreamsAndPrintsWhatAResidentRunPrints(@TempDir Path dir) throws Exception {
        TestBackends.open("opencl").close();                       // skips (or fails when required) without OpenCL
        Path svm = dir.resolve("r.svm");
        CliTest.Outcome gen = CliTest.cli("data", "--sparse", "--rows", "3000", "--features", "2000", "--nnz", "20", "--format", "libsvm",
                "--out", svm.toString());
        assertEquals(0, gen.code(), gen.err());
        // dense: 3000 rows of 36 bytes under a 48 KiB cap, chunks of 500; sparse: ~480 KiB of values under 256 KiB, chunks of 50
        for (String[] data : List.of(new String[] {"--rows", "3000", "--features", "8", "--device-memory", "48k", "--chunk-rows", "500"},
                new String[] {"--data", svm.toString(), "--objective", "logistic", "--device-memory", "256k", "--chunk-rows", "50"})) {
            String chunk = data[data.length - 1];
            String[] out = new String[3];
            for (int streamed = 0; streamed < 3; streamed++) {                    // resident, streamed, streamed through two slots
                Path h = dir.resolve("h" + streamed + ".json");
                List<String> args = new ArrayList<>(List.of("train", "--backend", "opencl", "--batch", "16", "--epochs", "2", "--lr", "0.05",
                        "--history", h.toString(), "--no-progress"));
                args.addAll(List.of(data));
                if (streamed == 0) args.removeAll(List.of("--device-memory", "48k", "256k"));
                if (streamed == 2) args.addAll(List.of("--stream-slots", "2"));
                CliTest.Outcome o = CliTest.cli(args.toArray(String[]::new));
                assertEquals(0, o.code(), o.err());
                String rows = new ObjectMapper().readTree(h.toFile()).path("config").path("rows").asText();
                if (streamed >= 1) {
                    assertTrue(o.err().contains("descent: rows streamed in chunks of " + chunk + " rows"), o.err());
                    assertEquals(streamed == 2, rows.contains(", two on the device"), rows);
                    assertTrue(rows.startsWith("streamed in chunks of " + chunk + " rows") && !rows.contains("(0 chunks"), rows);
                } else {
                    assertTrue(o.err().contains("descent: rows resident, in chunks of " + chunk + " rows"), o.err());
                    assertFalse(rows.startsWith("streamed"), rows);
                }
                out[streamed] = o.out().replaceAll("\\(\\d+\\.\\d+ s\\)", "").replaceAll("in \\d+\\.\\d+ s", "");
            }
            assertEquals(out[0], out[1], "streamed vs resident, same chunk rows: " + String.join(" ", data));
            assertEquals(out[0], out[2], "streamed through two slots vs resident, same chunk rows: " + String.join(" ", data));
        }
    }

    @Test
    void badSizesAreOneLine() {
        CliTest.Outcome o = CliTest.cli("train", "--device-memory", "lots");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--device-memory lots: give a size of at least 1 byte, e.g. 65536, 64m or 2g"), o.err());
        assertFalse(o.err().strip().contains("\n"), o.err());
        o = CliTest.cli("train", "--stream-slots", "3");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--stream-slots must be 1 or 2, or 0 for the device's choice (got 3)"), o.err());
        assertFalse(o.err().strip().contains("\n"), o.err());
    }
}
