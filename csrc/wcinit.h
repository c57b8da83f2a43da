/* wcinit: the public C interface of the core.  C11, no Python.
 *
 * The core fills memory with element-addressed random numbers: the value at
 * logical (row-major) index i of a fill depends only on the seed, the stream,
 * the generator offset reserved for the call, i, the sampler and its
 * parameters.  See README.md ("The reproducibility contract") for the exact
 * mapping of indices to Philox counters.
 */
#ifndef WCINIT_H
#define WCINIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Philox4x32-10 -------------------------------------------------------- */

/* One block of Philox4x32-10 (the scalar reference). */
void wc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Elements of one tile.  Every sampler works on tiles of 16 Philox blocks:
 * a tile holds WC_TILE32 elements computed in float (1 word each) or
 * WC_TILE64 elements computed in double (2 words each).  Element e of tile t
 * uses block (offset + 16*t + e % 16) and word(s) e / 16 (float) or
 * 2*(e/16), 2*(e/16)+1 (double, low word first). */
#define WC_TILE_BLOCKS 16
#define WC_TILE32 64
#define WC_TILE64 32

/* ---- dtypes and samplers -------------------------------------------------- */

typedef enum {
    WC_F32 = 0,
    WC_F64 = 1,
    WC_F16 = 2,
    WC_BF16 = 3
} wc_dtype;

typedef enum {
    WC_UNIFORM = 0,     /* U[a, b]                                              */
    WC_NORMAL = 1,      /* N(mean, std^2) by inverse CDF                        */
    WC_TRUNC_MID = 2,   /* truncated normal, interval of moderate tail depth    */
    WC_TRUNC_TAIL = 3,  /* truncated normal, interval deep in one tail          */
    WC_RAW = 4          /* raw uint32 words (f32 dtype slot reinterpreted); tests, dieharder */
} wc_dist;

/* The samplers a caller chooses from (the glue exports them by name as
 * wcinit._core.SAMPLERS); each maps to wc_params_* below. */
typedef enum {
    WC_SAMPLER_UNIFORM = 0,      /* wc_params_uniform(a, b)                    */
    WC_SAMPLER_NORMAL = 1,       /* wc_params_normal(mean, std)                */
    WC_SAMPLER_TRUNC_NORMAL = 2, /* wc_params_trunc_normal(mean, std, a, b)    */
    WC_SAMPLER_COUNT
} wc_sampler;

/* Parameters of one fill, prepared once per call by wc_params_* below. */
typedef struct {
    wc_dist dist;
    double a, b;          /* uniform bounds; normal/trunc: mean, std          */
    double lo, hi;        /* output clamp (uniform, trunc)                    */
    double p_lo, q_hi, z; /* TRUNC_MID: Phi(alpha), Phi(-beta), Phi(beta)-Phi(alpha) */
    double lq0, w;        /* TRUNC_TAIL: log Phi(-alpha'), 1 - exp(lq(beta')-lq0) */
    double sign;          /* TRUNC_*: +1, or -1 when the interval was reflected */
    /* uniform, trunc: the output clamp per wc_dtype, [lo, hi] rounded inward to
     * that dtype's values, so that every stored value lies in [a, b] */
    double lo_dt[4], hi_dt[4];
    /* UNIFORM into float16/bfloat16 (kern.h): nmode 0, 1 x = nc + s nh in float;
     * nmode 2 in double from a and b */
    float nc, nh;
    int nmode;
} wc_params;

/* Generator position of one call: key = seed, counter = (block, stream). */
typedef struct {
    uint64_t seed;
    uint64_t stream;
    uint64_t offset;      /* first Philox block of this call */
} wc_rng;

/* ---- generator state (rng.c) ------------------------------------------------ */

/* A generator: (seed, stream, offset, spawned).  offset is the next free
 * Philox block; spawned counts the child streams handed out by wc_gen_spawn.
 * Reservations (wc_gen_reserve) and spawns are atomic among themselves, so
 * any number of threads may fill and spawn from one generator at once.
 * Re-seeding and wc_gen_set_state are not atomic with respect to them: the
 * caller serializes those (the Python glue holds the GIL). */
typedef struct {
    uint64_t seed;
    uint64_t stream;
    uint64_t offset;   /* accessed atomically */
    uint64_t spawned;  /* accessed atomically */
} wc_generator;

/* torch's default CPU seed (c10::detail::default_rng_seed_val): a fresh
 * generator with no seed starts where a fresh torch.Generator does. */
#define WC_DEFAULT_SEED UINT64_C(67280421310721)

/* g = (seed, stream, offset 0, spawned 0). */
void wc_gen_init(wc_generator *g, uint64_t seed, uint64_t stream);
/* Reserve nblocks Philox blocks: *rng = (seed, stream, first block).
 * Returns 0, or -1 (g unchanged) when the 2^64-block counter would wrap. */
int wc_gen_reserve(wc_generator *g, uint64_t nblocks, wc_rng *rng);
/* Hand out n child generators (children[0..n)): the same seed, the streams
 * of child indices spawned+1 .. spawned+n, reserved atomically.  The stream of
 * child k is splitmix64(stream ^ splitmix64(k)).  Returns 0, or -1 (g
 * unchanged) when the spawn counter would wrap. */
int wc_gen_spawn(wc_generator *g, uint64_t n, wc_generator *children);
/* 64 bits of operating-system entropy (getrandom, else /dev/urandom). */
uint64_t wc_entropy_seed(void);

/* Serialized state: little-endian magic "wcPhx2\0\0", seed, stream, offset,
 * spawned.  wc_gen_set_state also reads the 32-byte state of wcinit 0.1
 * (magic "wcPhx1\0\0", no spawn counter: restored as spawned = 0, which is
 * what 0.1 itself did).  It returns 0, -1 for a wrong length, -2 for a wrong
 * magic; on error g is unchanged. */
