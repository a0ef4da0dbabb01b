/*
 * descent — CUDA kernels for the hot path. Each is loaded by name (extern "C") from a fatbin built
 * by kernels/cuda/build.sh (nvcc -fatbin: SASS sm_80 + sm_90, PTX compute_90) and launched by
 * dev.descent.backend.cuda.CudaSession through the driver API. Same semantics, layout and status
 * protocol as kernels/opencl/descent.cl (see dev.descent.backend.DeviceSession); the losses and
 * the update rule come from kernels/common (contract.h: the argument groups every parameter list
 * is made of, mirrored once in dev.descent.backend.KernelArgs).
 *
 * Layout: X row-major n x d float32, T n float32 (1-element dummy without targets), order = batch
 * order (row indices), params/snapshots packed [w_0..w_{d-1}, b] per head (one head, or softmax's
 * k: npar = heads·(d+1) floats), state slots x npar (slot k of parameter c at k·npar + c),
 * status[0] = STATUS_OK or the first diverging step. Partials are (G, npar + 1): per head the
 * sums of r·x and r, then the loss.
 *
 * One head and softmax: every kernel takes `heads` (contract.h), but only grad_mean and grad_step
 * branch on it. The others are one head only, and softmax (heads > 1) has kernels of its own
 * (*_softmax, the generic kernels' code instantiated for it): a softmax branch inside a scalar
 * kernel changes the scalar path's code (seen: losses_k8 lost every read-only ld.global.nc load),
 * so the host picks the kernel instead and the heads == 1 kernels compile as before.
 *
 * Kernels, launch shapes, floors (float32 bytes; |B| batch rows, G blocks):
 *   grad_partial_v{V}_l{L}_c{C}   G x 256, one head. A row is read by L lanes with V-wide loads,
 *       C loads each (d <= V·L·C), so 32/L rows per warp in flight; the lanes keep their columns
 *       of w and of the gradient in registers; U = 4/C row groups have their loads issued before
 *       any is used (memory-level parallelism); the margin is a shuffle reduction over the row's
 *       L lanes, warps combine by a fixed butterfly and then through shared memory in warp order.
 *       Floor: |B|·d·4 + |B|·8 read, G·(d+2)·4 written. One pass over every row.
 *   grad_partial_generic          G x 256, one head, any d: tile of 256 rows, margin per thread,
 *       then the tile (in L1/L2) column-parallel. Floor as above (the second look at a tile hits
 *       cache).
 *   grad_partial_softmax          G x B, heads > 1, any d (B = 256, or 128 past 32 heads, so the
 *       residuals stay within 32 KiB): as grad_partial_generic with tiles of B rows, a row's heads'
 *       residuals in dynamic shared memory (r[t·heads + h], 4·B·heads bytes), then columns
 *       c = h·(d+1) + j of the npar + 1. Floor: |B|·d·4 + |B|·8 read, G·(npar+1)·4 written.
 *   grad_mean, grad_step          (npar+1) resp. npar x 256, any heads: block c sums column c of
 *       the G partials (strided, then a fixed tree) and applies the optimizer (head c / (d+1),
 *       column c % (d+1)). Floor: G·(npar+1)·4 + npar·4·(2 + 2·slots) (w, state read and written).
 *   run_steps_thread[_w]_d{D}     1 x 1, one head, batch 1, d <= D <= 16 (_w: with example weights): one thread walks the steps
 *       with w, v in registers; rows are loaded PF steps ahead and their indices 2·PF ahead, so
 *       the dependent update chain never waits on memory. Floor: steps·(d·4 + 8); it is
 *       latency-bound (one dependent chain per step).
 *   run_steps_block[_softmax]     1 x L, one head [heads > 1], any batch <= 1024: as OpenCL's
 *       run_steps (shared memory: w[npar], state[slots·npar], r[batch·heads], row[batch]).
 *       Floor per step |B|·(d·4 + 8); per record npar·4; the parameters stay on chip.
 *   sweep_steps_thread[_w]_d{D}   ceil(K/128) x 128, sweeps at batch 1: a thread per model over run_steps_thread's body; a
 *       warp's models read each row once. Floor per step: d·4 + 8 per warp; the models' parameters stay in registers.
 *   sweep_steps_block             K x L, sweeps: a block per model over run_steps_block's body. Floor as run_steps_block,
 *       per model (the models share the rows through L2).
 *   losses_k{K}                   G x 256, one head: K snapshots per pass over X, margins in
 *       registers. Floor: n·d·4 per block of K snapshots + n·4.
 *   losses_softmax                G x 256, heads > 1: one snapshot per pass, a row's heads' margins
 *       in a private array. Floor: n·d·4 per snapshot + n·4.
 *
 * Build: kernels/cuda/build.sh nvcc OUTDIR (Maven runs it in generate-resources).
 * TODO(perf): fuse grad_step into grad_partial with a last-block-done counter (one launch per
 *   step); TMA bulk copies for d >= 256 on sm_90; a warp-cooperative run_steps for 16 < d <= 128.
 * TODO(general): Adam/AdaGrad state; softmax: wide-row (warp-per-row) gradient, several snapshots
 *   per pass in losses_softmax.
 */
#include <cstdint>
#include "contract.h"

#define FULL 0xffffffffu

/* ============================================================================================ */
/* fused batch gradient, stage 1: warp-per-row-group version                                      */

