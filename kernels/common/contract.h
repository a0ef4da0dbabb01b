/*
 * descent — the host–kernel contract, once for both kernel languages and mirrored once in Java
 * (dev.descent.backend.KernelArgs): the status protocol and the argument groups every kernel's
 * parameter list is made of. A kernel declares its parameters as a sequence of these groups (then
 * any launch-shape or local-memory parameters of its own, last); the host appends the same groups
 * in the same order, by name. Change a group here and in KernelArgs together.
 *
 * Buffer shapes (float32 unless said; n rows, d features, `heads` outputs: k classes for softmax,
 * else 1; npar = heads·(d + 1) parameters):
 *   X        (n, d) row-major            T       (n), or 1 float when the objective has no target
 *   W        (n) example weights (has_w), or 1 float: a row's residuals and loss are multiplied by its weight
 *   order    (order_len) int row indices: the batch order
 *   params   (npar) packed head by head [w_0 .. w_{d-1}, b]   state   (slots, npar) the optimizer's
 *                                        state, slot-major (descent_slots(rule, average) slots; 1 float when 0)
 *   snaps    (records, npar) packed like params      status  (1) int, see STATUS_OK
 *   partial  (parts, npar + 1): per part and head the sums of r·x (d) and r, then the loss
 * With one head these are the shapes of the scalar model: params [w, b], partial (parts, d + 2).
 * Sparse rows (CSR) replace X by three buffers: offs (n + 1) 64-bit row starts, cols (nnz) int
 * 0-based columns increasing within a row, vals (nnz) the stored values.
 */
#ifndef DESCENT_CONTRACT_H
#define DESCENT_CONTRACT_H

#include "lang.h"
#include "objectives.h"
#include "rules.h"

/* status[0]: STATUS_OK until an update makes a parameter non-finite, then the smallest such step
 * number (the session's step counter). Steps after it are skipped. */
#define STATUS_OK 0x7fffffff

/* ROWS: the rows a batch reads through the batch order; obj is DESCENT_OBJ_*, obj_p the loss's parameter
 * (objectives.h), has_t whether T holds targets, heads the model's outputs (1, or softmax's k), has_w
 * whether W holds example weights. ROWS_PASS names the group's parameters, for a kernel that hands them on. */
#define ROWS_ARGS GLOBAL const float *X, GLOBAL const float *T, GLOBAL const int *order, const int d, const int obj, const float obj_p, \
                  const int has_t, const int heads, GLOBAL const float *W, const int has_w
#define ROWS_PASS X, T, order, d, obj, obj_p, has_t, heads, W, has_w
/* ALL_ROWS: every row, in storage order (the full-data loss) */
#define ALL_ROWS_ARGS GLOBAL const float *X, GLOBAL const float *T, const int n, const int d, const int obj, const float obj_p, \
                      const int has_t, const int heads, GLOBAL const float *W, const int has_w
#define ALL_ROWS_PASS X, T, n, d, obj, obj_p, has_t, heads, W, has_w
/* SPARSE_ROWS, SPARSE_ALL_ROWS: ROWS and ALL_ROWS over CSR rows (row i: vals[offs[i] .. offs[i + 1]) at cols[…]) */
#define SPARSE_ROWS_ARGS GLOBAL const D_LONG *offs, GLOBAL const int *cols, GLOBAL const float *vals, GLOBAL const float *T, \
                         GLOBAL const int *order, const int d, const int obj, const float obj_p, const int has_t, const int heads, \
                         GLOBAL const float *W, const int has_w
#define SPARSE_ALL_ROWS_ARGS GLOBAL const D_LONG *offs, GLOBAL const int *cols, GLOBAL const float *vals, GLOBAL const float *T, \
                             const int n, const int d, const int obj, const float obj_p, const int has_t, const int heads, \
                             GLOBAL const float *W, const int has_w

/* Row `row`'s example weight: W[row] with weights, else 1 (a residual or a loss times 1 keeps its bits). Every
 * kernel multiplies a row's residuals (after dl/dm) and its loss by it, nothing else. */
#define DESCENT_WEIGHT(row) (has_w ? W[(row)] : 1.0f)
/* BATCH: positions [from, from + count) of the order */
#define BATCH_ARGS const int from, const int count
/* WEIGHTS: the parameters, read only */
#define WEIGHTS_ARGS GLOBAL const float *params, const int use_bias
/* MODEL: the parameters and the optimizer state, updated in place; t0 updates were applied since the
 * state was reset, so the next one is number t0 + 1 (Adam's bias correction) */
#define MODEL_ARGS GLOBAL float *params, GLOBAL float *state, const int use_bias, const int t0
/* RULE: the update rule (DESCENT_RULE_*), mu (momentum, Adam's beta1), beta2 (Adam's beta2, RMSprop's
 * alpha), eps, weight decay lambda, L1 strength l1, decoupled or L2 decay, averaged iterates (the last
 * state slot; snapshots record it); see descent_step in rules.h */
