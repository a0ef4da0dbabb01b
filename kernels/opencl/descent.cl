/*
 * descent — OpenCL kernels for the hot path: the fused batch gradient (two stages, deterministic),
 * the fused optimizer update, many small-batch steps in one launch, and the full-data loss of many
 * parameter snapshots in one pass. Built by the host at run time with kernels/common/contract.h
 * (and the headers it includes) spliced in; a build failure is reported with the driver's log.
 * Parameter lists are the argument groups of contract.h; the host appends the same groups.
 *
 * Layout: X is row-major n x d float32, T is n float32 (a 1-element dummy when there are no
 * targets), order holds the batch order (row indices). Parameters are packed [w_0..w_{d-1}, b]
 * per head (one head, or softmax's k: npar = heads·(d+1) floats); snapshots are packed the same way. status[0] is STATUS_OK until a step makes a
 * parameter non-finite; then it holds that step's number and every later step is skipped.
 *
 * Floors (float32 bytes each kernel must move; |B| = batch rows, G work-groups, P row lanes):
 *   grad_partial   |B|·d·4 (each batch row read once from memory) + |B|·8 (order, target)
 *                  + G·P·(npar+1)·4 partials written
 *   grad_mean, grad_step  G·P·(npar+1)·4 partials read + npar·4·(2 + 2·slots) (w, state read and written)
 *   run_steps_block per step |B|·(d·4 + 8); per record npar·4; the parameters stay on chip
 *   losses_K       n·d·4 per block of K snapshots (X is read once per block) + n·4
 *   sweep_steps_cpu  per step |B|·(d·4 + 8) per work-group (its lanes read the rows from cache); per lane
 *                  npar·4 per record; the lanes' parameters and state stay in cache
 *   sweep_steps_block as run_steps_block, per lane (the lanes share the rows through the device's cache)
 *   sweep_sgd1_cpu, sweep_batch_cpu as sweep_steps_cpu, SW lanes a work-item on vectors; sweep_rowsw_cpu |B|·d·4 per SW lanes (the rows)
 *                  + G·P·(npar+1)·4 partials written per lane
 *
 * Reference: dev.descent.backend.ref.RefSession (double precision) computes the same quantities.
 * TODO(perf): a subgroup-shuffle margin for wide rows on GPUs; vector loads (vload4) when d % 4 == 0.
 */
#include "contract.h"

/* ------------------------------------------------------------------------------------------ */
/* Fused batch gradient, stage 1: work-group g takes positions [from + g·rows_per_part, …) of
 * the order in tiles of L rows. Phase 1: work-item i computes the margin of tile row i (one read
 * of the row), its residual r and loss. Phase 2: the tile's rows, still in cache, are multiplied
 * by their residuals column by column: work-items form P row lanes × C column threads, each
 * owning columns c0, c0 + C, … of the extended row [x, 1, loss] and summing rows lane, lane + P, …
 * in a fixed order into its own slot of partial[g][lane][·]. No atomics: the result depends only
 * on the launch shape, which the host fixes per device. */
