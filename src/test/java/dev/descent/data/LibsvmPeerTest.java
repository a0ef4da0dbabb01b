package dev.descent.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * descent's LIBSVM reader against scikit-learn's {@code load_svmlight_file} on the committed
 * fixture {@code bench/peers/libsvm-peer.svm} (the format's corners: qid, comments, blank lines,
 * CRLF, tabs, trailing blanks, a label-only row, a last line without a line end, values in many
 * spellings), whose scikit-learn result {@code bench/peers/libsvm-peer.json} was written by
 * {@code bench/peers/libsvm_fixture.py}: shape, CSR arrays, labels and values, bit for bit.
 */
class LibsvmPeerTest {
    static final Path SVM = Path.of("bench/peers/libsvm-peer.svm"), JSON = Path.of("bench/peers/libsvm-peer.json");

    @Test
    void readsTheFixtureAsScikitLearnDoesBitForBit() throws IOException {
        JsonNode peer = new ObjectMapper().readTree(JSON.toFile());
        SparseRows r = Libsvm.read(SVM);
        String who = peer.get("peer").asText();
        assertEquals(peer.get("n").asInt(), r.n(), who + ": rows");
        assertEquals(peer.get("d").asInt(), r.d(), who + ": features");
        JsonNode indptr = peer.get("indptr"), indices = peer.get("indices"), values = peer.get("value_bits"), labels = peer.get("label_bits");
        assertEquals(indices.size(), r.nnz(), who + ": values");
        for (int i = 0; i < r.n(); i++) {
            assertEquals(indptr.get(i + 1).asLong(), r.rowOffsets()[i + 1], who + ": row " + (i + 1) + "'s end");
            assertEquals(labels.get(i).asInt(), Float.floatToRawIntBits(r.targets()[i]), who + ": row " + (i + 1) + "'s label");
        }
        int[] cols = r.allCols();
        float[] vals = r.allVals();
        for (int p = 0; p < r.nnz(); p++) {
            assertEquals(indices.get(p).asInt(), cols[p], who + ": column of value " + p);
            assertEquals(values.get(p).asInt(), Float.floatToRawIntBits(vals[p]),
                    who + ": value " + p + " (" + Float.intBitsToFloat(values.get(p).asInt()) + " vs " + vals[p] + ")");
        }
    }
}
