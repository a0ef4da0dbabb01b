/*
 * descent — the kernels over sparse rows (CSR), written once for both kernel languages: OpenCL
 * (kernels/opencl/descent.cl) and CUDA (kernels/cuda/descent.cu) each include this file, so what
 * CI runs on PoCL is what a GPU runs. Parameters are contract.h's argument groups; the Java
 * mirrors are the sparse branches of dev.descent.backend.cpu.CpuSession (the same arithmetic in
 * the same order, so the float results agree up to the compilers' fused multiply-adds) and the
 * double-precision reference dev.descent.backend.ref.RefSession.
 *
 * A row's margin per head: the stored values times their weights, summed in storage order, then
 * the head's bias. Every kernel touches a row's stored values only.
 *
 * Shapes: work-groups whose size the host picks (a power of 2 up to DESCENT_SPARSE_GROUP): 1 for the
 * cpu kernel family (a work-item per part of rows with a dense partial of its own, one work-item for
 * a run of steps), DESCENT_SPARSE_GROUP on a GPU (CUDA, OpenCL's gpu family): the items take a row
 * each for the residuals, then the group adds the rows' values one row after another
 * (descent_sparse_rows), splitting each row's values between the items. Deterministic by
 * construction: no float atomics;
 * a place's adds come in row order whatever the group size; the parts are summed in part order by
 * grad_mean / grad_step (or in double by the host, losses).
 * Floors (bytes each kernel must move; nnz_B the stored values of the batch, P parts):
 *   grad_rows_sparse   nnz_B·8 (value and column) + |B|·(8 + 8) (order, target, two offsets)
 *                      + nnz_B·4·heads gathered weights + P·(npar + 1)·4 partials written
 *   run_steps_sparse   per step nnz_B·(8 + 4·heads·3) (values and columns read twice; a weight
 *                      read for the margin, read and written by the update) + |B|·16; lazy: no O(d)
 *                      term, else npar·4·(2 + 2·slots) per step (every parameter's update)
 *   losses_sparse      per block of DESCENT_SPARSE_LOSS_BLOCK snapshots nnz·8 + n·12, and nnz·4·K gathered weights
 * TODO(perf): a transposed copy (CSC) for the full-batch gradient (a work-item per column); a warp per
 * row for the residuals (coalesced values; a batch-1 step is one item's dot product, latency-bound).
 */
#ifndef DESCENT_SPARSE_H
#define DESCENT_SPARSE_H

#include "contract.h"

/* Below this scale a lazy run folds it into the weights (AbstractSession.LAZY_FOLD_BELOW). */
#define DESCENT_LAZY_FOLD_BELOW 1e-3f
/* run_steps_sparse with one work-item, lazy, one head, batch 1: the moved weights go unchecked while a bound on
 * max |u| stays under DESCENT_UNCHECKED_BELOW (far below FLT_MAX: no moved weight can overflow). Each step adds
 * |f·r|·vmax, times DESCENT_BOUND_MARGIN = 1 + 2^-20, which covers the float rounding of the update (a product and a
 * difference) and of the bound's own two operations; a fold multiplies it by |s| and the margin. CpuSession.runLazyOne
 * does the same in double. */
#define DESCENT_UNCHECKED_BELOW 1e37f
#define DESCENT_BOUND_MARGIN 1.00000095367431640625f

/* max |u| over the first d parameters (one head's weights), or 3e38 (past any bound) when one is not finite. */
DESCENT_FN float descent_max_abs_weight(GLOBAL const float *params, int d)
{
    float m = 0.0f;
    int bad = 0;
    for (int c = 0; c < d; ++c) {
        const float a = D_FABS(params[c]);
        m = a > m ? a : m;
        bad |= !D_ISFINITE(a);
    }
    return bad ? 3.0e38f : m;
}

/* Σ vals·w[cols] over row `row`'s stored values in a fixed order: four accumulators take the values of
 * each group of four, the tail joins the first, summed (s0 + s1) + (s2 + s3) (CpuSession.sparseDot). */