template <int V, int L, int C, int U>
__device__ __forceinline__ void grad_partial_body(
    const float *__restrict__ X, const float *__restrict__ T, const int *__restrict__ order,
    int from, int count, int d, int obj, float obj_p, int has_t, const float *__restrict__ W, int has_w,
    const float *__restrict__ params, int use_bias,
    int with_loss, int rows_per_part, float *__restrict__ partial, const int *__restrict__ status, const int part)
{
    extern __shared__ float smem[];                 /* [warps][d+2] */
    if (status[0] != STATUS_OK) return;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int sub = lane / L, q = lane % L;         /* row slot in the warp, lane within the row */
    constexpr int R = 32 / L;                       /* rows per warp per row group */
    const int begin = from + part * rows_per_part;
    const int end = min(begin + rows_per_part, from + count);

    float w[C][V], acc[C][V];
#pragma unroll
    for (int k = 0; k < C; ++k)
#pragma unroll
        for (int e = 0; e < V; ++e) {
            const int col = (q + k * L) * V + e;
            w[k][e] = col < d ? params[col] : 0.0f;
            acc[k][e] = 0.0f;
        }
    const float b = use_bias ? params[d] : 0.0f;
    float rsum = 0.0f, lsum = 0.0f;

    /* U row groups per iteration: every row index, then every row's loads, are issued before the
     * first use, so U·C vector loads per lane are in flight (memory-level parallelism); the
     * arithmetic then consumes the groups in a fixed order. Group u of this warp: base + u·warps·R. */
    for (int base = begin + warp * R; base < end; base += warps * R * U) {
        int row[U];
        bool live[U];
#pragma unroll
        for (int u = 0; u < U; ++u) {
            const int p = base + u * warps * R + sub;
            live[u] = p < end;
            row[u] = live[u] ? order[p] : 0;
        }
        float v[U][C][V], t[U], wt[U];
#pragma unroll
        for (int u = 0; u < U; ++u) {
            const float *x = X + (size_t)row[u] * d;
#pragma unroll
            for (int k = 0; k < C; ++k) {
                const int c4 = q + k * L;
                if constexpr (V == 4) {
                    const float4 f = (live[u] && c4 * 4 < d) ? reinterpret_cast<const float4 *>(x)[c4]
                                                            : make_float4(0.f, 0.f, 0.f, 0.f);
                    v[u][k][0] = f.x;
                    v[u][k][1] = f.y;
                    v[u][k][2] = f.z;
                    v[u][k][3] = f.w;
                } else {
#pragma unroll
                    for (int e = 0; e < V; ++e) v[u][k][e] = (live[u] && c4 * V + e < d) ? x[c4 * V + e] : 0.0f;
                }
            }
            t[u] = (live[u] && has_t) ? T[row[u]] : 0.0f;
            wt[u] = live[u] ? DESCENT_WEIGHT(row[u]) : 1.0f;
        }
#pragma unroll
        for (int u = 0; u < U; ++u) {
            float dot = 0.0f;
#pragma unroll
            for (int k = 0; k < C; ++k)
#pragma unroll
                for (int e = 0; e < V; ++e) dot = fmaf(v[u][k][e], w[k][e], dot);
#pragma unroll
            for (int off = L / 2; off > 0; off >>= 1) dot += __shfl_xor_sync(FULL, dot, off);
            const float m = dot + b;
            const float r = live[u] ? wt[u] * descent_dloss(obj, obj_p, m, t[u]) : 0.0f;
#pragma unroll
            for (int k = 0; k < C; ++k)
#pragma unroll
                for (int e = 0; e < V; ++e) acc[k][e] = fmaf(r, v[u][k][e], acc[k][e]);
            if (q == 0) {
                rsum += r;
                if (with_loss && live[u]) lsum += wt[u] * descent_loss(obj, obj_p, m, t[u]);
            }
        }
    }
    /* combine the R row slots of the warp (fixed butterfly), then the warps in order */
#pragma unroll
    for (int off = L; off < 32; off <<= 1) {
#pragma unroll
        for (int k = 0; k < C; ++k)
#pragma unroll
            for (int e = 0; e < V; ++e) acc[k][e] += __shfl_xor_sync(FULL, acc[k][e], off);
        rsum += __shfl_xor_sync(FULL, rsum, off);
        lsum += __shfl_xor_sync(FULL, lsum, off);
    }
    const int ext = d + 2;
    if (sub == 0) {
#pragma unroll
        for (int k = 0; k < C; ++k)
#pragma unroll
            for (int e = 0; e < V; ++e) {
                const int col = (q + k * L) * V + e;
                if (col < d) smem[warp * ext + col] = acc[k][e];
            }
        if (q == 0) {
            smem[warp * ext + d] = rsum;
            smem[warp * ext + d + 1] = lsum;
        }
    }
    __syncthreads();
    for (int c = threadIdx.x; c < ext; c += blockDim.x) {
        float s = 0.0f;
        for (int k = 0; k < warps; ++k) s += smem[k * ext + c];
        partial[(size_t)part * ext + c] = s;
    }
}

/* one head only (heads is not read): softmax takes grad_partial_softmax. LANE_SPLIT (contract.h): a lone
 * model's stage 1 passes lanes = 1; a sweep's (issue #15, a batch that takes several blocks a step) passes
 * its lanes' parameters, parts and statuses, and block q runs part q / lanes of lane q % lanes (the lanes
 * of a part side by side, so they read its rows at about the same time: from L2 after the first). One
 * kernel for both, so a lane's parts are its lone run's parts by construction. */
#define GRAD_PARTIAL(V, L, C)                                                                          \
    extern "C" __global__ void __launch_bounds__(256) grad_partial_v##V##_l##L##_c##C(                 \
        ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS, LANE_SPLIT_ARGS)                       \
    {                                                                                                  \
        const int sl = blockIdx.x % lanes;                                                             \
        grad_partial_body<V, L, C, (C >= 4 ? 1 : 4 / C)>(X, T, order, from, count, d, obj, obj_p, has_t,      \
                                   W, has_w, params + (size_t)sl * lpstride, use_bias, with_loss,      \
                                   rows_per_part, partial + (size_t)sl * lpart_stride, status + sl,   \
                                   blockIdx.x / lanes);                                                \
    }

