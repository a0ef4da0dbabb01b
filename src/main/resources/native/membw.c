/* membw.c: the native memory-bandwidth probe, the arbiter of descent's ceilings.
 *
 * Measures what the host's memory can give to plain, vectorized C on every core: a read (sum of
 * 64-bit integers, bytes read / time), a write (a constant stored, bytes written / time) and a copy
 * (bytes read + bytes written / time, the STREAM convention). Each thread owns a contiguous slice
 * of each buffer and touches it first, so its pages sit on that thread's memory node. One repetition
 * runs all threads between two barriers; its time is the slowest thread's. Reported per probe: every
 * repetition's GB/s (the best of them is the ceiling, the rest is its spread).
 *
 * Build: gcc -O3 -march=native -pthread membw.c -o membw   (descent does this at first use)
 * Run:   ./membw BYTES REPS [THREADS]   prints one JSON object on stdout
 *
 * The read loop keeps 8 independent accumulators so the compiler emits wide loads with no
 * dependency chain on one register; integer adds need no -ffast-math to vectorize. The sum is
 * checked against the known contents so the compiler cannot drop the loads. The write uses
 * non-temporal (streaming) stores where AVX is present: plain stores first read each line for
 * ownership, which halved the write figure on the development machine (10.5 vs 19 GB/s, one
 * thread); the copy keeps plain stores (the compiler's memcpy-like loop; streaming measured the same).
 *
 * TODO(general): NUMA placement beyond first touch; huge pages.
 */
#define _GNU_SOURCE
#include <pthread.h>
#ifdef __AVX__
#include <immintrin.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum probe { READ, WRITE, COPY, PROBES };
static const char *NAMES[PROBES] = {"read", "write", "copy"};

typedef struct {
    int id;
    size_t lo, hi;              /* this thread's slice, in uint64 elements */
    uint64_t sum;               /* read result, checked */
} slice_t;

static uint64_t *src;           /* (n) read by read and copy */
static uint64_t *dst;           /* (n) written by write and copy */
static size_t n;
static int threads, reps;
static pthread_barrier_t start_line, finish_line;
static volatile enum probe current;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t read_slice(const uint64_t *restrict a, size_t lo, size_t hi)
{
    uint64_t s[8] = {0};
    size_t i = lo;
    for (; i + 8 <= hi; i += 8)
        for (int k = 0; k < 8; ++k) s[k] += a[i + k];
    for (; i < hi; ++i) s[0] += a[i];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

static void write_slice(uint64_t *restrict a, size_t lo, size_t hi, uint64_t v)
{
    for (size_t i = lo; i < hi; ++i) a[i] = v;
}

/* A constant stored past the caches: slices are whole 64-byte lines of a 4096-aligned buffer. */
static void stream_slice(uint64_t *restrict a, size_t lo, size_t hi, uint64_t v)
{
#ifdef __AVX__
    const __m256i c = _mm256_set1_epi64x((long long)v);
    for (size_t i = lo; i < hi; i += 4) _mm256_stream_si256((__m256i *)(a + i), c);
    _mm_sfence();
#else
    write_slice(a, lo, hi, v);
#endif
}

static void copy_slice(uint64_t *restrict d, const uint64_t *restrict s, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; ++i) d[i] = s[i];
}

static void *worker(void *arg)
{
    slice_t *sl = arg;
    write_slice(src, sl->lo, sl->hi, 1);        /* first touch by the owner */
    write_slice(dst, sl->lo, sl->hi, 0);
    for (;;) {
        pthread_barrier_wait(&start_line);
        enum probe p = current;
        if (p == PROBES) return NULL;
        if (p == READ) sl->sum = read_slice(src, sl->lo, sl->hi);
        else if (p == WRITE) stream_slice(dst, sl->lo, sl->hi, (uint64_t)sl->id + 2);
        else copy_slice(dst, src, sl->lo, sl->hi);
        pthread_barrier_wait(&finish_line);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: membw BYTES REPS [THREADS]\n");
        return 2;
    }
    size_t bytes = strtoull(argv[1], NULL, 10);
    reps = atoi(argv[2]);
    threads = argc > 3 ? atoi(argv[3]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    if (reps < 1) reps = 1;
    n = bytes / 8 / threads / 8 * threads * 8;      /* whole 64-byte lines per thread */
    if (n == 0 || posix_memalign((void **)&src, 4096, n * 8) || posix_memalign((void **)&dst, 4096, n * 8)) {
        fprintf(stderr, "membw: cannot allocate 2 x %zu bytes\n", n * 8);
        return 1;
    }
    pthread_barrier_init(&start_line, NULL, threads + 1);
    pthread_barrier_init(&finish_line, NULL, threads + 1);
    pthread_t tid[threads];
    slice_t sl[threads];
    for (int t = 0; t < threads; ++t) {
        sl[t] = (slice_t){t, n / threads * t, n / threads * (t + 1), 0};
        pthread_create(&tid[t], NULL, worker, &sl[t]);
    }
    double gbs[PROBES][reps];
    int bad = 0;
    for (int r = -1; r < reps; ++r) {                /* r = -1: a warm-up round, not reported */
        for (int p = 0; p < PROBES; ++p) {
            current = p;
            pthread_barrier_wait(&start_line);
            double t0 = now();
            pthread_barrier_wait(&finish_line);
            double t = now() - t0;
            if (p == READ) {
                uint64_t total = 0;
                for (int k = 0; k < threads; ++k) total += sl[k].sum;
                if (total != n) bad = 1;
            }
            if (r >= 0) gbs[p][r] = (p == COPY ? 2.0 : 1.0) * n * 8 / t / 1e9;
        }
    }
    current = PROBES;
    pthread_barrier_wait(&start_line);
    for (int t = 0; t < threads; ++t) pthread_join(tid[t], NULL);
    if (bad || dst[n - 1] != 1) {
        fprintf(stderr, "membw: the probe read or copied wrong values\n");
        return 1;
    }
#ifdef __AVX__
    const char *stores = "streaming";
#else
    const char *stores = "plain";
#endif
    printf("{\"probe\": \"membw.c (%s write stores)\", \"bytes\": %zu, \"threads\": %d", stores, n * 8, threads);
    for (int p = 0; p < PROBES; ++p) {
        printf(", \"%s_gbs\": [", NAMES[p]);
        for (int r = 0; r < reps; ++r) printf("%s%.4f", r ? ", " : "", gbs[p][r]);
        printf("]");
    }
    printf("}\n");
    return 0;
}
