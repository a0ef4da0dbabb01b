package dev.descent.plot;

/**
 * Whether an error says the Java runtime cannot draw: a class or native library that did not load (a JRE
 * without the java.desktop module, a missing font library) or AWT's own error. This class touches no AWT
 * class, so a handler can call it where java.desktop is absent; AWT's error is matched by name for the same
 * reason: a catch clause naming it fails to resolve there, and the error that throws replaces the one being
 * handled (a sweep on a lean JRE ended in "a library did not load (java/awt/AWTError)" on an H200, session 10).
 */
public final class CannotDraw {
    private CannotDraw() {}

    public static boolean is(Throwable e) {
        return e instanceof LinkageError || e.getClass().getName().equals("java.awt.AWTError");
    }
}