GRAD_PARTIAL(1, 1, 1) GRAD_PARTIAL(1, 2, 1) GRAD_PARTIAL(1, 4, 1) GRAD_PARTIAL(1, 8, 1)
GRAD_PARTIAL(1, 16, 1) GRAD_PARTIAL(1, 32, 1) GRAD_PARTIAL(1, 32, 2) GRAD_PARTIAL(1, 32, 4) GRAD_PARTIAL(1, 32, 8)
GRAD_PARTIAL(4, 1, 1) GRAD_PARTIAL(4, 2, 1) GRAD_PARTIAL(4, 4, 1) GRAD_PARTIAL(4, 8, 1)
GRAD_PARTIAL(4, 16, 1) GRAD_PARTIAL(4, 32, 1) GRAD_PARTIAL(4, 32, 2) GRAD_PARTIAL(4, 32, 4) GRAD_PARTIAL(4, 32, 8)

/* ============================================================================================ */
/* fused batch gradient, stage 1: any d (the OpenCL kernel's tile scheme)                         */

/* SOFT = false: grad_partial_generic, one head, static shared memory only (launched with 0 bytes of
 * dynamic shared memory). SOFT = true: grad_partial_softmax, heads > 1: the tile's residuals,
 * r_soft[t·heads + h], in 4·blockDim·heads bytes of dynamic shared memory; part c = h·(d+1) + j of the
 * extended row is head h's column j of [x, 1], the last one the loss. Two kernels rather than a
 * branch on heads: a softmax branch in the same kernel changes the scalar path's code. */
template <bool SOFT>
__device__ __forceinline__ void grad_partial_tiles(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS, const int g)
{
    __shared__ float r_loc[256], l_loc[256];
    __shared__ int row_loc[256];
    extern __shared__ float r_soft[];               /* [blockDim][heads], SOFT only */
    if (status[0] != STATUS_OK) return;
    const int np = d + 1;
    const int L = blockDim.x, tid = threadIdx.x, ext = SOFT ? heads * np + 1 : d + 2;
    const int begin = from + g * rows_per_part;
    const int end = min(begin + rows_per_part, from + count);
    const float b = use_bias ? params[d] : 0.0f;
    float *part = partial + (size_t)g * ext;
    for (int c = tid; c < ext; c += L) part[c] = 0.0f;
    for (int tile = begin; tile < end; tile += L) {
        const int p = tile + tid;
        float r = 0.0f, l = 0.0f;
        int row = 0;
        if constexpr (SOFT) {
            float m[DESCENT_MAX_HEADS];
            for (int h = 0; h < heads; ++h) m[h] = 0.0f;
            if (p < end) {
                row = order[p];
                const float *x = X + (size_t)row * d;
                DESCENT_MARGINS(m, x, params, d, heads, use_bias);
                const float v = DESCENT_WEIGHT(row);
                l = v * descent_softmax_residuals(heads, m, T[row], with_loss);
                for (int h = 0; h < heads; ++h) m[h] *= v;
            }
            for (int h = 0; h < heads; ++h) r_soft[tid * heads + h] = m[h];
        } else {
            if (p < end) {
                row = order[p];
                const float *x = X + (size_t)row * d;
                float m = b;
                for (int j = 0; j < d; ++j) m = fmaf(x[j], params[j], m);
                const float t = has_t ? T[row] : 0.0f, v = DESCENT_WEIGHT(row);
                r = v * descent_dloss(obj, obj_p, m, t);
                if (with_loss) l = v * descent_loss(obj, obj_p, m, t);
            }
            r_loc[tid] = r;
        }
        l_loc[tid] = l;
        row_loc[tid] = row;
        __syncthreads();
        const int rows = min(L, end - tile);
        for (int c = tid; c < ext; c += L) {
            float s = 0.0f;
            if constexpr (SOFT) {
                const int h = c / np, j = c - h * np;   /* head h, column j of [x, 1]; the last c is the loss */
                if (c == ext - 1) for (int k = 0; k < rows; ++k) s += l_loc[k];
                else if (j < d) for (int k = 0; k < rows; ++k) s = fmaf(r_soft[k * heads + h], X[(size_t)row_loc[k] * d + j], s);
                else for (int k = 0; k < rows; ++k) s += r_soft[k * heads + h];
            } else {
                if (c < d) for (int k = 0; k < rows; ++k) s = fmaf(r_loc[k], X[(size_t)row_loc[k] * d + c], s);
                else if (c == d) for (int k = 0; k < rows; ++k) s += r_loc[k];
                else for (int k = 0; k < rows; ++k) s += l_loc[k];
            }
            part[c] += s;
        }
        __syncthreads();
    }
}

/* one head (heads == 1) */
extern "C" __global__ void __launch_bounds__(256) grad_partial_generic(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS, LANE_SPLIT_ARGS)
{
    const int sl = blockIdx.x % lanes;                 /* LANE_SPLIT: see GRAD_PARTIAL */
    grad_partial_tiles<false>(ROWS_PASS, from, count, params + (size_t)sl * lpstride, use_bias, with_loss, rows_per_part,
                              partial + (size_t)sl * lpart_stride, status + sl, blockIdx.x / lanes);
}

/* softmax (heads > 1); blocks of at most 256 threads, 4·blockDim·heads bytes of dynamic shared memory */
extern "C" __global__ void __launch_bounds__(256) grad_partial_softmax(ROWS_ARGS, BATCH_ARGS, WEIGHTS_ARGS, PARTIALS_OUT_ARGS)
{
    grad_partial_tiles<true>(ROWS_PASS, from, count, params, use_bias, with_loss, rows_per_part, partial, status, blockIdx.x);
}

/* ============================================================================================ */
/* stage 2 + fused update: block c reduces column c of the partials in a fixed order            */

/* column c of the `parts` partials (ext columns each) summed by one block (strided, then a fixed tree), divided by count */
__device__ __forceinline__ float block_column_mean(const float *__restrict__ partial, int parts, int ext, int count, int c)
{
    __shared__ float red[256];
    const int tid = threadIdx.x;
    float s = 0.0f;
    for (int k = tid; k < parts; k += blockDim.x) s += partial[(size_t)k * ext + c];
    red[tid] = s;
    __syncthreads();
    for (int h = blockDim.x / 2; h > 0; h >>= 1) {
        if (tid < h) red[tid] += red[tid + h];
        __syncthreads();
    }
    return red[0] / (float)count;
}

