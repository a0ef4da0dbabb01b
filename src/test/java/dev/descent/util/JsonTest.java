package dev.descent.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * descent's own JSON (the library has no JSON dependency): what it writes, Jackson (a peer, test scope)
 * reads to the same values, and what it parses back equals what was written; fresh random strings and
 * numbers each run; malformed text gets the line of its first error.
 */
class JsonTest {
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());

    @Test
    void whatItWritesJacksonAndItselfReadBack() throws Exception {
        Random rng = new Random(SEED);
        for (int round = 0; round < 200; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = rng.nextInt(12); i > 0; i--) sb.append((char) (rng.nextBoolean() ? rng.nextInt(0x80) : rng.nextInt(0x3000)));
            String s = sb.toString();
            double x = rng.nextGaussian() * Math.pow(10, rng.nextInt(40) - 20);
            float f = (float) rng.nextGaussian();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("s", s);
            m.put("x", x);
            m.put("f", f);
            m.put("n", rng.nextLong());
            m.put("b", rng.nextBoolean());
            m.put("nothing", null);
            m.put("list", List.of(1, "two", List.of()));
            m.put("doubles", new double[] {x, -x});
            m.put("empty", Map.of());
            String text = Json.write(m);
            String where = "seed " + SEED + " round " + round + ": " + text;
            var jackson = new ObjectMapper().readTree(text);
            assertEquals(s, jackson.path("s").asText(), where);
            assertEquals(x, jackson.path("x").asDouble(), 0, where);
            assertEquals(f, (float) jackson.path("f").asDouble(), 0, where);
            Json.Node n = Json.parse(text);
            assertEquals(s, n.path("s").asText(), where);
            assertEquals(x, n.path("x").asDouble(), 0, where);
            assertEquals(Float.toString(f), n.path("f").asText(), where);
            assertEquals(m.get("n").toString(), n.path("n").asText(), where);
            assertEquals(m.get("b"), n.path("b").asBoolean(!(Boolean) m.get("b")), where);
            assertTrue(n.path("nothing").isNull() && n.path("absent").isMissing(), where);
            assertEquals(3, n.path("list").size(), where);
            assertEquals("two", n.path("list").get(1).asText(), where);
            assertEquals(-x, n.path("doubles").get(1).asDouble(), 0, where);
            assertTrue(n.path("empty").isObject() && n.path("empty").size() == 0, where);
        }
    }

    @Test
    void malformedTextNamesItsLine() {
        for (String[] c : new String[][] {{"{\n  \"a\" : 1,\n  \"b\" : [1, 2\n}", "4"}, {"{\n\"a\": tru }", "2"}, {"[1, 2]\n\n x", "3"},
                {"{\"a\": \"open\n\"}", "1"}, {"", "1"}, {"{\"a\" 1}", "1"}, {"[1e]", "1"}}) {
            var e = assertThrows(Json.Error.class, () -> Json.parse(c[0]), c[0]);
            assertEquals(Integer.parseInt(c[1]), e.line, c[0] + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
