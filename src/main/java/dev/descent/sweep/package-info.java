/**
 * Sweeps: many (learning rate, schedule, optimizer, batch size, initial parameters) configurations
 * of one linear model trained at once over one dataset, each batch row read once per step for every
 * configuration that uses it. Entry point: {@link dev.descent.sweep.Sweep}. Sits above
 * {@code train} (it reruns a configuration alone through {@code Trainer}) and below {@code cli}.
 */
package dev.descent.sweep;
