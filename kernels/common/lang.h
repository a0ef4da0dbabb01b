/*
 * descent — what differs between the kernel languages, named once: function qualifiers, the maths
 * functions, and the address space of a kernel's buffer arguments (GLOBAL).
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
#endif

#endif /* DESCENT_LANG_H */