#define RULE_ARGS const int rule, const float mu, const float beta2, const float eps, const float lambda, const float l1, \
                  const int decoupled, const int average
/* STEPS: batches first_batch .. first_batch + batches - 1 of `batch` rows of an order of order_len */
#define STEPS_ARGS const int order_len, const int batch, const int first_batch, const int batches
/* RATE: step k of the run uses lrs[k] when per_step, else descent_rate(lr, inv_sqrt, first_step, k)
 * (descent_run_rate in rules.h); lrs is 1 float when unused */
#define RATE_ARGS const float lr, const int inv_sqrt, const int first_step, GLOBAL const float *lrs, const int per_step
/* RECORD: after batch j with j % record_every == 0 the parameters go to snaps; a divergence at
 * step k of the run sets status to step0 + k */
#define RECORD_ARGS const int record_every, GLOBAL float *snaps, const int step0, GLOBAL int *status
/* PARTIALS_OUT: stage 1 of the batch gradient writes its parts (rows_per_part rows each) to
 * partial; it does nothing when status is not STATUS_OK */
#define PARTIALS_OUT_ARGS const int with_loss, const int rows_per_part, GLOBAL float *partial, GLOBAL const int *status
/* PARTIALS_IN: stage 2 reads `parts` parts of partial, a batch of `count` rows */
#define PARTIALS_IN_ARGS GLOBAL const float *partial, const int parts, const int d, const int heads, const int count
/* MEAN_OUT: the mean gradient asked for goes to out (npar + 1): per head the gradient and the bias gradient
 * (0 without a bias), then the loss */
#define MEAN_OUT_ARGS const int use_bias, GLOBAL float *out
/* UPDATE: one step at learning rate lr; `step` is the session's step number, compared with status */
#define UPDATE_ARGS const float lr, const int step, GLOBAL int *status
/* LOSSES: the full-data loss of K snapshots; per part of rows_per_part rows, K sums into partial (parts, K) */
#define LOSSES_ARGS GLOBAL const float *snaps, const int K, const int rows_per_part, GLOBAL float *partial

/* LANES: `lanes` models advanced together over one batch order (sweeps). Lane l's parameters are at
 * lparams + l·lpstride (lpstride ≥ npar, a multiple of 4 so that every lane starts 16-byte aligned),
 * its optimizer state (slot-major, as STATE) at lstate + l·lstride; its settings are
 * lint[l·LANE_INTS ..] = {rule, decoupled, average, t0, inv_sqrt, first_step, per_step} and
 * lflt[l·LANE_FLOATS ..] = {lr, mu, beta2, eps, lambda, l1} (RULE, MODEL's t0 and RATE per lane); its
 * per-step rates, when per_step, llrs[l·batches ..]; its record r goes to lsnaps[(r·lanes + l)·npar ..];
 * lstatus[l] is STATUS_OK until the step (of this run) at which it diverged. */
#define LANE_INTS 7
#define LANE_FLOATS 6
#define LANES_ARGS GLOBAL float *lparams, const int lpstride, GLOBAL float *lstate, const int lstride, const int lanes, GLOBAL const int *lint, \
                   GLOBAL const float *lflt, GLOBAL const float *llrs, GLOBAL float *lsnaps, GLOBAL int *lstatus

/* LANE_PARTS_OUT, LANE_PARTS_IN: a sweep's stage-1 sums for a batch that takes several work-groups a step
 * (OpenCL's sweep_partial, sweep_rowsw_cpu; then sweep_grad_step): lane l's parts, laid out as PARTIAL, at
 * lpartial + l·lpart_stride; `parts` parts of a batch of `count` rows, rows_per_part rows each */
#define LANE_PARTS_OUT_ARGS const int rows_per_part, GLOBAL float *lpartial, const int lpart_stride
#define LANE_PARTS_IN_ARGS GLOBAL const float *lpartial, const int lpart_stride, const int parts, const int d, const int heads, const int count
/* LANE_SPLIT: CUDA's one-head stage 1 (grad_partial_*) for `lanes` models at once: block q runs part q / lanes
 * for lane q % lanes, whose parameters are at params + lane·lpstride, its parts at partial + lane·lpart_stride,
 * its status at status[lane] (WEIGHTS and PARTIALS_OUT then name a sweep's LANES buffers); 1, 0, 0 for one model */
#define LANE_SPLIT_ARGS const int lanes, const int lpstride, const int lpart_stride
/* LANE_STEP: step k of a run of `batches` (lane l's rate llrs[l·batches + k]); the parameters after it go to
 * record rec of LANES' lsnaps when rec ≥ 0 */
#define LANE_STEP_ARGS const int k, const int batches, const int rec

#endif /* DESCENT_CONTRACT_H */
