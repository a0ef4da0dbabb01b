/*
 * descent — what differs between the kernel languages, named once: function qualifiers, the maths
 * functions, the address space of a kernel's buffer arguments (GLOBAL), and for kernels written
 * once for both (sparse.h) the kernel qualifier (D_KERNEL), a work-item's global index (D_GID:
 * a CUDA launch rounds up to whole blocks, so such a kernel guards its index) and a 64-bit int.
 */
#ifndef DESCENT_LANG_H
#define DESCENT_LANG_H

#if defined(__CUDACC__)
#define DESCENT_FN static __device__ __forceinline__
#define GLOBAL
#define D_EXP(x) expf(x)
#define D_LOG1P(x) log1pf(x)
#define D_LOG(x) logf(x)
#define D_FABS(x) fabsf(x)
#define D_SQRT(x) sqrtf(x)
#define D_FMAX(a, b) fmaxf(a, b)
#define D_ISFINITE(x) isfinite(x)
#define D_POWN(x, n) powf(x, (float)(n))
#define D_KERNEL extern "C" __global__ void
#define D_GID ((int)(blockIdx.x * blockDim.x + threadIdx.x))
#define D_LONG long long
#define D_MIN(a, b) min(a, b)
#else /* OpenCL C */
#define DESCENT_FN static inline
#define GLOBAL global
#define D_EXP(x) exp(x)
#define D_LOG1P(x) log1p(x)
#define D_LOG(x) log(x)
#define D_FABS(x) fabs(x)
#define D_SQRT(x) sqrt(x)
#define D_FMAX(a, b) fmax(a, b)
#define D_ISFINITE(x) isfinite(x)
#define D_POWN(x, n) pown(x, n)
#define D_KERNEL kernel void
#define D_GID ((int)get_global_id(0))
#define D_LONG long
#define D_MIN(a, b) min(a, b)
#endif

#endif /* DESCENT_LANG_H */