/* a gradient asked for: out (npar + 1) = per head the mean gradient and the mean residual (0 without
 * a bias), then, in slot npar, the mean loss; grid npar + 1 */
extern "C" __global__ void __launch_bounds__(256) grad_mean(PARTIALS_IN_ARGS, MEAN_OUT_ARGS)
{
    const int c = blockIdx.x;
    const int np = d + 1, ext = heads * np + 1;
    const float mean = block_column_mean(partial, parts, ext, count, c);
    if (threadIdx.x == 0) out[c] = (c < ext - 1 && (heads == 1 ? c : c % np) == d && !use_bias) ? 0.0f : mean;
}

/* the fused update: block c applies the optimizer to parameter c, column j = c % (d+1) of its head
 * (skipped after a divergence); grid npar (a block past it returns) */
__device__ __forceinline__ void grad_step_column(PARTIALS_IN_ARGS, MODEL_ARGS, RULE_ARGS, UPDATE_ARGS, const int c)
{
    if (status[0] < step) return;                  /* an earlier step diverged (same for the whole block) */
    const int np = d + 1, npar = heads * np, j = heads == 1 ? c : c % np;
    if (c >= npar || (j == d && !use_bias)) return;
    const float mean = block_column_mean(partial, parts, npar + 1, count, c);
    if (threadIdx.x != 0) return;
    const int slots = descent_slots(rule, average);
    float st[DESCENT_MAX_SLOTS];
    DESCENT_LOAD_SLOTS(st, state, npar, c, slots);
    const float w = descent_step(rule, params[c], mean, st, lr, mu, beta2, eps, j < d ? lambda : 0.0f, j < d ? l1 : 0.0f, decoupled, average, t0 + 1);
    params[c] = w;
    DESCENT_STORE_SLOTS(st, state, npar, c, slots);
    if (!isfinite(w)) atomicMin(status, step);
}

extern "C" __global__ void __launch_bounds__(256) grad_step(PARTIALS_IN_ARGS, MODEL_ARGS, RULE_ARGS, UPDATE_ARGS)
{
    grad_step_column(partial, parts, d, heads, count, params, state, use_bias, t0, rule, mu, beta2, eps, lambda, l1, decoupled, average,
                     lr, step, status, blockIdx.x);
}

/* stage 2 and the update of a sweep's lanes (after their stage 1 by LANE_SPLIT): block l·npar + c applies lane l's optimizer
 * to its parameter c as grad_step does for that model alone, at step k of the run (rate llrs[l·batches + k], the
 * host's schedule in float as the lone run's launches take it; update number t0 + k + 1), then, when rec ≥ 0,
 * records parameter c (or its average) in lsnaps record rec */
extern "C" __global__ void __launch_bounds__(256) sweep_grad_step(LANE_PARTS_IN_ARGS, const int use_bias, LANES_ARGS, LANE_STEP_ARGS)
{
    const int npar = heads * (d + 1), c = blockIdx.x % npar, l = blockIdx.x / npar;
    if (l >= lanes) return;
    const int *ci = lint + (size_t)l * LANE_INTS;
    const float *cf = lflt + (size_t)l * LANE_FLOATS;
    float *p = lparams + (size_t)l * lpstride, *st = lstate + (size_t)l * lstride;
    grad_step_column(lpartial + (size_t)l * lpart_stride, parts, d, heads, count, p, st, use_bias, min(ci[3] + k, DESCENT_T_CAP),
                     ci[0], cf[1], cf[2], cf[3], cf[4], cf[5], ci[1], ci[2], llrs[(size_t)l * batches + k], k, lstatus + l, c);
    if (rec >= 0 && threadIdx.x == 0) lsnaps[((size_t)rec * lanes + l) * npar + c] = descent_reported(p, st, npar, c, ci[0], ci[2]);
}

/* ============================================================================================ */
/* many steps, batch 1, d <= D <= 16: one thread, registers only, rows prefetched PF steps ahead  */
/* and their indices 2·PF ahead (PF = 16 for D <= 4, 8 for D = 8, 6 for D = 16: no spills).      */
/* One head only: the host never launches these with heads > 1 (softmax takes run_steps_block_softmax). */

/* p[0] = the sum of p[0 … 2H) as a tree: p[j] += p[j + H] for j < H, then H/2, … 1. A level per template instance,
 * so every index is a constant: as one loop over H, nvcc left the levels rolled at D = 16 and p[] went to local
 * memory (a 64-byte stack frame in run_steps_thread_d16, loads and stores in every step's dependent chain). */
template <int H>
__device__ __forceinline__ void tree_sum(float *p) {
#pragma unroll
    for (int j = 0; j < H; ++j) p[j] += p[j + H];
    tree_sum<H / 2>(p);
}
template <>
__device__ __forceinline__ void tree_sum<0>(float *) {}

