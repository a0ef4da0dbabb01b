/*
 * descent — what differs between the kernel languages, named once: function qualifiers, the maths
 * functions, the address space of a kernel's buffer arguments (GLOBAL), and for kernels written
 * once for both (sparse.h) the kernel qualifier (D_KERNEL), a work-item's global index (D_GID:
 * a CUDA launch rounds up to whole blocks, so such a kernel guards its index) and a 64-bit int;
 * for work-group kernels the item's index in its group (D_LID), the group's size and index
 * (D_LSIZE, D_GROUP), a barrier that also orders global memory within the group (D_BARRIER),
 * group-shared arrays (D_SHARED; LOCAL for a pointer to one) and an atomic or on a shared int.
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
#define D_LID ((int)threadIdx.x)
#define D_LSIZE ((int)blockDim.x)
#define D_GROUP ((int)blockIdx.x)
#define D_BARRIER __syncthreads()
#define D_SHARED(type, name, n) __shared__ type name[n]
#define LOCAL
#define D_ATOMIC_OR_LOCAL(p, v) atomicOr(p, v)
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
#define D_LID ((int)get_local_id(0))
#define D_LSIZE ((int)get_local_size(0))
#define D_GROUP ((int)get_group_id(0))
#define D_BARRIER barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)
#define D_SHARED(type, name, n) local type name[n]
#define LOCAL local
#define D_ATOMIC_OR_LOCAL(p, v) atomic_or(p, v)
#endif

#endif /* DESCENT_LANG_H */