#define WC_GEN_STATE_BYTES 40
#define WC_GEN_STATE_BYTES_V1 32
void wc_gen_get_state(const wc_generator *g, unsigned char out[WC_GEN_STATE_BYTES]);
int wc_gen_set_state(wc_generator *g, const unsigned char *state, size_t len);

/* ---- memory layout (overlap.c) ---------------------------------------------- */

/* Whether two elements of a strided array share a byte: shape[ndim], strides
 * in bytes (any sign), itemsize > 0.  Exact: returns 0 (no two elements
 * overlap) or 1 (some do), or -1 when it cannot decide within max_elems:
 * after the cheap nested-stride test, only the inner dims that fail it are
 * enumerated, and -1 means their element count exceeds max_elems or the
 * scratch memory could not be allocated.  Spans beyond int64 count as
 * overlapping. */
int wc_self_overlap(int ndim, const int64_t *shape, const int64_t *strides, int64_t itemsize,
                    uint64_t max_elems);

/* Returns 0, or a negative code when the parameters are not acceptable. */
int wc_params_uniform(wc_params *p, double a, double b);
int wc_params_normal(wc_params *p, double mean, double std);
int wc_params_trunc_normal(wc_params *p, double mean, double std, double a, double b);

/* Blocks that a fill of n elements of dtype dt reserves (whole tiles). */
uint64_t wc_blocks_for(uint64_t n, wc_dtype dt);

/* Fill out[0..n) (contiguous) with logical elements start..start+n-1. */
void wc_fill_contiguous(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                        uint64_t start, size_t n, void *out);

/* Fill the logical elements [lo, hi) (row-major) of an n-d strided array:
 * shape[ndim] (ndim <= 64), strides in bytes (may be negative or zero-free),
 * data points at the element with all indices 0.  Logical element i takes the
 * value of counter index start + i: start is the index of element (0, ..., 0)
 * within a larger tensor (0 for a whole array, the shard's offset for a shard).
 * nthreads <= 1 runs on the calling thread.  Extra memory is O(1). */
void wc_fill_strided(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                     char *data, int ndim, const int64_t *shape, const int64_t *strides,
                     uint64_t start, uint64_t lo, uint64_t hi, int nthreads);

/* Size of one element of dt in bytes. */
size_t wc_dtype_size(wc_dtype dt);

/* ---- SIMD dispatch -------------------------------------------------------- */

typedef enum { WC_ISA_SCALAR = 0, WC_ISA_AVX2 = 1, WC_ISA_AVX512 = 2 } wc_isa;

/* The best path this CPU supports. */
wc_isa wc_isa_best(void);
/* The path in use; wc_isa_set fails (-1) if the CPU lacks it. */
wc_isa wc_isa_get(void);
int wc_isa_set(wc_isa isa);
const char *wc_isa_name(wc_isa isa);

/* ---- threads ---------------------------------------------------------------- */

int wc_num_threads(void);
void wc_set_num_threads(int n);
int wc_cpu_count(void);
/* Run fn(ctx, part) for part in [0, nparts) on the pool (the caller does part 0).
 * If the pool is busy with another caller's job, runs all parts on the caller. */
void wc_parallel_for(int nparts, void (*fn)(void *ctx, int part), void *ctx);

/* ---- rules: fans, gains, scales ------------------------------------------- */

typedef enum {
    WC_NL_LINEAR = 0, WC_NL_CONV1D, WC_NL_CONV2D, WC_NL_CONV3D,
    WC_NL_CONV_TRANSPOSE1D, WC_NL_CONV_TRANSPOSE2D, WC_NL_CONV_TRANSPOSE3D,
    WC_NL_SIGMOID, WC_NL_TANH, WC_NL_RELU, WC_NL_LEAKY_RELU, WC_NL_SELU,
    WC_NL_COUNT
} wc_nonlinearity;
/* torch.nn.init.calculate_gain's name of each nonlinearity (the glue exports
 * the table as wcinit._core.NONLINEARITIES). */
#define WC_NL_NAMES {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", \
                     "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu", \
                     "leaky_relu", "selu"}

/* fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]).
 * Returns 0, -1 if ndim < 2, -2 on overflow of int64. */
int wc_fans(int ndim, const int64_t *shape, int64_t *fan_in, int64_t *fan_out);
/* Gain of a nonlinearity; slope is leaky_relu's negative slope. */
double wc_gain(wc_nonlinearity nl, double slope);
/* std = gain * sqrt(2 / (fan_in + fan_out)) */
double wc_xavier_std(double gain, int64_t fan_in, int64_t fan_out);
/* std = gain / sqrt(fan) */
double wc_kaiming_std(double gain, int64_t fan);
/* bound of U(-bound, bound) with the given std: sqrt(3) * std */
double wc_uniform_bound(double std);

/* ---- sparse ------------------------------------------------------------------ */

/* For each column j of a rows x cols matrix, choose exactly nzero distinct rows,
 * uniformly at random (Floyd's sampling, O(nzero) per column), and write
 * element 0 (of dtype dt) there.  Draw d of column j is the 64-bit Philox word
 * at logical index j*rows + d (d < nzero) of the call's counter range (float64
 * tiles of rows*cols elements are reserved), so the result does not depend on
 * nparts, the number of column ranges run on the pool.  scratch must hold
 * nparts * 3 * rows uint64_t. */
void wc_sparse_zero_columns(const wc_rng *rng, wc_dtype dt, char *data,
                            int64_t rows, int64_t cols, int64_t s0, int64_t s1,
                            int64_t nzero, uint64_t *scratch, int nparts);

#ifdef __cplusplus
}
#endif
#endif