template <int D, int PF, bool HW>
__device__ __forceinline__ void run_steps_thread_body(
    const float *__restrict__ X, const float *__restrict__ T, const int *__restrict__ order, int d,
    int obj, float obj_p, int has_t, const float *__restrict__ W, int has_w, int use_bias, float *params, float *vel, int t0, int rule, float mu, float beta2, float eps,
    float lambda, float l1, int decoupled, int first, int steps, float lr, int inv_sqrt, int first_step, const float *lrs, int per_step, int record_every,
    float *snaps, int snap_stride, int step0, int *status)
{
    if (status[0] != STATUS_OK) return;
    float w[D], v[D];
#pragma unroll
    for (int j = 0; j < D; ++j) {
        w[j] = j < d ? params[j] : 0.0f;
        v[j] = (j < d && rule != DESCENT_RULE_SGD) ? vel[j] : 0.0f;
    }
    float b = use_bias ? params[d] : 0.0f;
    float vb = (use_bias && rule != DESCENT_RULE_SGD) ? vel[d] : 0.0f;
    const bool plain = rule == DESCENT_RULE_SGD && lambda == 0.0f && l1 == 0.0f;

    /* Two rings, indexed only by unrolled constants so they stay in registers: the rows of the next
     * PF steps, and the row indices of the PF steps after those. A row's load is issued PF steps
     * before its use and its index PF steps before that, so neither memory latency (order, then X)
     * stalls the dependent chain of updates. */
    const int last = first + steps;                 /* exclusive end in the order */
    float xr[PF][D], tr[PF], wr[HW ? PF : 1];    /* the weights' ring only in the weighted instances (_w_) */
    int ri[PF];
#pragma unroll
    for (int u = 0; u < PF; ++u) {
        const int s = first + u;
        const int row = s < last ? order[s] : 0;
#pragma unroll
        for (int j = 0; j < D; ++j) xr[u][j] = (s < last && j < d) ? X[(size_t)row * d + j] : 0.0f;
        tr[u] = (s < last && has_t) ? T[row] : 0.0f;
        if constexpr (HW) wr[u] = s < last ? W[row] : 1.0f;
        ri[u] = s + PF < last ? order[s + PF] : 0;
    }
    int rec = 0;
    int countdown = (record_every - first % record_every) % record_every;   /* steps until the next record */
    bool stop = false;
    for (int k0 = 0; k0 < steps && !stop; k0 += PF) {
#pragma unroll
        for (int u = 0; u < PF; ++u) {
            const int k = k0 + u;
            if (k >= steps || stop) break;
            float x[D];
#pragma unroll
            for (int j = 0; j < D; ++j) x[j] = xr[u][j];
            const float t = tr[u];
            float wt = 1.0f;
            if constexpr (HW) wt = wr[u];
            /* slot u now takes the row of step k + PF (its index is in ri[u]), and ri[u] the index of step k + 2·PF */
            const int s = first + k + PF;
            if (s < last) {
                const int row = ri[u];
#pragma unroll
                for (int j = 0; j < D; ++j) xr[u][j] = j < d ? X[(size_t)row * d + j] : 0.0f;
                tr[u] = has_t ? T[row] : 0.0f;
                if constexpr (HW) wr[u] = W[row];
            }
            ri[u] = s + PF < last ? order[s + PF] : 0;
            /* margin as a tree: depth log2(D) instead of D. Its first level and the bias are fused (fmaf, written here, so
             * the same in every kernel inlining this body under -fmad=false): p[j] = x[j]·w[j] + (x[j+H]·w[j+H] or b), one
             * operation less in the step's dependent chain than multiplying, adding the tree and then b. */
            float p[D];
            if constexpr (D == 1) {
                p[0] = fmaf(x[0], w[0], b);
            } else {
                constexpr int H = D / 2 > 0 ? D / 2 : 1;
#pragma unroll
                for (int j = 0; j < H; ++j) p[j] = fmaf(x[j], w[j], j == 0 ? fmaf(x[H], w[H], b) : x[j + H] * w[j + H]);
                tree_sum<H / 2>(p);
            }
            const float m = p[0];
            const float r = HW ? wt * descent_dloss(obj, obj_p, m, t) : descent_dloss(obj, obj_p, m, t);   /* 1·x is x: the same bits */
            const float lr_k = descent_run_rate(lrs, per_step, lr, inv_sqrt, first_step, k);
            bool finite = true;
            if (plain) {                     /* plain SGD: w -= (lr·r)·x as one fmaf a weight, two operations less in the chain */
                const float c = -(lr_k * r);
#pragma unroll
                for (int j = 0; j < D; ++j) {
                    w[j] = fmaf(c, x[j], w[j]);      /* x[j] = 0 past d: w[j] stays 0 */
                    finite &= isfinite(w[j]);
                }
                if (use_bias) {
                    b += c;
                    finite &= isfinite(b);
                }
            } else {
#pragma unroll
                for (int j = 0; j < D; ++j) {
                    if (j < d) {
                        float st[DESCENT_MAX_SLOTS] = {v[j], 0.0f, 0.0f, 0.0f};   /* at most one slot, no averaging (the host's choice) */
                        w[j] = descent_step(rule, w[j], r * x[j], st, lr_k, mu, beta2, eps, lambda, l1, decoupled, 0, t0 + k + 1);
                        v[j] = st[0];
                        finite &= isfinite(w[j]);
                    }
                }
                if (use_bias) {
                    float st[DESCENT_MAX_SLOTS] = {vb, 0.0f, 0.0f, 0.0f};
                    b = descent_step(rule, b, r, st, lr_k, mu, beta2, eps, 0.0f, 0.0f, decoupled, 0, t0 + k + 1);
                    vb = st[0];
                    finite &= isfinite(b);
                }
            }
            if (countdown == 0) {
#pragma unroll
                for (int j = 0; j < D; ++j)
                    if (j < d) snaps[(size_t)rec * snap_stride + j] = w[j];
                snaps[(size_t)rec * snap_stride + d] = b;
                ++rec;
                countdown = record_every;
            }
            --countdown;
            if (!finite) {
                status[0] = step0 + k;
                stop = true;
            }
        }
    }
#pragma unroll
    for (int j = 0; j < D; ++j)
        if (j < d) {
            params[j] = w[j];
            if (rule != DESCENT_RULE_SGD) vel[j] = v[j];
        }
    params[d] = b;
    if (rule != DESCENT_RULE_SGD) vel[d] = vb;
}

