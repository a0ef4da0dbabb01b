/**
 * descent as a Tribuo trainer: {@link dev.descent.tribuo.DescentRegressionTrainer} ({@code Trainer<Regressor>})
 * and {@link dev.descent.tribuo.DescentLabelTrainer} ({@code Trainer<Label>}). Training runs on a descent
 * backend (CUDA, OpenCL, the Java cpu backend, or the double-precision reference); the model is Tribuo's
 * own {@code LinearSGDModel}, so Tribuo's evaluation, serialization, ONNX export and provenance work on it
 * unchanged. The provenance records descent's settings (backend, optimizer, learning rate) and the device
 * that trained.
 */
package dev.descent.tribuo;