DESCENT_FN float descent_sparse_dot(GLOBAL const D_LONG *offs, GLOBAL const int *cols, GLOBAL const float *vals, int row, GLOBAL const float *w)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    const D_LONG end = offs[row + 1];
    D_LONG q = offs[row];
    for (; q + 3 < end; q += 4) {
        s0 += vals[q] * w[cols[q]];
        s1 += vals[q + 1] * w[cols[q + 1]];
        s2 += vals[q + 2] * w[cols[q + 2]];
        s3 += vals[q + 3] * w[cols[q + 3]];
    }
    for (; q < end; ++q) s0 += vals[q] * w[cols[q]];
    return (s0 + s1) + (s2 + s3);
}

/* The row's residual(s) at weights s·u (u = w, the biases unscaled) into m: one head's dℓ/dm, or softmax's
 * k residuals, times the row's example weight; returns the loss (times the weight) when with_loss. */
DESCENT_FN float descent_sparse_residuals(GLOBAL const D_LONG *offs, GLOBAL const int *cols, GLOBAL const float *vals, GLOBAL const float *T,
                                          int row, int d, int obj, float obj_p, int has_t, int heads, GLOBAL const float *W, int has_w,
                                          GLOBAL const float *w, float s, int use_bias, int with_loss, float *m)
{
    const int np = d + 1;
    const float v = DESCENT_WEIGHT(row);
    for (int h = 0; h < heads; ++h) m[h] = s * descent_sparse_dot(offs, cols, vals, row, w + h * np) + (use_bias ? w[h * np + d] : 0.0f);
    if (heads > 1) {
        const float l = descent_softmax_residuals(heads, m, T[row], with_loss);
        for (int h = 0; h < heads; ++h) m[h] *= v;
        return v * l;
    }
    const float t = has_t ? T[row] : 0.0f;
    const float l = with_loss ? v * descent_loss(obj, obj_p, m[0], t) : 0.0f;
    m[0] = v * descent_dloss(obj, obj_p, m[0], t);
    return l;
}

/* The most work-items a group kernel below is launched with; a launch's group size is a power of 2 up to it. */
#define DESCENT_SPARSE_GROUP 256

/* Local memory of descent_sparse_rows: a window of up to DESCENT_SPARSE_GROUP batch rows, each row's first and
 * end stored value. */
#define DESCENT_SPARSE_ROWS_LOCAL D_SHARED(D_LONG, sw_beg, DESCENT_SPARSE_GROUP); D_SHARED(D_LONG, sw_end, DESCENT_SPARSE_GROUP)
#define DESCENT_SPARSE_ROWS_LOCAL_ARGS sw_beg, sw_end

/*
 * The batch rows at positions [from, from + cnt) of the order, r their residuals (cnt × heads), every item of the
 * work-group calling it. apply == 0: g[h·np + col] += r_h·x over the rows' stored values and g[h·np + d] += r_h.
 * apply != 0 (the lazy update): each stored column c of the rows whose sum g[c] (per head) is not 0 moves
 * params[c] -= g[c]·f, once, and g[c] is cleared; returns whether a moved weight is not finite. The rows' offsets
 * come a window at a time (one row per item, one barrier), then the group takes the rows one after another, the
 * items splitting each row's values (distinct columns: no two items write one place), a barrier between rows. Each
 * place gets its adds in row order, as a single item would give them: the same bits for every group size.
 * (Measured on an H200 at batch 256 and 1024: every item scanning every value for the columns it owns, with no
 * barrier per row, was slower: 2× at 1024 rows.)
 */
DESCENT_FN int descent_sparse_rows(GLOBAL const D_LONG *offs, GLOBAL const int *cols, GLOBAL const float *vals, GLOBAL const int *order,
                                   int from, int cnt, int d, int heads, GLOBAL const float *r, GLOBAL float *g, int apply,
                                   GLOBAL float *params, float f, LOCAL D_LONG *sw_beg, LOCAL D_LONG *sw_end)
{
    const int np = d + 1, lid = D_LID, L = D_LSIZE;
    int b = 0;
    for (int w0 = 0; w0 < cnt; w0 += L) {
        const int W = D_MIN(L, cnt - w0);
        if (lid < W) {
            const int row = order[from + w0 + lid];
            sw_beg[lid] = offs[row];
            sw_end[lid] = offs[row + 1];
        }
        D_BARRIER;
        for (int k = 0; k < W; ++k) {
            const int q = w0 + k;
            const D_LONG end = sw_end[k];
            for (D_LONG e = sw_beg[k] + lid; e < end; e += L) {
                for (int h = 0, c = cols[e]; h < heads; ++h, c += np) {
                    if (!apply) {
                        g[c] += r[q * heads + h] * vals[e];
                    } else if (g[c] != 0.0f) {
                        const float nu = params[c] - g[c] * f;
                        params[c] = nu;
                        g[c] = 0.0f;
                        b |= !D_ISFINITE(nu);
                    }
                }
            }
            if (!apply && lid == 0)
                for (int h = 0; h < heads; ++h) g[h * np + d] += r[q * heads + h];
            D_BARRIER;
        }
    }
    return b;
}