#define RUN_THREAD(D, HW, NAME)                                                                        \
    extern "C" __global__ void run_steps_thread##NAME##D(                                              \
        ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS)                          \
    {   /* batch is 1: batch j is position j of the order */                                           \
        run_steps_thread_body<D, (D <= 4 ? 16 : D <= 8 ? 8 : 6), HW>(X, T, order, d, obj, obj_p, has_t, W, has_w, use_bias, params, state, t0, rule, mu, \
                                 beta2, eps, lambda, l1, decoupled, descent_batch_from(first_batch, batch), batches, lr, \
                                 inv_sqrt, first_step, lrs, per_step, record_every,                    \
                                 snaps, d + 1, step0, status);                                         \
    }                                                                                                  \
    /* sweeps: a thread per model (lane = global thread), each walking the steps as run_steps_thread##NAME##D */ \
    extern "C" __global__ void sweep_steps_thread##NAME##D(                                            \
        ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS)                 \
    {                                                                                                  \
        const int l = blockIdx.x * blockDim.x + threadIdx.x;                                           \
        if (l >= lanes) return;                                                                        \
        const int *ci = lint + (size_t)l * LANE_INTS;                                                  \
        const float *cf = lflt + (size_t)l * LANE_FLOATS;                                              \
        /* PF 4 at D = 16 (the lone kernel's 6 spilled here, beside the lane's pointers) and 12 at D <= 4 (16 spilled with \
         * the example weights' ring); PF moves loads only */                                          \
        run_steps_thread_body<D, (D <= 4 ? 12 : D <= 8 ? 8 : 4), HW>(X, T, order, d, obj, obj_p, has_t, W, has_w, use_bias, \
                                 lparams + (size_t)l * lpstride, lstate + (size_t)l * lstride, ci[3], ci[0], cf[1], \
                                 cf[2], cf[3], cf[4], cf[5], ci[1], descent_batch_from(first_batch, batch), batches, \
                                 cf[0], ci[4], ci[5], llrs + (size_t)l * batches, ci[6], record_every, \
                                 lsnaps + (size_t)l * (d + 1), lanes * (d + 1), 0, lstatus + l);       \
    }

/* run_steps_thread_d{D}, sweep_steps_thread_d{D}: no example weights (has_w = 0); run_steps_thread_w_d{D},
 * sweep_steps_thread_w_d{D}: with them. The weights' ring cost the unweighted d = 16 kernel 9.5% an epoch on an H200 (session
 * 12: 1.99 → 2.18 s on 400k rows) when one body served both. */
RUN_THREAD(1, false, _d) RUN_THREAD(2, false, _d) RUN_THREAD(4, false, _d) RUN_THREAD(8, false, _d) RUN_THREAD(16, false, _d)
RUN_THREAD(1, true, _w_d) RUN_THREAD(2, true, _w_d) RUN_THREAD(4, true, _w_d) RUN_THREAD(8, true, _w_d) RUN_THREAD(16, true, _w_d)

/* ============================================================================================ */
/* many steps, any batch <= 1024: one block, w and state in shared memory (OpenCL's run_steps)    */

/* SOFT = false: run_steps_block, one head. SOFT = true: run_steps_block_softmax, heads > 1: batch
 * row t's residuals at r_loc[t·heads + h]; parameter c is head h = c / np, column jc = c % np of
 * [x, 1]. Shared memory: w[npar] state[slots·npar] r[batch·heads] row[batch]. */
template <bool SOFT>
__device__ __forceinline__ void run_steps_shared(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, const int record_every, float *snaps,
                                                 const int snap_stride, const int step0, int *status)
{
    extern __shared__ float sh[];                   /* w[npar] state[slots·npar] r[batch·heads] row[batch] */
    __shared__ int flag;
    if (status[0] != STATUS_OK) return;
    const int L = blockDim.x, tid = threadIdx.x, np = d + 1, slots = descent_slots(rule, average);
    const int npar = SOFT ? heads * np : np;       /* all parameters */
    float *w_loc = sh, *s_loc = sh + npar, *r_loc = sh + (1 + slots) * npar;
    int *row_loc = reinterpret_cast<int *>(r_loc + (SOFT ? batch * heads : batch));
    for (int c = tid; c < npar; c += L) {
        w_loc[c] = params[c];
        for (int k = 0; k < slots; ++k) s_loc[k * npar + c] = state[k * npar + c];
    }
    if (tid == 0) flag = 0;
    __syncthreads();
    int rec = 0;
    for (int j = first_batch; j < first_batch + batches; ++j) {
        const int from = descent_batch_from(j, batch);
        const int cnt = descent_batch_count(j, batch, order_len);
        if constexpr (SOFT) {
            for (int t = tid; t < cnt; t += L) {
                const int row = order[from + t];
                const float *x = X + (size_t)row * d;
                float m[DESCENT_MAX_HEADS];
                DESCENT_MARGINS(m, x, w_loc, d, heads, use_bias);
                descent_softmax_residuals(heads, m, T[row], 0);
                const float v = DESCENT_WEIGHT(row);
                for (int h = 0; h < heads; ++h) r_loc[t * heads + h] = v * m[h];
                row_loc[t] = row;
            }
        } else {
            const float b = use_bias ? w_loc[d] : 0.0f;
            for (int t = tid; t < cnt; t += L) {
                const int row = order[from + t];
                const float *x = X + (size_t)row * d;
                float m = b;
                for (int k = 0; k < d; ++k) m = fmaf(x[k], w_loc[k], m);
                r_loc[t] = DESCENT_WEIGHT(row) * descent_dloss(obj, obj_p, m, has_t ? T[row] : 0.0f);
                row_loc[t] = row;
            }
        }
        __syncthreads();
        const float lr_j = descent_run_rate(lrs, per_step, lr, inv_sqrt, first_step, j - first_batch);
        const float inv = 1.0f / (float)cnt;
        for (int c = tid; c < npar; c += L) {
            int h = 0, jc = c;                      /* head h, column jc of [x, 1] */
            if constexpr (SOFT) {
                h = c / np;
                jc = c - h * np;
            }
            if (jc == d && !use_bias) continue;
            float s = 0.0f;
            if constexpr (SOFT) {
                if (jc < d) for (int t = 0; t < cnt; ++t) s = fmaf(r_loc[t * heads + h], X[(size_t)row_loc[t] * d + jc], s);
                else for (int t = 0; t < cnt; ++t) s += r_loc[t * heads + h];
            } else {
                if (c < d) for (int t = 0; t < cnt; ++t) s = fmaf(r_loc[t], X[(size_t)row_loc[t] * d + c], s);
                else for (int t = 0; t < cnt; ++t) s += r_loc[t];
            }
            float st[DESCENT_MAX_SLOTS];
            DESCENT_LOAD_SLOTS(st, s_loc, npar, c, slots);
            const float w = descent_step(rule, w_loc[c], s * inv, st, lr_j, mu, beta2, eps, jc < d ? lambda : 0.0f, jc < d ? l1 : 0.0f, decoupled, average,
                                         t0 + (j - first_batch) + 1);
            w_loc[c] = w;
            DESCENT_STORE_SLOTS(st, s_loc, npar, c, slots);
            if (!isfinite(w)) flag = 1;
        }
        __syncthreads();
        if (j % record_every == 0) {
            for (int c = tid; c < npar; c += L) snaps[(size_t)rec * snap_stride + c] = average ? s_loc[(slots - 1) * npar + c] : w_loc[c];
            ++rec;
        }
        if (flag) {
            if (tid == 0) status[0] = step0 + (j - first_batch);
            break;
        }
    }
    __syncthreads();
    for (int c = tid; c < npar; c += L) {
        params[c] = w_loc[c];
        for (int k = 0; k < slots; ++k) state[k * npar + c] = s_loc[k * npar + c];
    }
}

