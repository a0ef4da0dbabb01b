package dev.descent;

/**
 * A failure a user can act on. Its message is one line that names what is wrong and what to do;
 * the CLI prints it as is (no stack trace) and exits with {@link #exitCode()}.
 */
public class DescentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DescentException(String message) {
        super(message);
    }

    public DescentException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 1 for a failure while running; {@link InvalidArgument} says 2 (bad usage). */
    public int exitCode() {
        return 1;
    }

    /** A value the caller chose is not allowed (batch size 0, lr ≤ 0, unknown name, …). */
    public static final class InvalidArgument extends DescentException {
        private static final long serialVersionUID = 1L;

        public InvalidArgument(String message) {
            super(message);
        }

        @Override
        public int exitCode() {
            return 2;
        }
    }

    /** The user stopped the command (Ctrl-C, SIGTERM): what was complete is written; exit 128 + the signal number. */
    public static final class Interrupted extends DescentException {
        private static final long serialVersionUID = 1L;
        private final int code;

        /** @param message what was completed and where it is; printed after "interrupted: " */
        public Interrupted(String message, int exitCode) {
            super("interrupted: " + message);
            this.code = exitCode;
        }

        @Override
        public int exitCode() {
            return code;
        }
    }

    /** Throws {@link InvalidArgument} with the message when the condition fails. */
    public static void require(boolean ok, String message) {
        if (!ok) throw new InvalidArgument(message);
    }

    /** Throws {@link InvalidArgument} unless {@code v} is finite and > 0. */
    public static double requirePositive(String what, double v) {
        require(Double.isFinite(v) && v > 0,
                what + " must be a finite number > 0 (got " + v + ")");
        return v;
    }
}