/* The sum of every item's v in a fixed tree order over the group (its size a power of 2 ≤ DESCENT_SPARSE_GROUP);
 * every item gets it. Every item of the group calls it. */
DESCENT_FN float descent_group_sum(LOCAL float *red, float v)
{
    const int lid = D_LID;
    red[lid] = v;
    D_BARRIER;
    for (int o = D_LSIZE / 2; o > 0; o >>= 1) {
        if (lid < o) red[lid] += red[lid + o];
        D_BARRIER;
    }
    const float sum = red[0];
    D_BARRIER;
    return sum;
}

/* Stage 1 of the batch gradient: work-group i of `parts` sums positions [from + i·rows_per_part, …) of the
 * order into partial[i] (per head the sums of r·x and r, then the loss); res holds the batch's residuals
 * (count × heads). The items take a row each for its residuals, then the group adds the rows'
 * values (descent_sparse_rows, each place's adds in row order): the partial is the same for any group
 * size, the loss is summed over the items in a fixed tree. Stage 2 is grad_mean / grad_step. */
D_KERNEL grad_rows_sparse(SPARSE_ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS, GLOBAL float *res, const int parts)
{
    D_SHARED(float, red, DESCENT_SPARSE_GROUP);
    DESCENT_SPARSE_ROWS_LOCAL;
    const int i = D_GROUP, lid = D_LID, L = D_LSIZE;
    if (i >= parts || status[0] != STATUS_OK) return;
    const int ext = heads * (d + 1) + 1;
    GLOBAL float *g = partial + (size_t)i * ext;
    for (int c = lid; c < ext; c += L) g[c] = 0.0f;
    const int begin = from + i * rows_per_part;
    const int end = D_MIN(begin + rows_per_part, from + count);
    float ls = 0.0f;
    for (int p = begin + lid; p < end; p += L) {
        float m[DESCENT_MAX_HEADS];
        ls += descent_sparse_residuals(offs, cols, vals, T, order[p], d, obj, obj_p, has_t, heads, W, has_w, params, 1.0f, use_bias, with_loss, m);
        for (int h = 0; h < heads; ++h) res[(size_t)(p - from) * heads + h] = m[h];
    }
    D_BARRIER;
    if (begin < end)
        descent_sparse_rows(offs, cols, vals, order, begin, end - begin, d, heads, res + (size_t)(begin - from) * heads, g, 0, 0, 0.0f,
                            DESCENT_SPARSE_ROWS_LOCAL_ARGS);
    ls = descent_group_sum(red, ls);
    if (lid == 0) g[ext - 1] = ls;
}

/* w = s·u for every weight of every head (biases are not scaled), the group's items splitting the parameters. */
DESCENT_FN void descent_fold_scale(GLOBAL float *params, int npar, int d, float s)
{
    if (s == 1.0f) return;
    for (int c = D_LID; c < npar; c += D_LSIZE)
        if (c % (d + 1) < d) params[c] = s * params[c];
}

/*
 * Many steps in one launch, by one work-group (group 0; its size any power of 2 up to DESCENT_SPARSE_GROUP:
 * the results are the same bits for every size). Per step: the batch's residuals into res (batch × heads),
 * an item per row; their sums per column into scratch (npar floats, all 0 between steps), each place's adds
 * in row order (descent_sparse_rows); then the update.
 * lazy (plain SGD, no L1, no averaging, every η·λ ≤ ½: AbstractSession.lazySparse): the weights are
 * held as s·u, weight decay multiplies s, and only the batch's stored columns move
 * (u_c ← u_c − η·(Σ/|B|)/s'), each applied once and cleared: O(nnz of the batch) per step. s is folded
 * into the weights when it falls under DESCENT_LAZY_FOLD_BELOW and at the end; a record is s·u.
 * Otherwise every parameter takes descent_step with its mean gradient (0 where the batch stores nothing),
 * as the rule's maths asks (a momentum decays where the gradient is 0): O(npar) per step, split over the items.
 * A divergence is or-ed into bad[step parity] (two flags: one is cleared while the other is read).
 */
