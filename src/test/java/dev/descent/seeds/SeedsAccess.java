package dev.descent.seeds;

import java.util.List;

/** Lets tests in other packages reuse the seed acceptance checks. */
public final class SeedsAccess {
    private SeedsAccess() {}

    public static void checkSeed1(List<Seed1.Outcome> o) { SeedsTest.checkSeed1(o); }

    public static void checkSeed2(Seed2.Outcome o) { SeedsTest.checkSeed2(o); }
}
