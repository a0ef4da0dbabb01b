package dev.descent.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a long command: the first one asks the command to stop at
 * its next safe point (between device calls, or between benchmark forks), write what is complete
 * and exit 128 + the signal's number (130 for Ctrl-C); a second one ends the process at once.
 * Files are written whole or not at all either way, so a second signal loses only what was not
 * yet complete.
 *
 * <p>The command line installs one dispatcher per signal, once per process; while a command
 * holds an {@code Interrupt} the dispatcher hands it the signal, otherwise it passes the signal
 * to the handler that was there before (the JVM's: run shutdown hooks and exit). Where the JVM
 * offers no signal handling (no {@code jdk.unsupported}), signals keep their default effect.
 */
final class Interrupt implements AutoCloseable {
    private static final Map<String, sun.misc.SignalHandler> PREVIOUS = new ConcurrentHashMap<>();
    private static volatile Interrupt active;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final PrintWriter err;
    private volatile int signal;

    private Interrupt(PrintWriter err) {
        this.err = err;
    }

    /** Routes SIGINT and SIGTERM to a new {@code Interrupt} until it is closed. */
    static Interrupt install(PrintWriter err) {
        dispatchOnce();
        Interrupt it = new Interrupt(err);
        active = it;
        return it;
    }

    private static synchronized void dispatchOnce() {
        for (String name : List.of("INT", "TERM")) {
            if (PREVIOUS.containsKey(name)) continue;
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, Interrupt::dispatch);
                PREVIOUS.put(name, old != null ? old : sun.misc.SignalHandler.SIG_DFL);
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                // the signal is reserved (e.g. under -Xrs) or not offered: its default effect stays
            }
        }
    }

    private static void dispatch(sun.misc.Signal s) {
        Interrupt it = active;
        if (it != null) {
            it.signalled(s);
            return;
        }
        sun.misc.SignalHandler old = PREVIOUS.get(s.getName());
        if (old != null && old != sun.misc.SignalHandler.SIG_DFL && old != sun.misc.SignalHandler.SIG_IGN) old.handle(s);
        else if (old != sun.misc.SignalHandler.SIG_IGN) System.exit(128 + s.getNumber());
    }

    private void signalled(sun.misc.Signal s) {
        if (requested.getAndSet(true)) Runtime.getRuntime().halt(128 + s.getNumber());
        signal = s.getNumber();
        err.println();
        err.println("descent: interrupted (SIG" + s.getName() + "): stopping at the next safe point and writing what is"
                + " complete; interrupt again to quit at once");
        err.flush();
    }

    boolean requested() {
        return requested.get();
    }

    /** The exit code for a command that stopped because of the signal: 128 + its number. */
    int exitCode() {
        return 128 + (signal == 0 ? 2 : signal);
    }

    @Override
    public void close() {
        if (active == this) active = null;
    }
}