D_KERNEL run_steps_sparse(SPARSE_ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS, GLOBAL float *scratch,
                          GLOBAL float *res, const int lazy, const float vmax)
{
    D_SHARED(int, bad, 2);
    DESCENT_SPARSE_ROWS_LOCAL;
    const int lid = D_LID, L = D_LSIZE;
    if (D_GROUP != 0 || status[0] != STATUS_OK) return;
    const int np = d + 1, npar = heads * np, slots = descent_slots(rule, average);
    for (int c = lid; c < npar; c += L) scratch[c] = 0.0f;
    if (lid == 0) bad[0] = bad[1] = 0;
    float s = 1.0f;
    float st[DESCENT_MAX_SLOTS];
    int rec = 0;
    const int unchecked = lazy && L == 1 && heads == 1;   /* vmax: max |x| over the stored values, or not finite */
    float bound = unchecked ? descent_max_abs_weight(params, d) : 0.0f;
    D_BARRIER;
    for (int j = first_batch; j < first_batch + batches; ++j) {
        const int from = descent_batch_from(j, batch);
        const int cnt = descent_batch_count(j, batch, order_len);
        const float lr_j = descent_run_rate(lrs, per_step, lr, inv_sqrt, first_step, j - first_batch);
        const int t_j = t0 + (j - first_batch) + 1;
        const int flag = (j - first_batch) & 1;
        for (int q = lid; q < cnt; q += L) {
            float m[DESCENT_MAX_HEADS];
            descent_sparse_residuals(offs, cols, vals, T, order[from + q], d, obj, obj_p, has_t, heads, W, has_w, params, s, use_bias, 0, m);
            for (int h = 0; h < heads; ++h) res[q * heads + h] = m[h];
        }
        D_BARRIER;
        if (lid == 0) bad[flag ^ 1] = 0;                  /* the next step's flag: every item read it at the previous step's end */
        const float inv = 1.0f / (float)cnt;
        int b = 0;
        if (lazy) {
            const float decay = 1.0f - lr_j * lambda;
            float s2 = s * decay;
            if (D_FABS(s2) < DESCENT_LAZY_FOLD_BELOW) {
                descent_fold_scale(params, npar, d, s);
                D_BARRIER;
                bound *= D_FABS(s) * DESCENT_BOUND_MARGIN;
                s2 = decay;
            }
            const float f = lr_j * inv / s2;               /* u_c <- u_c - (sum r.x)_c * lr/(|B| s') */
            if (cnt == 1 && heads == 1) {                  /* one row: its r.x straight into the weights */
                const int row = order[from];
                const float fr = f * res[0];
                const D_LONG end = offs[row + 1];
                float grown = (bound + D_FABS(fr) * vmax) * DESCENT_BOUND_MARGIN;
                if (unchecked && !(grown < DESCENT_UNCHECKED_BELOW)) {     /* near the edge (or a factor not finite): the weights' max */
                    bound = descent_max_abs_weight(params, d);
                    grown = (bound + D_FABS(fr) * vmax) * DESCENT_BOUND_MARGIN;
                }
                if (unchecked && grown < DESCENT_UNCHECKED_BELOW) {
                    for (D_LONG e = offs[row]; e < end; ++e) {
                        const float nu = params[cols[e]] - fr * vals[e];
                        params[cols[e]] = nu;
                    }
                    bound = grown;
                } else {
                    float mx = 0.0f;
                    for (D_LONG e = offs[row] + lid; e < end; e += L) {
                        const float nu = params[cols[e]] - fr * vals[e];
                        params[cols[e]] = nu;
                        b |= !D_ISFINITE(nu);
                        mx = D_FABS(nu) > mx ? D_FABS(nu) : mx;
                    }
                    bound = bound > mx ? bound : mx;       /* the others did not move (used with one item only) */
                }
                if (lid == 0) scratch[d] = res[0];
            } else {                                       /* the sums, then each touched column applied once and cleared */
                descent_sparse_rows(offs, cols, vals, order, from, cnt, d, heads, res, scratch, 0, params, f, DESCENT_SPARSE_ROWS_LOCAL_ARGS);
                b |= descent_sparse_rows(offs, cols, vals, order, from, cnt, d, heads, res, scratch, 1, params, f,
                                         DESCENT_SPARSE_ROWS_LOCAL_ARGS);
            }
            for (int h = lid; h < heads; h += L) {         /* item 0 wrote every bias sum (descent_sparse_rows) */
                const int c = h * np + d;
                if (use_bias) {
                    const float nb = params[c] - lr_j * (scratch[c] * inv);
                    params[c] = nb;
                    b |= !D_ISFINITE(nb);
                }
                scratch[c] = 0.0f;
            }
            s = s2;
        } else {
            descent_sparse_rows(offs, cols, vals, order, from, cnt, d, heads, res, scratch, 0, params, 0.0f, DESCENT_SPARSE_ROWS_LOCAL_ARGS);
            for (int c = lid; c < npar; c += L) {
                const int jc = c % np;
                const float gm = scratch[c] * inv;
                scratch[c] = 0.0f;
                if (jc == d && !use_bias) continue;
                DESCENT_LOAD_SLOTS(st, state, npar, c, slots);
                const float w = descent_step(rule, params[c], gm, st, lr_j, mu, beta2, eps, jc < d ? lambda : 0.0f, jc < d ? l1 : 0.0f,
                                             decoupled, average, t_j);
                params[c] = w;
                DESCENT_STORE_SLOTS(st, state, npar, c, slots);
                b |= !D_ISFINITE(w);
            }
        }
        if (b) D_ATOMIC_OR_LOCAL(&bad[flag], 1);
        D_BARRIER;
        if (j % record_every == 0) {
            for (int c = lid; c < npar; c += L)
                snaps[(size_t)rec * npar + c] = average ? state[(slots - 1) * npar + c] : (c % np < d ? s * params[c] : params[c]);
            ++rec;
        }
        if (bad[flag]) {
            if (lid == 0) status[0] = step0 + (j - first_batch);
            break;
        }
    }
    D_BARRIER;
    descent_fold_scale(params, npar, d, s);
}