#define RUN_SHARED_ARGS ROWS_PASS, params, state, use_bias, t0, rule, mu, beta2, eps, lambda, l1, decoupled, \
                        average, order_len, batch, first_batch, batches, lr, inv_sqrt, first_step, lrs, per_step, record_every, snaps, \
                        heads * (d + 1), step0, status

/* one head (heads == 1) */
extern "C" __global__ void run_steps_block(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS)
{
    run_steps_shared<false>(RUN_SHARED_ARGS);
}

/* softmax (heads > 1) */
extern "C" __global__ void run_steps_block_softmax(ROWS_ARGS, MODEL_ARGS, RULE_ARGS, STEPS_ARGS, RATE_ARGS, RECORD_ARGS)
{
    run_steps_shared<true>(RUN_SHARED_ARGS);
}

/* sweeps: a block per model (lane = block), each walking the batches as run_steps_block (one head) */
extern "C" __global__ void sweep_steps_block(ROWS_ARGS, const int use_bias, STEPS_ARGS, const int record_every, LANES_ARGS)
{
    const int l = blockIdx.x;
    if (l >= lanes) return;
    const int *ci = lint + (size_t)l * LANE_INTS;
    const float *cf = lflt + (size_t)l * LANE_FLOATS;
    run_steps_shared<false>(ROWS_PASS, lparams + (size_t)l * lpstride, lstate + (size_t)l * lstride, use_bias, ci[3],
                            ci[0], cf[1], cf[2], cf[3], cf[4], cf[5], ci[1], ci[2], order_len, batch, first_batch, batches,
                            cf[0], ci[4], ci[5], llrs + (size_t)l * batches, ci[6], record_every, lsnaps + (size_t)l * (d + 1), lanes * (d + 1),
                            0, lstatus + l);
}

/* ============================================================================================ */
/* full-data loss of K snapshots per pass over X                                                  */

template <int KB>
__device__ __forceinline__ void losses_body(const float *__restrict__ X, const float *__restrict__ T, int n, int d,
                                            int obj, float obj_p, int has_t, const float *__restrict__ W, int has_w,
                                            const float *__restrict__ snaps, int K,
                                            int rows_per_part, float *__restrict__ partial)
{
    __shared__ float red[KB][32];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, warps = blockDim.x >> 5, np = d + 1;
    const int begin = blockIdx.x * rows_per_part;
    const int end = min(begin + rows_per_part, n);
    for (int k0 = 0; k0 < K; k0 += KB) {
        float acc[KB];
#pragma unroll
        for (int kk = 0; kk < KB; ++kk) acc[kk] = 0.0f;
        for (int i = begin + tid; i < end; i += blockDim.x) {
            float m[KB];
#pragma unroll
            for (int kk = 0; kk < KB; ++kk) m[kk] = snaps[(size_t)min(k0 + kk, K - 1) * np + d];
            const float *x = X + (size_t)i * d;
            for (int j = 0; j < d; ++j) {
                const float xj = x[j];
#pragma unroll
                for (int kk = 0; kk < KB; ++kk) m[kk] = fmaf(xj, snaps[(size_t)min(k0 + kk, K - 1) * np + j], m[kk]);
            }
            const float t = has_t ? T[i] : 0.0f, v = DESCENT_WEIGHT(i);
#pragma unroll
            for (int kk = 0; kk < KB; ++kk) acc[kk] += v * descent_loss(obj, obj_p, m[kk], t);
        }
#pragma unroll
        for (int kk = 0; kk < KB; ++kk) {
            float s = acc[kk];
            for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(FULL, s, off);
            if (lane == 0) red[kk][warp] = s;
        }
        __syncthreads();
        if (tid < KB && k0 + tid < K) {
            float s = 0.0f;
            for (int q = 0; q < warps; ++q) s += red[tid][q];
            partial[(size_t)blockIdx.x * K + k0 + tid] = s;
        }
        __syncthreads();
    }
}

/* one head (heads == 1) */
extern "C" __global__ void __launch_bounds__(256) losses_k1(ALL_ROWS_ARGS, LOSSES_ARGS)
{
    losses_body<1>(X, T, n, d, obj, obj_p, has_t, W, has_w, snaps, K, rows_per_part, partial);
}

extern "C" __global__ void __launch_bounds__(256) losses_k8(ALL_ROWS_ARGS, LOSSES_ARGS)
{
    losses_body<8>(X, T, n, d, obj, obj_p, has_t, W, has_w, snaps, K, rows_per_part, partial);
}

