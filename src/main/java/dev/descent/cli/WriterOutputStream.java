package dev.descent.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bridges the library's PrintStream output to picocli's PrintWriter (UTF-8, flushed by line). */
final class WriterOutputStream extends OutputStream {
    private final PrintWriter w;
    private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

    WriterOutputStream(PrintWriter w) {
        this.w = w;
    }

    @Override
    public void write(int b) {
        buf.write(b);
        if (b == '\n') flush();
    }

    @Override
    public void flush() {
        w.write(buf.toString(StandardCharsets.UTF_8));
        w.flush();
        buf.reset();
    }
}