static inline void partial_tiles(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, const int with_loss, const int rows_per_part, global float *partial,
                                 const int g, const int P, local float *r_loc, local float *l_loc, local int *row_loc)
{
    const int L = (int)get_local_size(0);
    const int lid = (int)get_local_id(0);
    const int C = L / P;
    const int lane = lid / C;
    const int c0 = lid % C;
    const int np = d + 1, ext = heads * np + 1;
    global float *part = partial + ((size_t)g * P + lane) * ext;
    if (lane < P)
        for (int c = c0; c < ext; c += C) part[c] = 0.0f;

    const int begin = from + g * rows_per_part;
    const int end = min(begin + rows_per_part, from + count);
    const float b = use_bias ? params[d] : 0.0f;
    for (int tile = begin; tile < end; tile += L) {
        const int p = tile + lid;
        float r = 0.0f, l = 0.0f;
        int row = 0;
        if (heads == 1) {
            if (p < end) {
                row = order[p];
                global const float *x = X + (size_t)row * d;
                float m = b;
                for (int j = 0; j < d; ++j) m += x[j] * params[j];
                const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
                r = v * descent_dloss(obj, obj_p, m, t);
                if (with_loss) l = v * descent_loss(obj, obj_p, m, t);
            }
            r_loc[lid] = r;
        } else {                                   /* softmax: one residual per head, r_loc[row·heads + head] */
            float m[DESCENT_MAX_HEADS];
            for (int h = 0; h < heads; ++h) m[h] = 0.0f;
            if (p < end) {
                row = order[p];
                global const float *x = X + (size_t)row * d;
                DESCENT_MARGINS(m, x, params, d, heads, use_bias);
                const float v = DESCENT_WEIGHT(row);
                l = v * descent_softmax_residuals(heads, m, T[row], with_loss);
                for (int h = 0; h < heads; ++h) m[h] *= v;
            }
            for (int h = 0; h < heads; ++h) r_loc[lid * heads + h] = m[h];
        }
        l_loc[lid] = l;
        row_loc[lid] = row;
        barrier(CLK_LOCAL_MEM_FENCE);
        const int rows = min(L, end - tile);
        if (lane < P) {
            for (int c = c0; c < ext; c += C) {
                float s = 0.0f;
                const int h = c / np, j = c - h * np;     /* head h, column j of [x, 1]; the last c is the loss */
                if (c == ext - 1) {
                    for (int t = lane; t < rows; t += P) s += l_loc[t];
                } else if (j < d) {
                    for (int t = lane; t < rows; t += P) s += r_loc[t * heads + h] * X[(size_t)row_loc[t] * d + j];
                } else {
                    for (int t = lane; t < rows; t += P) s += r_loc[t * heads + h];
                }
                part[c] += s;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

kernel void grad_partial(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS,
                         const int P, local float *r_loc, local float *l_loc, local int *row_loc)
{
    if (status[0] != STATUS_OK) return;            /* same value for the whole work-group */
    partial_tiles(ROWS_PASS, from, count, params, use_bias, with_loss, rows_per_part, partial, (int)get_group_id(0), P, r_loc, l_loc, row_loc);
}

/* Sweeps of a batch that takes several work-groups a step (issue #15): stage 1 of `lanes` models in one
 * launch, work-group q on part q / lanes of lane q % lanes (the lanes of a part side by side, so they
 * read its rows at about the same time: from the GPU's L2 after the first), each as grad_partial for
 * that model alone; a lane that has diverged skips. Its parts go to lpartial + lane·lpart_stride. */
kernel void sweep_partial(ROWS_ARGS, BATCH_ARGS, const int use_bias, LANES_ARGS, LANE_PARTS_OUT_ARGS,
                          const int P, local float *r_loc, local float *l_loc, local int *row_loc)
{
    const int q = (int)get_group_id(0), l = q % lanes;
    if (lstatus[l] != STATUS_OK) return;
    partial_tiles(ROWS_PASS, from, count, lparams + (size_t)l * lpstride, use_bias, 0, rows_per_part, lpartial + (size_t)l * lpart_stride,
                  q / lanes, P, r_loc, l_loc, row_loc);
}

/* Stage 2: column c of all `parts` partials (ext columns each) summed in order, divided by the batch size. */
static inline float column_mean(global const float *partial, const int parts, const int ext, const int count, const int c)
{
    float s = 0.0f;
    for (int k = 0; k < parts; ++k) s += partial[(size_t)k * ext + c];
    return s / (float)count;
}

/* Stage 2 for a gradient asked for: out (npar + 1) gets per head the mean gradient and the mean
 * residual (the bias gradient; 0 without a bias), then, in slot npar, the mean loss. */
kernel void grad_mean(PARTIALS_IN_ARGS, MEAN_OUT_ARGS)
{
    const int c = (int)get_global_id(0);
    const int np = d + 1, ext = heads * np + 1;
    if (c >= ext) return;
    const float mean = column_mean(partial, parts, ext, count, c);
    out[c] = (c < ext - 1 && c % np == d && !use_bias) ? 0.0f : mean;
}

/* Stage 2 and the fused update: work-item c applies the optimizer to parameter c with its mean
 * gradient. `step` is the session's step number: a step after a divergence is skipped, the
 * diverging step itself completes on every work-item (so its result is the same however the
 * work-groups are scheduled). */
static inline void step_column(PARTIALS_IN_ARGS, MODEL_ARGS, RULE_ARGS, UPDATE_ARGS, const int c)
{
    const int np = d + 1, npar = heads * np, j = c % np;
    if (c >= npar || (j == d && !use_bias)) return;
    if (status[0] < step) return;
    const float mean = column_mean(partial, parts, npar + 1, count, c);
    const int slots = descent_slots(rule, average);
    float st[DESCENT_MAX_SLOTS];
    DESCENT_LOAD_SLOTS(st, state, npar, c, slots);
    const float w = descent_step(rule, params[c], mean, st, lr, mu, beta2, eps, j < d ? lambda : 0.0f, j < d ? l1 : 0.0f, decoupled, average, t0 + 1);
    params[c] = w;
    DESCENT_STORE_SLOTS(st, state, npar, c, slots);
    if (!D_ISFINITE(w)) atomic_min(status, step);
}

kernel void grad_step(PARTIALS_IN_ARGS, MODEL_ARGS, RULE_ARGS, UPDATE_ARGS)
{
    step_column(partial, parts, d, heads, count, params, state, use_bias, t0, rule, mu, beta2, eps, lambda, l1, decoupled, average,
                lr, step, status, (int)get_global_id(0));
}

/* Stage 2 and the update of a sweep's lanes (after sweep_partial or sweep_rowsw_cpu): work-item l·npar + c applies
 * lane l's optimizer to its parameter c as grad_step does for that model alone, at step k of the run: rate
 * llrs[l·batches + k] (the host's schedule in float, as the lone run's launches take it), update number
 * t0 + k + 1; then, when rec ≥ 0, it records parameter c (or its average) in lsnaps record rec. */
kernel void sweep_grad_step(LANE_PARTS_IN_ARGS, const int use_bias, LANES_ARGS, LANE_STEP_ARGS)
{
    const int npar = heads * (d + 1), c = (int)get_global_id(0) % npar, l = (int)get_global_id(0) / npar;
    if (l >= lanes) return;
    global const int *ci = lint + (size_t)l * LANE_INTS;
    global const float *cf = lflt + (size_t)l * LANE_FLOATS;
    global float *p = lparams + (size_t)l * lpstride, *st = lstate + (size_t)l * lstride;
    step_column(lpartial + (size_t)l * lpart_stride, parts, d, heads, count, p, st, use_bias, min(ci[3] + k, DESCENT_T_CAP),
                ci[0], cf[1], cf[2], cf[3], cf[4], cf[5], ci[1], ci[2], llrs[(size_t)l * batches + k], k, lstatus + l, c);
    if (rec >= 0) lsnaps[((size_t)rec * lanes + l) * npar + c] = descent_reported(p, st, npar, c, ci[0], ci[2]);
}

/* ------------------------------------------------------------------------------------------ */
/* FOR_ITEMS(c, n): c over [0, n) split between the work-group's items (lid, L in scope), as
 * for (c = lid; c < n; c += L), but with a loop every item runs the same number of times around a guarded body.
 * PoCL 3.1 on a CPU compiled steps_block's strided loops so that items past n stored too (after a barrier, for a
 * model of fewer parameters than the group has items): a sweep's lane wrote stale local memory into the next
 * lane's parameters. `continue` in the body goes on to the next c; there is no `break`. */
#define FOR_ITEMS(c, n) for (int c##_0 = 0; c##_0 < (n); c##_0 += L) for (int c = c##_0 + lid; c < (n) && c < c##_0 + L; c += L)

/* ------------------------------------------------------------------------------------------ */
/* Many steps in one launch, for small batches: one work-group walks batches first_batch …
 * first_batch + batches − 1 of the order with w and v in local memory. Per step: phase 1 gives
 * each batch row's residual (work-item per row), phase 2 each parameter's mean gradient and its
 * update (work-item per column), two barriers. After batch j with j % record_every == 0 the
 * parameters are copied to snaps (record r at snaps + r·snap_stride). Learning rate of step k: lr,
 * or lr / sqrt(first_step + k). The arithmetic does not depend on the work-group's size. Shared by
 * run_steps_block (one model) and sweep_steps_block (a work-group per model). */
static inline void steps_block(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, const int record_every, global float *snaps,
                               const int snap_stride, const int step0, global int *status,
                               local float *w_loc, local float *s_loc, local float *r_loc, local int *row_loc, local int *flag)
{
    if (status[0] != STATUS_OK) return;
    const int L = (int)get_local_size(0);
    const int lid = (int)get_local_id(0);
    const int np = d + 1, npar = heads * np, slots = descent_slots(rule, average);
    FOR_ITEMS(c, npar) {
        w_loc[c] = params[c];
        for (int k = 0; k < slots; ++k) s_loc[k * npar + c] = state[k * npar + c];
    }
    if (lid == 0) flag[0] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);

    int rec = 0;
    for (int j = first_batch; j < first_batch + batches; ++j) {
        const int from = descent_batch_from(j, batch);
        const int cnt = descent_batch_count(j, batch, order_len);
        const float b = use_bias ? w_loc[d] : 0.0f;
        FOR_ITEMS(t, cnt) {
            const int row = order[from + t];
            global const float *x = X + (size_t)row * d;
            if (heads == 1) {
                float m = b;
                for (int k = 0; k < d; ++k) m += x[k] * w_loc[k];
                r_loc[t] = DESCENT_WEIGHT(row) * descent_dloss(obj, obj_p, m, has_t ? T[row] : 0.0f);
            } else {                               /* softmax: r_loc[t·heads + head] */
                float m[DESCENT_MAX_HEADS];
                DESCENT_MARGINS(m, x, w_loc, d, heads, use_bias);
                descent_softmax_residuals(heads, m, T[row], 0);
                const float v = DESCENT_WEIGHT(row);
                for (int h = 0; h < heads; ++h) r_loc[t * heads + h] = v * m[h];
            }
            row_loc[t] = row;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const float lr_j = descent_run_rate(lrs, per_step, lr, inv_sqrt, first_step, j - first_batch);
        const float inv = 1.0f / (float)cnt;
        FOR_ITEMS(c, npar) {
            const int h = c / np, jc = c - h * np;  /* head h, column jc of [x, 1] */
            if (jc == d && !use_bias) continue;
            float s = 0.0f;
            if (jc < d) {
                for (int t = 0; t < cnt; ++t) s += r_loc[t * heads + h] * X[(size_t)row_loc[t] * d + jc];
            } else {
                for (int t = 0; t < cnt; ++t) s += r_loc[t * heads + h];
            }
            float st[DESCENT_MAX_SLOTS];
            DESCENT_LOAD_SLOTS(st, s_loc, npar, c, slots);
            const float w = descent_step(rule, w_loc[c], s * inv, st, lr_j, mu, beta2, eps, jc < d ? lambda : 0.0f, jc < d ? l1 : 0.0f, decoupled, average,
                                         t0 + (j - first_batch) + 1);
            w_loc[c] = w;
            DESCENT_STORE_SLOTS(st, s_loc, npar, c, slots);
            if (!D_ISFINITE(w)) flag[0] = 1;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (j % record_every == 0) {
            FOR_ITEMS(c, npar) snaps[(size_t)rec * snap_stride + c] = average ? s_loc[(slots - 1) * npar + c] : w_loc[c];
            ++rec;
        }
        if (flag[0]) {
            if (lid == 0) status[0] = step0 + (j - first_batch);
            break;
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    FOR_ITEMS(c, npar) {
        params[c] = w_loc[c];
        for (int k = 0; k < slots; ++k) state[k * npar + c] = s_loc[k * npar + c];
    }
}

kernel void run_steps_block(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS,
                      local float *w_loc, local float *s_loc, local float *r_loc, local int *row_loc, local int *flag)
{
    steps_block(ROWS_PASS, params, state, use_bias, t0, rule, mu, beta2, eps, lambda, l1, decoupled, average,
                order_len, batch, first_batch, batches, lr, inv_sqrt, first_step, lrs, per_step, record_every, snaps, heads * (d + 1), step0, status,
                w_loc, s_loc, r_loc, row_loc, flag);
}

/* Sweeps on GPUs: `lanes` models of one batch size and order, a work-group each (lane = group id),
 * each walking the batches as run_steps_block does, so a lane ends bit-identical to its model trained
 * alone by run_steps_block. The lanes read the same rows at about the same time: from the GPU's L2
 * after the first. Lane settings and buffers: LANES (contract.h). */
kernel void sweep_steps_block(ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS,
                              local float *w_loc, local float *s_loc, local float *r_loc, local int *row_loc, local int *flag)
{
    const int l = (int)get_group_id(0);
    if (l >= lanes) return;
    const int np = heads * (d + 1);
    global const int *ci = lint + (size_t)l * LANE_INTS;
    global const float *cf = lflt + (size_t)l * LANE_FLOATS;
    steps_block(ROWS_PASS, lparams + (size_t)l * lpstride, lstate + (size_t)l * lstride, use_bias, ci[3],
                ci[0], cf[1], cf[2], cf[3], cf[4], cf[5], ci[1], ci[2], order_len, batch, first_batch, batches,
                cf[0], ci[4], ci[5], llrs + (size_t)l * batches, ci[6], record_every, lsnaps + (size_t)l * np, lanes * np, 0, lstatus + l,
                w_loc, s_loc, r_loc, row_loc, flag);
}

/* ------------------------------------------------------------------------------------------ */
/* Full-data loss of K snapshots: work-group g sums rows [g·rows_per_part, …) for blocks of KB
 * snapshots at a time, so X is read once per block; each row's KB margins stay in registers.
 * partial[g·K + k] receives the work-group's sum for snapshot k (tree reduction in local memory,
 * L a power of two); the host adds the G partials in double in a fixed order. */
/* The work-group's sum of v (tree reduction in red, L a power of two), the same for every work-item. */
static inline float group_sum(local float *red, const float v)
{
    const int L = (int)get_local_size(0);
    const int lid = (int)get_local_id(0);
    red[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = L / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float sum = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return sum;
}

static inline void losses_impl(ALL_ROWS_ARGS, LOSSES_ARGS, local float *red, const int KB)
{
    const int L = (int)get_local_size(0);
    const int lid = (int)get_local_id(0);
    const int g = (int)get_group_id(0);
    const int np = heads * (d + 1);                /* floats per snapshot */
    const int begin = g * rows_per_part;
    const int end = min(begin + rows_per_part, n);
    if (heads > 1) {                               /* softmax: one snapshot at a time, its heads' margins per row */
        for (int k0 = 0; k0 < K; ++k0) {
            float acc = 0.0f;
            for (int i = begin + lid; i < end; i += L) {
                float m[DESCENT_MAX_HEADS];
                global const float *x = X + (size_t)i * d;
                DESCENT_MARGINS(m, x, snaps + (size_t)k0 * np, d, heads, 1);
                acc += DESCENT_WEIGHT(i) * descent_softmax_loss(heads, m, T[i]);
            }
            const float sum = group_sum(red, acc);
            if (lid == 0) partial[(size_t)g * K + k0] = sum;
        }
        return;
    }
    for (int k0 = 0; k0 < K; k0 += KB) {
        float acc[8];
        for (int kk = 0; kk < KB; ++kk) acc[kk] = 0.0f;
        for (int i = begin + lid; i < end; i += L) {
            float m[8];
            for (int kk = 0; kk < KB; ++kk) m[kk] = snaps[(size_t)min(k0 + kk, K - 1) * np + d];
            global const float *x = X + (size_t)i * d;
            for (int j = 0; j < d; ++j) {
                const float xj = x[j];
                for (int kk = 0; kk < KB; ++kk) m[kk] += xj * snaps[(size_t)min(k0 + kk, K - 1) * np + j];
            }
            const float t = has_t ? T[i] : 0.0f, v = DESCENT_WEIGHT(i);
            for (int kk = 0; kk < KB; ++kk) acc[kk] += v * descent_loss(obj, obj_p, m[kk], t);
        }
        for (int kk = 0; kk < KB; ++kk) {
            const float sum = group_sum(red, acc[kk]);
            if (lid == 0 && k0 + kk < K) partial[(size_t)g * K + k0 + kk] = sum;
        }
    }
}

kernel void losses_k1(ALL_ROWS_ARGS, LOSSES_ARGS, local float *red)
{
    losses_impl(ALL_ROWS_PASS, snaps, K, rows_per_part, partial, red, 1);
}

kernel void losses_k8(ALL_ROWS_ARGS, LOSSES_ARGS, local float *red)
{
    losses_impl(ALL_ROWS_PASS, snaps, K, rows_per_part, partial, red, 8);
}

/* ------------------------------------------------------------------------------------------ */
/* Bandwidth probes: the ceilings the benchmark reports the hot path against. Read sums every
 * float of src (bytes = n16·64), write stores a constant into dst, copy moves src to dst (counted
 * as bytes read + bytes written). Each comes in two shapes, chosen like the hot-path kernels:
 *  - bw_*_gpu: grid-stride, neighbouring work-items on neighbouring float16s (coalesced), four
 *    independent loads per iteration so enough bytes are in flight;
 *  - bw_*_cpu: each work-item a contiguous run (a CPU core streams it; PoCL runs a work-group as a
 *    loop over work-items, so interleaved work-items would each walk the whole block), four float16
 *    accumulators so the adds do not chain.
 * A plain one-float4-per-iteration sum measured 7.9 GB/s on PoCL, a third of what C reached. */
#define BW_SPAN(n16, lo, hi) \
    const long gid = get_global_id(0), gsz = get_global_size(0); \
    const long chunk = (n16 + gsz - 1) / gsz, lo = min(gid * chunk, n16), hi = min(lo + chunk, n16)

kernel void bw_read_cpu(global const float16 *src, const long n16, global float *out)
{
    BW_SPAN(n16, lo, hi);
    float16 a = (float16)(0.0f), b = a, c = a, e = a;
    long i = lo;
    for (; i + 4 <= hi; i += 4) {
        a += src[i];
        b += src[i + 1];
        c += src[i + 2];
        e += src[i + 3];
    }
    for (; i < hi; ++i) a += src[i];
    const float16 s16 = (a + b) + (c + e);
    const float8 s8 = s16.lo + s16.hi;
    const float4 s4 = s8.lo + s8.hi;
    out[gid] = (s4.x + s4.y) + (s4.z + s4.w);
}

kernel void bw_write_cpu(global float16 *dst, const long n16, const float v)
{
    BW_SPAN(n16, lo, hi);
    for (long i = lo; i < hi; ++i) dst[i] = (float16)(v);
}

kernel void bw_copy_cpu(global const float16 *src, global float16 *dst, const long n16)
{
    BW_SPAN(n16, lo, hi);
    for (long i = lo; i < hi; ++i) dst[i] = src[i];
}

kernel void bw_read_gpu(global const float16 *src, const long n16, global float *out)
{
    const long stride = get_global_size(0);
    long i = get_global_id(0);
    float16 a = (float16)(0.0f), b = a, c = a, e = a;
    for (; i + 3 * stride < n16; i += 4 * stride) {
        a += src[i];
        b += src[i + stride];
        c += src[i + 2 * stride];
        e += src[i + 3 * stride];
    }
    for (; i < n16; i += stride) a += src[i];
    const float16 s16 = (a + b) + (c + e);
    const float8 s8 = s16.lo + s16.hi;
    const float4 s4 = s8.lo + s8.hi;
    out[get_global_id(0)] = (s4.x + s4.y) + (s4.z + s4.w);
}

kernel void bw_write_gpu(global float16 *dst, const long n16, const float v)
{
    for (long i = get_global_id(0); i < n16; i += get_global_size(0)) dst[i] = (float16)(v);
}

kernel void bw_copy_gpu(global const float16 *src, global float16 *dst, const long n16)
{
    for (long i = get_global_id(0); i < n16; i += get_global_size(0)) dst[i] = src[i];
}

/* ========================================================================================== */
/* CPU devices (PoCL and the like). A work-group there is a loop over work-items, so the kernels
 * above turn every row read into a gather, and IEEE rules forbid the compiler to vectorize a dot
 * product. These kernels give each work-item a contiguous range of rows and write the dot
 * products with explicit vectors in a fixed order (float16 chunks, then float4, then scalars),
 * so they vectorize and stay deterministic. Elementwise loops are left to the auto-vectorizer. */

/* Rows ahead to prefetch: covers DRAM latency (~100 ns) at a few ns per row. */
#define PREFETCH 16

/* x·w in a fixed order: 16-wide accumulator over full chunks, 4-wide over the rest, then the tail. */
static inline float dot_cpu(global const float *x, global const float *w, const int d)
{
    float16 a16 = (float16)(0.0f);
    int j = 0;
    for (; j + 16 <= d; j += 16) a16 = fma(vload16(0, x + j), vload16(0, w + j), a16);
    float4 a4 = (float4)(0.0f);
    for (; j + 4 <= d; j += 4) a4 = fma(vload4(0, x + j), vload4(0, w + j), a4);
    const float8 h8 = a16.lo + a16.hi;
    const float4 h4 = h8.lo + h8.hi + a4;
    const float2 h2 = h4.lo + h4.hi;
    float s = h2.x + h2.y;
    for (; j < d; ++j) s = fma(x[j], w[j], s);
    return s;
}

/* g += r·x over the d columns. */
static inline void axpy_cpu(const float r, global const float *x, global float *g, const int d)
{
    int j = 0;
    const float16 r16 = (float16)(r);
    for (; j + 16 <= d; j += 16) vstore16(fma(r16, vload16(0, x + j), vload16(0, g + j)), 0, g + j);
    for (; j < d; ++j) g[j] = fma(r, x[j], g[j]);
}

/* The softmax margins of row x under the heads' parameters w into m (dot_cpu per head). */
static inline void margins_cpu(float *m, global const float *x, global const float *w, const int d, const int heads, const int use_bias)
{
    for (int h = 0; h < heads; ++h) m[h] = dot_cpu(x, w + h * (d + 1), d) + (use_bias ? w[h * (d + 1) + d] : 0.0f);
}

/* Stage 1 on a CPU: work-item i sums rows [from + i·rows_per_part, …) into partial[i][0..npar]
 * (per head the gradient, then Σr; then Σloss). Floor: |B|·d·4 read; the partial row stays in L1. */
kernel void grad_rows_cpu(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS)
{
    if (status[0] != STATUS_OK) return;
    const int i = (int)get_global_id(0);
    const int np = d + 1, ext = heads * np + 1;
    global float *g = partial + (size_t)i * ext;
    for (int c = 0; c < ext; ++c) g[c] = 0.0f;
    const int begin = from + i * rows_per_part;
    const int end = min(begin + rows_per_part, from + count);
    if (heads > 1) {                               /* softmax: per row the heads' residuals, one axpy per head */
        float ls = 0.0f;
        for (int p = begin; p < end; ++p) {
            if (p + PREFETCH < end) prefetch(X + (size_t)order[p + PREFETCH] * d, (size_t)d);
            const int row = order[p];
            global const float *x = X + (size_t)row * d;
            float m[DESCENT_MAX_HEADS];
            margins_cpu(m, x, params, d, heads, use_bias);
            const float v = DESCENT_WEIGHT(row);
            ls += v * descent_softmax_residuals(heads, m, T[row], with_loss);
            for (int h = 0; h < heads; ++h) {
                m[h] *= v;
                axpy_cpu(m[h], x, g + h * np, d);
                g[h * np + d] += m[h];
            }
        }
        g[ext - 1] = ls;
        return;
    }
    const float b = use_bias ? params[d] : 0.0f;
    float rs = 0.0f, ls = 0.0f;
    for (int p = begin; p < end; ++p) {
        /* a shuffled order makes every row a random access: ask for the row PREFETCH positions ahead */
        if (p + PREFETCH < end) prefetch(X + (size_t)order[p + PREFETCH] * d, (size_t)d);
        const int row = order[p];
        global const float *x = X + (size_t)row * d;
        const float m = dot_cpu(x, params, d) + b;
        const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
        const float r = v * descent_dloss(obj, obj_p, m, t);
        axpy_cpu(r, x, g, d);
        rs += r;
        if (with_loss) ls += v * descent_loss(obj, obj_p, m, t);
    }
    g[d] = rs;
    g[d + 1] = ls;
}

/* g += r0·x0, then r1·x1, r2·x2, r3·x3 over the d columns: each place takes axpy_cpu's fma for the four rows in
 * row order (the same bits as four axpy_cpu calls), its partial sum loaded and stored once. */
static inline void axpy4_cpu(const float r0, const float r1, const float r2, const float r3, global const float *x0, global const float *x1,
                             global const float *x2, global const float *x3, global float *g, const int d)
{
    int j = 0;
    const float16 a = (float16)(r0), b = (float16)(r1), c = (float16)(r2), e = (float16)(r3);
    for (; j + 16 <= d; j += 16) {
        float16 s = vload16(0, g + j);
        s = fma(a, vload16(0, x0 + j), s);
        s = fma(b, vload16(0, x1 + j), s);
        s = fma(c, vload16(0, x2 + j), s);
        s = fma(e, vload16(0, x3 + j), s);
        vstore16(s, 0, g + j);
    }
    for (; j < d; ++j) g[j] = fma(r3, x3[j], fma(r2, x2[j], fma(r1, x1[j], fma(r0, x0[j], g[j]))));
}

/* One step of the CPU run on the model at params / state (scratch: npar floats): batch j of `batch`
 * rows of the order at learning rate lr_j, update number t. Returns 1 when a parameter became
 * non-finite. Shared by run_steps_cpu (one model) and sweep_steps_cpu (a model per work-item), so a
 * sweep's model takes the same arithmetic as the model trained alone. */
static inline int step_cpu(ROWS_ARGS, global float *params, global float *state, const int use_bias, RULE_ARGS,
                           const int order_len, const int batch, const int j, const float lr_j, const int t, global float *scratch)
{
    const int np = heads * (d + 1), slots = descent_slots(rule, average);   /* np: all parameters */
    float st[DESCENT_MAX_SLOTS];
    const int from = descent_batch_from(j, batch);
    const int cnt = descent_batch_count(j, batch, order_len);
    const float b = use_bias ? params[d] : 0.0f;
    int bad = 0;
    if (from + PREFETCH < order_len) prefetch(X + (size_t)order[from + PREFETCH] * d, (size_t)d);
    if (heads > 1) {
        /* softmax: the batch's gradient of every head into scratch[0..np), then every parameter's update */
        for (int c = 0; c < np; ++c) scratch[c] = 0.0f;
        for (int q = 0; q < cnt; ++q) {
            if (from + q + PREFETCH < order_len) prefetch(X + (size_t)order[from + q + PREFETCH] * d, (size_t)d);
            const int row = order[from + q];
            global const float *x = X + (size_t)row * d;
            float m[DESCENT_MAX_HEADS];
            margins_cpu(m, x, params, d, heads, use_bias);
            descent_softmax_residuals(heads, m, T[row], 0);
            const float v = DESCENT_WEIGHT(row);
            for (int h = 0; h < heads; ++h) {
                m[h] *= v;
                axpy_cpu(m[h], x, scratch + h * (d + 1), d);
                scratch[h * (d + 1) + d] += m[h];
            }
        }
        const float inv = 1.0f / (float)cnt;
        for (int c = 0; c < np; ++c) {
            const int jc = c % (d + 1);
            if (jc == d && !use_bias) continue;
            DESCENT_LOAD_SLOTS(st, state, np, c, slots);
            const float w = descent_step(rule, params[c], scratch[c] * inv, st, lr_j, mu, beta2, eps, jc < d ? lambda : 0.0f, jc < d ? l1 : 0.0f,
                                         decoupled, average, t);
            params[c] = w;
            DESCENT_STORE_SLOTS(st, state, np, c, slots);
            bad |= !D_ISFINITE(w);
        }
    } else if (cnt == 1) {
        /* one row: the gradient is r·x, no scratch pass */
        const int row = order[from];
        global const float *x = X + (size_t)row * d;
        const float r = DESCENT_WEIGHT(row) * descent_dloss(obj, obj_p, dot_cpu(x, params, d) + b, has_t ? T[row] : 0.0f);
        if (rule == DESCENT_RULE_SGD && !decoupled && l1 == 0.0f && !average) {
            for (int c = 0; c < d; ++c) {
                const float w = params[c] - lr_j * (r * x[c] + lambda * params[c]);
                params[c] = w;
                bad |= !D_ISFINITE(w);
            }
        } else {
            for (int c = 0; c < d; ++c) {
                DESCENT_LOAD_SLOTS(st, state, np, c, slots);
                const float w = descent_step(rule, params[c], r * x[c], st, lr_j, mu, beta2, eps, lambda, l1, decoupled, average, t);
                params[c] = w;
                DESCENT_STORE_SLOTS(st, state, np, c, slots);
                bad |= !D_ISFINITE(w);
            }
        }
        scratch[d] = r;
    } else {
        for (int c = 0; c <= d; ++c) scratch[c] = 0.0f;
        float rs = 0.0f;
        for (int q = 0; q < cnt; ++q) {
            if (from + q + PREFETCH < order_len) prefetch(X + (size_t)order[from + q + PREFETCH] * d, (size_t)d);
            const int row = order[from + q];
            global const float *x = X + (size_t)row * d;
            const float r = DESCENT_WEIGHT(row) * descent_dloss(obj, obj_p, dot_cpu(x, params, d) + b, has_t ? T[row] : 0.0f);
            axpy_cpu(r, x, scratch, d);
            rs += r;
        }
        const float inv = 1.0f / (float)cnt;
        scratch[d] = rs * inv;
        for (int c = 0; c < d; ++c) {
            DESCENT_LOAD_SLOTS(st, state, np, c, slots);
            const float w = descent_step(rule, params[c], scratch[c] * inv, st, lr_j, mu, beta2, eps, lambda, l1, decoupled, average, t);
            params[c] = w;
            DESCENT_STORE_SLOTS(st, state, np, c, slots);
            bad |= !D_ISFINITE(w);
        }
    }
    if (use_bias && heads == 1) {
        DESCENT_LOAD_SLOTS(st, state, np, d, slots);
        const float w = descent_step(rule, params[d], scratch[d], st, lr_j, mu, beta2, eps, 0.0f, 0.0f, decoupled, average, t);
        params[d] = w;
        DESCENT_STORE_SLOTS(st, state, np, d, slots);
        bad |= !D_ISFINITE(w);
    }
    return bad;
}

/* Many steps on a CPU: one work-item, parameters in global memory (they stay in L1), the batch
 * gradient accumulated in scratch[0..d], then the update as an elementwise loop. */
kernel void run_steps_cpu(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS, global float *scratch)
{
    if (status[0] != STATUS_OK) return;
    const int np = heads * (d + 1);
    int rec = 0;
    for (int j = first_batch; j < first_batch + batches; ++j) {
        const float lr_j = descent_run_rate(lrs, per_step, lr, inv_sqrt, first_step, j - first_batch);
        const int bad = step_cpu(ROWS_PASS, params, state, use_bias, rule, mu, beta2, eps, lambda, l1, decoupled,
                                 average, order_len, batch, j, lr_j, t0 + (j - first_batch) + 1, scratch);
        if (j % record_every == 0) {
            for (int c = 0; c < np; ++c) snaps[(size_t)rec * np + c] = descent_reported(params, state, np, c, rule, average);
            ++rec;
        }
        if (bad) {
            status[0] = step0 + (j - first_batch);
            break;
        }
    }
}

/* Sweeps on a CPU: `lanes` models of one batch size and order, a work-item each (lane l = global id),
 * each running step_cpu on its own parameters, so a lane ends bit-identical to its model trained alone
 * by run_steps_cpu. Lane l's settings are lint[l·LANE_INTS ..] and lflt[l·LANE_FLOATS ..] (contract.h).
 * A barrier after every `sync` steps keeps a work-group's lanes within one window of batches: PoCL
 * runs a group's items one after another between barriers, so with a window of rows that fits in L1
 * (the host picks sync) each batch row comes from memory once per work-group and from cache for its
 * other lanes, while a lane keeps its numbers in registers through a window. A lane that diverges
 * stops updating (its status holds the step) but still meets every barrier.
 * Floor per step: |B|·(d·4 + 8) per work-group; per lane npar·4·(2 + 2·slots) in cache. */
kernel void sweep_steps_cpu(ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS, global float *scratch,
                            const int sync)
{
    const int l = (int)get_global_id(0);
    const int np = heads * (d + 1);
    const int live = l < lanes;
    const int li = live ? l : 0;
    global float *params = lparams + (size_t)li * lpstride;
    global float *state = lstate + (size_t)li * lstride;
    global float *scr = scratch + (size_t)li * np;
    global const int *ci = lint + (size_t)li * LANE_INTS;
    global const float *cf = lflt + (size_t)li * LANE_FLOATS;
    const int rule = ci[0], decoupled = ci[1], average = ci[2], t0 = ci[3], inv_sqrt = ci[4], first_step = ci[5], per_step = ci[6];
    const float lr = cf[0], mu = cf[1], beta2 = cf[2], eps = cf[3], lambda = cf[4], l1 = cf[5];
    int dead = !live || lstatus[li] != STATUS_OK;
    int rec = 0;
    const int end = first_batch + batches;
    for (int w0 = first_batch; w0 < end; w0 += sync) {
        const int w1 = min(end, w0 + sync);
        for (int j = w0; j < w1 && !dead; ++j) {
            const int k = j - first_batch;
            const float lr_j = descent_run_rate(llrs + (size_t)li * batches, per_step, lr, inv_sqrt, first_step, k);
            const int bad = step_cpu(ROWS_PASS, params, state, use_bias, rule, mu, beta2, eps, lambda, l1, decoupled,
                                     average, order_len, batch, j, lr_j, t0 + k + 1, scr);
            if (j % record_every == 0) {
                for (int c = 0; c < np; ++c) lsnaps[((size_t)rec * lanes + li) * np + c] = descent_reported(params, state, np, c, rule, average);
                ++rec;
            }
            if (bad) {
                lstatus[li] = k;
                dead = 1;
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
}

/* Sweeps on a CPU, batch 1, plain SGD (step_cpu's one-row path: no decoupled decay, no L1, no
 * averaging): each work-item advances SW lanes at once on floatw vectors, one lane per vector
 * element, so the arithmetic vectorizes across models while each element repeats step_cpu's own
 * operations in its order (dot_cpu's 16-, 4- and 1-wide partial sums, then the fused update), which
 * keeps every lane bit-identical to its run alone. Parameters are lane-major: parameter c of lane l
 * at lparams[c·lpstride + l] (lpstride ≥ the work-items' lanes, whose padding lanes compute and are never reported;
 * the host adds a cache line where the stride would be an even number of lines, so that a work-item's weight column
 * spreads over every set of the L1 cache). A barrier every `sync` steps keeps a work-group's items on one window of rows. */
#ifndef SW                                         /* lanes a work-item: the host builds with the device's preferred */
#define SW 8                                       /* float vector width, 16 (an AVX-512 register) or 8 */
#endif
#if SW == 16
typedef float16 floatw;
typedef int16 intw;
#define vloadw vload16
#define vstorew vstore16
#elif SW == 8
typedef float8 floatw;
typedef int8 intw;
#define vloadw vload8
#define vstorew vstore8
#else
#error "SW must be 8 or 16"
#endif

/* The SW lanes' flags as a vector mask: −1 where alive[q], else 0. */
static inline intw alive_mask(const int *alive)
{
    int m[SW];
    for (int q = 0; q < SW; ++q) m[q] = alive[q] ? -1 : 0;
    return vloadw(0, m);
}

/* Stops each alive lane whose flag in okv is 0 (its status records step k); returns whether a lane is still alive. */
static inline int lanes_stop(const int *okv, int *alive, global int *lstatus, const int l0, const int k)
{
    int live = 0;
    for (int q = 0; q < SW; ++q) {
        if (alive[q] && !okv[q]) {
            lstatus[l0 + q] = k;
            alive[q] = 0;
        }
        live |= alive[q];
    }
    return live;
}

/* dot_cpu for SW lanes at once (lane-major weights P[c·lpstride + q]): 16-wide partial sums, then 4-wide, their fixed
 * horizontal order, then the tail; without the bias. sweep_sgd1_cpu takes a run's first margins from it, and each later
 * row's in the same order inside the previous step's update pass. */
static inline floatw dotw_cpu(global const float *x, global const float *P, const int lpstride, const int d)
{
    floatw m = (floatw)(0.0f);                     /* d < 4: every partial sum is +0, so dot_cpu starts the tail from +0 */
    int c = 0;
    if (d >= 4) {
        floatw a16[16], a4[4], h4[4];
        #pragma unroll
        for (int i = 0; i < 4; ++i) a4[i] = (floatw)(0.0f);
        if (d >= 16) {
            #pragma unroll
            for (int i = 0; i < 16; ++i) a16[i] = (floatw)(0.0f);
            for (; c + 16 <= d; c += 16)
                #pragma unroll
                for (int i = 0; i < 16; ++i) a16[i] = fma((floatw)(x[c + i]), vloadw(0, P + (size_t)(c + i) * lpstride), a16[i]);
        }
        for (; c + 4 <= d; c += 4)
            #pragma unroll
            for (int i = 0; i < 4; ++i) a4[i] = fma((floatw)(x[c + i]), vloadw(0, P + (size_t)(c + i) * lpstride), a4[i]);
        #pragma unroll
        for (int i = 0; i < 4; ++i)                 /* h8 = a16.lo + a16.hi; h4 = h8.lo + h8.hi + a4 (zeros below 16: +0 + a4) */
            h4[i] = (d >= 16 ? (a16[i] + a16[i + 8]) + (a16[i + 4] + a16[i + 12]) : (floatw)(0.0f)) + a4[i];
        m = (h4[0] + h4[2]) + (h4[1] + h4[3]);
    }
    for (; c < d; ++c) m = fma((floatw)(x[c]), vloadw(0, P + (size_t)c * lpstride), m);
    return m;
}

/* dotw_cpu for four rows at once, each weight vector loaded once for the four: chain by chain (a16[i] over c ≡ i mod 16 in
 * increasing c, then a4[i], then the tail), every chain in dotw_cpu's order and the same fixed horizontal order, so each
 * row's margins have dotw_cpu's bits. The four chains that h4[i] adds are kept together, four rows each: 16 accumulators. */
static inline void dot4w_cpu(global const float *x0, global const float *x1, global const float *x2, global const float *x3,
                             global const float *P, const int lpstride, const int d, floatw *m)
{
    const int c16 = d >= 16 ? d / 16 * 16 : 0, c4 = d >= 4 ? c16 + (d - c16) / 4 * 4 : 0;
    #pragma unroll
    for (int u = 0; u < 4; ++u) m[u] = (floatw)(0.0f);
    if (d >= 4) {
        floatw h[4][4];                            /* h[i][u]: dotw_cpu's h4[i] for row u */
        #pragma unroll
        for (int i = 0; i < 4; ++i) {
            floatw a[4][4], a4[4];                 /* a[s][u]: the chain a16[i + 4s] of row u */
            #pragma unroll
            for (int u = 0; u < 4; ++u) {
                a4[u] = (floatw)(0.0f);
                #pragma unroll
                for (int s = 0; s < 4; ++s) a[s][u] = (floatw)(0.0f);
            }
            for (int c = 0; c < c16; c += 16)
                #pragma unroll
                for (int s = 0; s < 4; ++s) {
                    const int cc = c + i + 4 * s;
                    const floatw w = vloadw(0, P + (size_t)cc * lpstride);
                    a[s][0] = fma((floatw)(x0[cc]), w, a[s][0]);
                    a[s][1] = fma((floatw)(x1[cc]), w, a[s][1]);
                    a[s][2] = fma((floatw)(x2[cc]), w, a[s][2]);
                    a[s][3] = fma((floatw)(x3[cc]), w, a[s][3]);
                }
            for (int c = c16; c < c4; c += 4) {
                const floatw w = vloadw(0, P + (size_t)(c + i) * lpstride);
                a4[0] = fma((floatw)(x0[c + i]), w, a4[0]);
                a4[1] = fma((floatw)(x1[c + i]), w, a4[1]);
                a4[2] = fma((floatw)(x2[c + i]), w, a4[2]);
                a4[3] = fma((floatw)(x3[c + i]), w, a4[3]);
            }
            #pragma unroll
            for (int u = 0; u < 4; ++u)            /* dotw_cpu's h4[i] = (a16[i] + a16[i + 8]) + (a16[i + 4] + a16[i + 12]) + a4[i] */
                h[i][u] = (c16 > 0 ? (a[0][u] + a[2][u]) + (a[1][u] + a[3][u]) : (floatw)(0.0f)) + a4[u];
        }
        #pragma unroll
        for (int u = 0; u < 4; ++u) m[u] = (h[0][u] + h[2][u]) + (h[1][u] + h[3][u]);
    }
    for (int c = c4; c < d; ++c) {
        const floatw w = vloadw(0, P + (size_t)c * lpstride);
        m[0] = fma((floatw)(x0[c]), w, m[0]);
        m[1] = fma((floatw)(x1[c]), w, m[1]);
        m[2] = fma((floatw)(x2[c]), w, m[2]);
        m[3] = fma((floatw)(x3[c]), w, m[3]);
    }
}

/* step_cpu's one-row update of one weight for SW lanes: w − lr·(r·x + λ·w), stored for the alive lanes (am), the others
 * kept; ok loses a live lane whose new weight is not finite. Returns what is stored. */
static inline floatw sgdw_weight(global float *pc, const floatw lrw, const floatw rw, const float xc, const floatw lamw, const intw am,
                                 intw *ok)
{
    const floatw w = vloadw(0, pc);
    const floatw nw = select(w, w - lrw * (rw * (floatw)(xc) + lamw * w), am);
    *ok &= isfinite(nw) | ~am;
    vstorew(nw, 0, pc);
    return nw;
}

kernel void sweep_sgd1_cpu(ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS, const int sync)
{
    const int l0 = (int)get_global_id(0) * SW;
    const int np = d + 1;
    float lr_[SW], lam_[SW];
    int inv_[SW], first_[SW], per_[SW], alive[SW];
    int live = 0;
    for (int q = 0; q < SW; ++q) {
        const int l = min(l0 + q, lanes - 1);
        lr_[q] = lflt[(size_t)l * LANE_FLOATS];
        lam_[q] = lflt[(size_t)l * LANE_FLOATS + 4];
        inv_[q] = lint[(size_t)l * LANE_INTS + 4];
        first_[q] = lint[(size_t)l * LANE_INTS + 5];
        per_[q] = lint[(size_t)l * LANE_INTS + 6];
        alive[q] = l0 + q < lanes && lstatus[l] == STATUS_OK;
        live |= alive[q];
    }
    const floatw lamw = vloadw(0, lam_);
    int varying = 0;                               /* a per-step or 1/√t rate in some lane: the rates afresh each step */
    for (int q = 0; q < SW; ++q) varying |= per_[q] || inv_[q];
    const floatw lr_c = vloadw(0, lr_);
    global float *P = lparams + l0;
    intw am = alive_mask(alive);                   /* the alive lanes, as a mask */
    int rec = 0;
    const int end = first_batch + batches;
    floatw mnext = batches > 0 ? dotw_cpu(X + (size_t)order[first_batch] * d, P, lpstride, d) : (floatw)(0.0f);
    for (int w0 = first_batch; w0 < end; w0 += sync) {
        const int w1 = min(end, w0 + sync);
        for (int j = w0; j < w1 && live; ++j) {
            const int k = j - first_batch;
            const int row = order[j];
            global const float *x = X + (size_t)row * d;
            if (j + PREFETCH < order_len) prefetch(X + (size_t)order[j + PREFETCH] * d, (size_t)d);
            floatw lrw = lr_c;
            if (varying) {
                float lrv[SW];
                for (int q = 0; q < SW; ++q)
                    lrv[q] = descent_run_rate(llrs + (size_t)min(l0 + q, lanes - 1) * batches, per_[q], lr_[q], inv_[q], first_[q], k);
                lrw = vloadw(0, lrv);
            }
            floatw bw = use_bias ? vloadw(0, P + (size_t)d * lpstride) : (floatw)(0.0f);
            floatw m = mnext + bw;                 /* the margins this row's pass took before the update (or the last step's pass) */
            const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
            floatw rw;
            if (obj == DESCENT_OBJ_SQUARED) {      /* descent_dloss's m − t, lane-wise */
                rw = (floatw)(v) * (m - (floatw)(t));
            } else {
                float mv[SW], rv[SW];
                vstorew(m, 0, mv);
                for (int q = 0; q < SW; ++q) rv[q] = v * descent_dloss(obj, obj_p, mv[q], t);
                rw = vloadw(0, rv);
            }
            /* the update and, in the same pass over the weights, the next row's dot_cpu on the stored weights (each partial
             * sum takes its weights in increasing c, as dot_cpu does; the last step's "next row" is its own, unused) */
            const int nrow = j + 1 < end ? order[j + 1] : row;
            global const float *xn = X + (size_t)nrow * d;
            intw ok = (intw)(-1);
            floatw a16[16], a4[4];
            #pragma unroll
            for (int i = 0; i < 4; ++i) a4[i] = (floatw)(0.0f);
            #pragma unroll
            for (int i = 0; i < 16; ++i) a16[i] = (floatw)(0.0f);
            int c = 0;
            if (d >= 16)
                for (; c + 16 <= d; c += 16)
                    #pragma unroll
                    for (int i = 0; i < 16; ++i) {
                        const floatw nw = sgdw_weight(P + (size_t)(c + i) * lpstride, lrw, rw, x[c + i], lamw, am, &ok);
                        a16[i] = fma((floatw)(xn[c + i]), nw, a16[i]);
                    }
            if (d >= 4)
                for (; c + 4 <= d; c += 4)
                    #pragma unroll
                    for (int i = 0; i < 4; ++i) {
                        const floatw nw = sgdw_weight(P + (size_t)(c + i) * lpstride, lrw, rw, x[c + i], lamw, am, &ok);
                        a4[i] = fma((floatw)(xn[c + i]), nw, a4[i]);
                    }
            mnext = (floatw)(0.0f);                /* d < 4: every partial sum is +0, so dot_cpu starts the tail from +0 */
            if (d >= 4) {
                floatw h4[4];
                #pragma unroll
                for (int i = 0; i < 4; ++i)         /* h8 = a16.lo + a16.hi; h4 = h8.lo + h8.hi + a4 (zeros below 16: +0 + a4) */
                    h4[i] = (d >= 16 ? (a16[i] + a16[i + 8]) + (a16[i + 4] + a16[i + 12]) : (floatw)(0.0f)) + a4[i];
                mnext = (h4[0] + h4[2]) + (h4[1] + h4[3]);
            }
            for (; c < d; ++c) {
                const floatw nw = sgdw_weight(P + (size_t)c * lpstride, lrw, rw, x[c], lamw, am, &ok);
                mnext = fma((floatw)(xn[c]), nw, mnext);
            }
            if (use_bias) {                        /* descent_step's SGD on the bias (no decay): g += 0·b; b − lr·g */
                floatw g = rw;
                g += (floatw)(0.0f) * bw;
                const floatw nb = bw - lrw * g;
                ok &= isfinite(nb);
                vstorew(select(bw, nb, am), 0, P + (size_t)d * lpstride);
            }
            if (j % record_every == 0) {
                for (int q = 0; q < SW; ++q) {
                    if (!alive[q]) continue;
                    for (int cc = 0; cc < np; ++cc) lsnaps[((size_t)rec * lanes + l0 + q) * np + cc] = P[(size_t)cc * lpstride + q];
                }
                ++rec;
            }
            if (any(am & ~ok)) {                   /* some live lane became non-finite: it stops here */
                int okv[SW];
                vstorew(ok, 0, okv);
                live = lanes_stop(okv, alive, lstatus, l0, k);
                am = alive_mask(alive);
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
}

/* Sweeps on a CPU, a batch of several rows that one work-item steps (issue #15): each work-item advances SW lanes of
 * one head at once on floatw vectors, one lane per vector element, parameters lane-major as sweep_sgd1_cpu's (state
 * lane by lane, as sweep_steps_cpu's). Each element repeats step_cpu's operations for its model in their order, so a
 * lane ends bit-identical to its run alone: per batch row the margin of dotw_cpu (dot_cpu's partial sums) plus the
 * bias, the residual, axpy_cpu's fma into the lane's gradient (four rows a pass, each place taking the rows' fmas in row
 * order, as four axpy_cpu calls) and Σr; then the mean and each lane's update (descent_step on every parameter; a
 * vector form of its plain-SGD arithmetic when every live lane of the item is plain SGD); a one-row batch (the epoch's
 * last) takes step_cpu's one-row path. Where sweep_steps_cpu (a model per work-item) repeats step_cpu's arithmetic per
 * model, here the margins' and gradients' vector operations serve SW models: each x element is broadcast once for
 * them, and no horizontal sum is taken per model. gscr: (d + 1)·SW floats per work-item (the lanes' gradient sums).
 * Floor per step: |B|·(d·4 + 8) per work-group; per lane npar·4·(2 + 2·slots) in cache. */
static inline floatw lanes_dlossw(const int obj, const float obj_p, const floatw m, const float t, const float v)
{
    if (obj == DESCENT_OBJ_SQUARED) return (floatw)(v) * (m - (floatw)(t));    /* descent_dloss's m − t, lane-wise */
    float mv[SW], rv[SW];
    vstorew(m, 0, mv);
    for (int q = 0; q < SW; ++q) rv[q] = v * descent_dloss(obj, obj_p, mv[q], t);
    return vloadw(0, rv);
}

/* A batch's sums for SW lanes at positions [a, e) of the order: weights LW lane-major (weight c of lane q at c·ws + q),
 * biases bw; per row dotw_cpu's margins plus the bias and the residuals, then g_c += r·x_c into G (c·SW + q) by
 * axpy_cpu's fma per element, four rows a pass in row order (the same bits as four axpy_cpu calls); returns rsw + Σr,
 * rows in order (rsw: the sum so far). The loop body of sweep_batch_cpu and sweep_rowsw_cpu. */
static inline floatw lanes_rowsw(ROWS_ARGS, const int a, const int e, global const float *LW, const int ws, const floatw bw, global float *G,
                                  floatw rsw)
{
    int p = a;
    for (; p + 4 <= e; p += 4) {                   /* four rows: their residuals at the batch's weights, then one pass over G */
        global const float *x[4];
        floatw r[4];
        for (int u = 0; u < 4; ++u) {
            if (p + PREFETCH + u < e) prefetch(X + (size_t)order[p + PREFETCH + u] * d, (size_t)d);
            x[u] = X + (size_t)order[p + u] * d;
        }
        dot4w_cpu(x[0], x[1], x[2], x[3], LW, ws, d, r);
        for (int u = 0; u < 4; ++u) {
            const int row = order[p + u];
            r[u] = lanes_dlossw(obj, obj_p, r[u] + bw, has_t ? T[row] : 0.0f, DESCENT_WEIGHT(row));
        }
        for (int c = 0; c < d; ++c) {
            floatw g = vloadw(0, G + (size_t)c * SW);
            g = fma(r[0], (floatw)(x[0][c]), g);
            g = fma(r[1], (floatw)(x[1][c]), g);
            g = fma(r[2], (floatw)(x[2][c]), g);
            g = fma(r[3], (floatw)(x[3][c]), g);
            vstorew(g, 0, G + (size_t)c * SW);
        }
        rsw = rsw + r[0];
        rsw = rsw + r[1];
        rsw = rsw + r[2];
        rsw = rsw + r[3];
    }
    for (; p < e; ++p) {
        const int row = order[p];
        global const float *x = X + (size_t)row * d;
        const floatw r = lanes_dlossw(obj, obj_p, dotw_cpu(x, LW, ws, d) + bw, has_t ? T[row] : 0.0f, DESCENT_WEIGHT(row));
        for (int c = 0; c < d; ++c) vstorew(fma(r, (floatw)(x[c]), vloadw(0, G + (size_t)c * SW)), 0, G + (size_t)c * SW);
        rsw = rsw + r;
    }
    return rsw;
}

kernel void sweep_batch_cpu(ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS, global float *gscr, const int sync)
{
    const int item = (int)get_global_id(0), l0 = item * SW;
    const int np = d + 1;
    int rule_[SW], dec_[SW], avg_[SW], t0_[SW], inv_[SW], first_[SW], per_[SW], alive[SW];
    float lr_[SW], mu_[SW], b2_[SW], eps_[SW], lam_[SW], l1_[SW];
    int live = 0, allPlain = 1;
    for (int q = 0; q < SW; ++q) {
        const int l = min(l0 + q, lanes - 1);
        global const int *ci = lint + (size_t)l * LANE_INTS;
        global const float *cf = lflt + (size_t)l * LANE_FLOATS;
        rule_[q] = ci[0]; dec_[q] = ci[1]; avg_[q] = ci[2]; t0_[q] = ci[3]; inv_[q] = ci[4]; first_[q] = ci[5]; per_[q] = ci[6];
        lr_[q] = cf[0]; mu_[q] = cf[1]; b2_[q] = cf[2]; eps_[q] = cf[3]; lam_[q] = cf[4]; l1_[q] = cf[5];
        alive[q] = l0 + q < lanes && lstatus[l] == STATUS_OK;
        live |= alive[q];
        if (alive[q]) allPlain &= rule_[q] == DESCENT_RULE_SGD && !dec_[q] && l1_[q] == 0.0f && !avg_[q];
    }
    const floatw lamw = vloadw(0, lam_);
    global float *P = lparams + l0;
    global float *G = gscr + (size_t)item * np * SW;
    intw am = alive_mask(alive);
    int rec = 0;
    const int end = first_batch + batches;
    for (int w0 = first_batch; w0 < end; w0 += sync) {
        const int w1 = min(end, w0 + sync);
        for (int j = w0; j < w1 && live; ++j) {
            const int k = j - first_batch;
            const int from = descent_batch_from(j, batch), cnt = descent_batch_count(j, batch, order_len);
            float lrv[SW];
            for (int q = 0; q < SW; ++q)
                lrv[q] = descent_run_rate(llrs + (size_t)min(l0 + q, lanes - 1) * batches, per_[q], lr_[q], inv_[q], first_[q], k);
            const floatw lrw = vloadw(0, lrv);
            const floatw bw = use_bias ? vloadw(0, P + (size_t)d * lpstride) : (floatw)(0.0f);
            float gd[SW];                          /* the bias's gradient per lane */
            int okv[SW];
            for (int q = 0; q < SW; ++q) okv[q] = 1;
            if (cnt == 1) {                        /* step_cpu's one-row path: the gradient is r·x */
                const int row = order[from];
                global const float *x = X + (size_t)row * d;
                const floatw rw = lanes_dlossw(obj, obj_p, dotw_cpu(x, P, lpstride, d) + bw, has_t ? T[row] : 0.0f, DESCENT_WEIGHT(row));
                float rv[SW];
                vstorew(rw, 0, rv);
                for (int q = 0; q < SW; ++q) {
                    gd[q] = rv[q];
                    if (!alive[q]) continue;
                    global float *state = lstate + (size_t)(l0 + q) * lstride;
                    const int slots = descent_slots(rule_[q], avg_[q]);
                    float st[DESCENT_MAX_SLOTS];
                    for (int c = 0; c < d; ++c) {
                        global float *pc = P + (size_t)c * lpstride + q;
                        float w;
                        if (rule_[q] == DESCENT_RULE_SGD && !dec_[q] && l1_[q] == 0.0f && !avg_[q]) {
                            w = *pc - lrv[q] * (rv[q] * x[c] + lam_[q] * *pc);
                        } else {
                            DESCENT_LOAD_SLOTS(st, state, np, c, slots);
                            w = descent_step(rule_[q], *pc, rv[q] * x[c], st, lrv[q], mu_[q], b2_[q], eps_[q], lam_[q], l1_[q], dec_[q], avg_[q],
                                             t0_[q] + k + 1);
                            DESCENT_STORE_SLOTS(st, state, np, c, slots);
                        }
                        *pc = w;
                        okv[q] &= D_ISFINITE(w);
                    }
                }
            } else {
                for (int c = 0; c < d; ++c) vstorew((floatw)(0.0f), 0, G + (size_t)c * SW);
                const floatw rsw = lanes_rowsw(ROWS_PASS, from, from + cnt, P, lpstride, bw, G, (floatw)(0.0f));
                const float inv = 1.0f / (float)cnt;
                vstorew(rsw * (floatw)(inv), 0, gd);
                if (allPlain) {                    /* descent_step's plain SGD, lane-wise: g += λw; w − lr·g */
                    intw ok = (intw)(-1);
                    for (int c = 0; c < d; ++c) {
                        global float *pc = P + (size_t)c * lpstride;
                        const floatw w = vloadw(0, pc);
                        floatw g = vloadw(0, G + (size_t)c * SW) * (floatw)(inv);
                        g += lamw * w;
                        const floatw nw = select(w, w - lrw * g, am);
                        ok &= isfinite(nw) | ~am;
                        vstorew(nw, 0, pc);
                    }
                    vstorew(ok, 0, okv);
                    for (int u = 0; u < SW; ++u) okv[u] = okv[u] != 0;
                } else {
                    for (int u = 0; u < SW; ++u) {
                        if (!alive[u]) continue;
                        global float *state = lstate + (size_t)(l0 + u) * lstride;
                        const int slots = descent_slots(rule_[u], avg_[u]);
                        float st[DESCENT_MAX_SLOTS];
                        for (int c = 0; c < d; ++c) {
                            global float *pc = P + (size_t)c * lpstride + u;
                            DESCENT_LOAD_SLOTS(st, state, np, c, slots);
                            const float w = descent_step(rule_[u], *pc, G[(size_t)c * SW + u] * inv, st, lrv[u], mu_[u], b2_[u], eps_[u], lam_[u],
                                                         l1_[u], dec_[u], avg_[u], t0_[u] + k + 1);
                            DESCENT_STORE_SLOTS(st, state, np, c, slots);
                            *pc = w;
                            okv[u] &= D_ISFINITE(w);
                        }
                    }
                }
            }
            if (use_bias) {                        /* step_cpu's bias update: descent_step without decay or L1 */
                float bv[SW];
                vstorew(bw, 0, bv);
                for (int u = 0; u < SW; ++u) {
                    if (!alive[u]) continue;
                    global float *state = lstate + (size_t)(l0 + u) * lstride;
                    const int slots = descent_slots(rule_[u], avg_[u]);
                    float st[DESCENT_MAX_SLOTS];
                    DESCENT_LOAD_SLOTS(st, state, np, d, slots);
                    const float w = descent_step(rule_[u], bv[u], gd[u], st, lrv[u], mu_[u], b2_[u], eps_[u], 0.0f, 0.0f, dec_[u], avg_[u],
                                                 t0_[u] + k + 1);
                    DESCENT_STORE_SLOTS(st, state, np, d, slots);
                    P[(size_t)d * lpstride + u] = w;
                    okv[u] &= D_ISFINITE(w);
                }
            }
            if (j % record_every == 0) {
                for (int u = 0; u < SW; ++u) {
                    if (!alive[u]) continue;
                    global const float *state = lstate + (size_t)(l0 + u) * lstride;
                    const int sl = descent_slots(rule_[u], 1) - 1;
                    for (int cc = 0; cc < np; ++cc)
                        lsnaps[((size_t)rec * lanes + l0 + u) * np + cc] = avg_[u] ? state[(size_t)sl * np + cc] : P[(size_t)cc * lpstride + u];
                }
                ++rec;
            }
            live = lanes_stop(okv, alive, lstatus, l0, k);   /* a live lane that became non-finite stops here */
            am = alive_mask(alive);
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
}

/* sweep_rowsw_cpu's stage 1 with the lanes on vectors (issue #15): work-item i takes part i of the batch for every
 * block of SW lanes. Its scratch (wscr: blocks·(2·d + 2)·SW floats an item) holds per block the lanes' weights
 * lane-major, their gradient sums, Σr and the biases. The part's rows go by windows of about 16 KiB; each window is
 * walked once per block while it stays in cache: per row dot4w_cpu's margins (dot_cpu's order per lane) plus the
 * bias, the residuals, axpy_cpu's fma per element into the lanes' sums and Σr, rows in order across the windows, so
 * each live lane's partial has grad_rows_cpu's bits, while each x element is broadcast once for SW models, no
 * horizontal sum is taken per model, and the rows come from memory once for all the blocks. Diverged and padding
 * lanes are computed but not written. Floor: |B|·d·4 (the rows). */
kernel void sweep_rowsw_cpu(ROWS_ARGS, BATCH_ARGS, const int use_bias, LANES_ARGS, LANE_PARTS_OUT_ARGS, global float *wscr)
{
    const int blocks = (lanes + SW - 1) / SW;
    const int i = (int)get_global_id(0);
    const size_t bstride = (size_t)(2 * d + 2) * SW;
    const int ext = d + 2;
    const int window = max(4, 4096 / d / 4 * 4);
    global float *S = wscr + (size_t)i * blocks * bstride;
    for (int blk = 0; blk < blocks; ++blk) {
        global float *Wl = S + blk * bstride, *G = Wl + (size_t)d * SW;
        for (int q = 0; q < SW; ++q) {
            global const float *w = lparams + (size_t)min(blk * SW + q, lanes - 1) * lpstride;
            for (int c = 0; c < d; ++c) Wl[(size_t)c * SW + q] = w[c];
            G[(size_t)(d + 1) * SW + q] = use_bias ? w[d] : 0.0f;
        }
        for (int c = 0; c <= d; ++c) vstorew((floatw)(0.0f), 0, G + (size_t)c * SW);
    }
    const int begin = from + i * rows_per_part, end = min(begin + rows_per_part, from + count);
    for (int w0 = begin; w0 < end; w0 += window) {
        const int w1 = min(end, w0 + window);
        for (int blk = 0; blk < blocks; ++blk) {
            global float *Wl = S + blk * bstride, *G = Wl + (size_t)d * SW;
            const floatw rsw = lanes_rowsw(ROWS_PASS, w0, w1, Wl, SW, vloadw(0, G + (size_t)(d + 1) * SW), G, vloadw(0, G + (size_t)d * SW));
            vstorew(rsw, 0, G + (size_t)d * SW);
        }
    }
    for (int blk = 0; blk < blocks; ++blk) {
        global const float *G = S + blk * bstride + (size_t)d * SW;
        for (int q = 0; q < SW; ++q) {
            const int l = blk * SW + q;
            if (l >= lanes || lstatus[l] != STATUS_OK) continue;
            global float *g = lpartial + (size_t)l * lpart_stride + (size_t)i * ext;
            for (int c = 0; c < d; ++c) g[c] = G[(size_t)c * SW + q];
            g[d] = G[(size_t)d * SW + q];
            g[d + 1] = 0.0f;
        }
    }
}

/* Full-data loss of K snapshots on a CPU: work-item i takes rows [i·rows_per_part, …); each row
 * (in L1) is dotted with every snapshot. partial[i·K + k] gets the item's sum for snapshot k. */
kernel void losses_cpu(ALL_ROWS_ARGS, LOSSES_ARGS)
{
    const int i = (int)get_global_id(0);
    const int np = heads * (d + 1);
    const int begin = i * rows_per_part;
    const int end = min(begin + rows_per_part, n);
    for (int k = 0; k < K; ++k) partial[(size_t)i * K + k] = 0.0f;
    for (int row = begin; row < end; ++row) {
        global const float *x = X + (size_t)row * d;
        const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
        for (int k = 0; k < K; ++k) {
            global const float *s = snaps + (size_t)k * np;
            if (heads > 1) {
                float m[DESCENT_MAX_HEADS];
                margins_cpu(m, x, s, d, heads, 1);
                partial[(size_t)i * K + k] += v * descent_softmax_loss(heads, m, t);
            } else {
                partial[(size_t)i * K + k] += v * descent_loss(obj, obj_p, dot_cpu(x, s, d) + s[d], t);
            }
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Sparse rows (CSR): grad_rows_sparse, run_steps_sparse, losses_sparse, written once for both languages. */
#include "sparse.h"