/* softmax (heads > 1): one snapshot (npar floats) per pass over the block's rows, a row's heads'
 * margins in a private array; the same reduction as losses_body (warp shuffle, then warps in order).
 * A kernel of its own: the scalar kernels keep their code (a softmax branch in them costs the
 * read-only loads of X and the snapshots). */
extern "C" __global__ void __launch_bounds__(256) losses_softmax(ALL_ROWS_ARGS, LOSSES_ARGS)
{
    __shared__ float red[32];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, warps = blockDim.x >> 5, npar = heads * (d + 1);
    const int begin = blockIdx.x * rows_per_part;
    const int end = min(begin + rows_per_part, n);
    for (int k = 0; k < K; ++k) {
        const float *w = snaps + (size_t)k * npar;
        float acc = 0.0f;
        for (int i = begin + tid; i < end; i += blockDim.x) {
            float m[DESCENT_MAX_HEADS];
            const float *x = X + (size_t)i * d;
            DESCENT_MARGINS(m, x, w, d, heads, 1);
            acc += DESCENT_WEIGHT(i) * descent_softmax_loss(heads, m, T[i]);
        }
        for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(FULL, acc, off);
        if (lane == 0) red[warp] = acc;
        __syncthreads();
        if (tid == 0) {
            float s = 0.0f;
            for (int q = 0; q < warps; ++q) s += red[q];
            partial[(size_t)blockIdx.x * K + k] = s;
        }
        __syncthreads();
    }
}

/* ============================================================================================ */
/* bandwidth probes: device-to-device copy, a constant store and a read-only sum (the ceilings benchmarks report against) */

/* Four independent 16-byte accesses per thread per iteration (grid-stride), so enough bytes are in
 * flight to reach the memory's limit; a plain one-load loop measured ~10% under what the gradient
 * itself reached on an H200. */
extern "C" __global__ void copy_f4(const float4 *__restrict__ src, float4 *__restrict__ dst, long long n4)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    for (; i + 3 * stride < n4; i += 4 * stride) {
        const float4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], e = src[i + 3 * stride];
        dst[i] = a;
        dst[i + stride] = b;
        dst[i + 2 * stride] = c;
        dst[i + 3 * stride] = e;
    }
    for (; i < n4; i += stride) dst[i] = src[i];
}

extern "C" __global__ void write_f4(float4 *__restrict__ dst, long long n4, float v)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    const float4 c = make_float4(v, v, v, v);
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n4; i += stride) dst[i] = c;
}

extern "C" __global__ void read_sum(const float4 *__restrict__ src, long long n4, float *out)
{
    const long long stride = (long long)gridDim.x * blockDim.x;
    long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
    for (; i + 3 * stride < n4; i += 4 * stride) {
        const float4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], e = src[i + 3 * stride];
        s0 += (a.x + a.y) + (a.z + a.w);
        s1 += (b.x + b.y) + (b.z + b.w);
        s2 += (c.x + c.y) + (c.z + c.w);
        s3 += (e.x + e.y) + (e.z + e.w);
    }
    for (; i < n4; i += stride) {
        const float4 a = src[i];
        s0 += (a.x + a.y) + (a.z + a.w);
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = (s0 + s1) + (s2 + s3);
}

/* The same work in the gradient's access pattern: each block streams one contiguous chunk, eight
 * 16-byte loads per thread in flight. On an H200 the grid-stride read_sum (blocks interleaved over
 * the whole buffer) measured 3840 GB/s while the d = 1024 gradient read 4314 GB/s: a probe below
 * what a kernel reaches is no ceiling. The host times both patterns and keeps the higher. */
#define CHUNK_U 8
/* This block's contiguous chunk [lo, hi) of n4 float4s, and this thread's first index in it */
#define CHUNK_SPAN(n4, lo, hi, i)                                                                      \
    const long long per_ = ((n4) + gridDim.x - 1) / gridDim.x;                                         \
    const long long lo = blockIdx.x * per_, hi = min((long long)(n4), lo + per_);                      \
    long long i = lo + threadIdx.x
/* i advances by CHUNK_U block-strided float4s while all of them lie below hi */
#define CHUNK_FULL(i, hi) for (; i + (CHUNK_U - 1) * (long long)blockDim.x < (hi); i += CHUNK_U * (long long)blockDim.x)
extern "C" __global__ void __launch_bounds__(256) read_chunk(const float4 *__restrict__ src, long long n4, float *out)
{
    CHUNK_SPAN(n4, lo, hi, i);
    float s[CHUNK_U];
#pragma unroll
    for (int u = 0; u < CHUNK_U; u++) s[u] = 0.f;
    CHUNK_FULL(i, hi) {
        float4 v[CHUNK_U];
#pragma unroll
        for (int u = 0; u < CHUNK_U; u++) v[u] = src[i + u * blockDim.x];
#pragma unroll
        for (int u = 0; u < CHUNK_U; u++) s[u] += (v[u].x + v[u].y) + (v[u].z + v[u].w);
    }
    for (; i < hi; i += blockDim.x) {
        const float4 a = src[i];
        s[0] += (a.x + a.y) + (a.z + a.w);
    }
    float t = 0.f;
#pragma unroll
    for (int u = 0; u < CHUNK_U; u++) t += s[u];
    out[blockIdx.x * blockDim.x + threadIdx.x] = t;
}

extern "C" __global__ void __launch_bounds__(256) copy_chunk(const float4 *__restrict__ src, float4 *__restrict__ dst, long long n4)
{
    CHUNK_SPAN(n4, lo, hi, i);
    CHUNK_FULL(i, hi) {
        float4 v[CHUNK_U];
#pragma unroll
        for (int u = 0; u < CHUNK_U; u++) v[u] = src[i + u * blockDim.x];
#pragma unroll
        for (int u = 0; u < CHUNK_U; u++) dst[i + u * blockDim.x] = v[u];
    }
    for (; i < hi; i += blockDim.x) dst[i] = src[i];
}

// Sparse rows (CSR): grad_rows_sparse, run_steps_sparse, losses_sparse, written once for both languages.
#include "sparse.h"