/* Snapshots a losses_sparse pass takes at once: a row's values are read once per block (then from cache). */
#define DESCENT_SPARSE_LOSS_BLOCK 8

/* Full-data loss of K snapshots: work-group i of `parts` takes rows [i·rows_per_part, …), its items a row each
 * (rows lid, lid + L, …), each row's stored values dotted with the snapshots a block of DESCENT_SPARSE_LOSS_BLOCK
 * at a time; partial[i·K + k] gets the group's sum for snapshot k, each item's sum over its rows in row order, then
 * the items' sums in a fixed tree (a group of one: the part's rows in order). */
D_KERNEL losses_sparse(SPARSE_ALL_ROWS_ARGS, LOSSES_ARGS, const int parts)
{
    D_SHARED(float, red, DESCENT_SPARSE_GROUP);
    const int i = D_GROUP, lid = D_LID, L = D_LSIZE;
    if (i >= parts) return;
    const int np = d + 1, npar = heads * np;
    const int begin = i * rows_per_part;
    const int end = D_MIN(begin + rows_per_part, n);
    for (int k0 = 0; k0 < K; k0 += DESCENT_SPARSE_LOSS_BLOCK) {
        const int kb = D_MIN(DESCENT_SPARSE_LOSS_BLOCK, K - k0);
        float acc[DESCENT_SPARSE_LOSS_BLOCK];
        for (int kk = 0; kk < DESCENT_SPARSE_LOSS_BLOCK; ++kk) acc[kk] = 0.0f;
        for (int row = begin + lid; row < end; row += L) {
            const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
            for (int kk = 0; kk < kb; ++kk) {
                GLOBAL const float *w = snaps + (size_t)(k0 + kk) * npar;
                float m[DESCENT_MAX_HEADS];
                for (int h = 0; h < heads; ++h) m[h] = descent_sparse_dot(offs, cols, vals, row, w + h * np) + w[h * np + d];
                acc[kk] += v * (heads > 1 ? descent_softmax_loss(heads, m, t) : descent_loss(obj, obj_p, m[0], t));
            }
        }
        for (int kk = 0; kk < kb; ++kk) {
            const float sum = descent_group_sum(red, acc[kk]);
            if (lid == 0) partial[(size_t)i * K + k0 + kk] = sum;
        }
    }
}

#endif /* DESCENT_SPARSE_H */
