package dev.descent.cli;

/** Lets tests in other packages drive the CLI the way CliTest does. */
public final class CliAccess {
    private CliAccess() {}

    public static CliTest.Outcome cli(String... args) { return CliTest.cli(args); }

    public static void assertOneClearLine(CliTest.Outcome o, int code, String mentions) { CliTest.assertOneClearLine(o, code, mentions); }
}
