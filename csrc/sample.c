/* Sampler parameters and the fill drivers: contiguous and strided memory,
 * split over the thread pool by logical element index.  The per-element
 * work is in kern.h (one source, compiled per ISA). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "wmath.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h> /* SSE2: baseline on x86-64, no ISA flag needed */
#define WC_HAVE_NT 1
#endif

size_t wc_dtype_size(wc_dtype dt)
{
    return dt == WC_F64 ? 8 : dt == WC_F32 ? 4 : 2;
}

uint64_t wc_blocks_for(uint64_t n, wc_dtype dt)
{
    uint64_t T = dt == WC_F64 ? WC_TILE64 : WC_TILE32;
    return ((n / T) + (n % T != 0)) * WC_TILE_BLOCKS;
}

static void params_clear(wc_params *p, wc_dist d)
{
    memset(p, 0, sizeof *p);
    p->dist = d;
    p->sign = 1.0;
}

/* ---- values of each dtype, for the inward-rounded bounds ---------------------
 * A finite value's magnitude bits (sign cleared) increase with its magnitude in
 * every IEEE format, so the neighbours of a value are its bits +- 1. */

static const uint32_t mag_inf[4] = {0x7f800000u, 0, 0x7c00u, 0x7f80u}; /* by wc_dtype; f64 unused */

static double mag_value(wc_dtype dt, uint32_t m)
{
    if (m >= mag_inf[dt])
        return INFINITY;
    if (dt == WC_F16)
        return m < 0x400u ? ldexp((double)m, -24)
                          : ldexp((double)(0x400u | (m & 0x3ffu)), (int)(m >> 10) - 25);
    uint32_t bits = dt == WC_BF16 ? m << 16 : m;
    float f;
    memcpy(&f, &bits, sizeof f);
    return (double)f;
}

/* The bits of the largest magnitude of dt that is <= a (a >= 0, not NaN). */
static uint32_t mag_trunc(wc_dtype dt, double a)
{
    if (dt == WC_F16) {
        if (a >= 65504.0)
            return a == INFINITY ? 0x7c00u : 0x7bffu;
        if (a < 0x1p-14)
            return (uint32_t)floor(a * 0x1p24); /* subnormal steps of 2^-24; exact */
        int e;
        frexp(a, &e); /* a in [2^(e-1), 2^e) */
        uint32_t q = (uint32_t)floor(ldexp(a, 11 - e)); /* in [1024, 2048) */
        return (uint32_t)(e + 14) * 0x400u + (q - 0x400u);
    }
    float f = (float)a; /* rounded to nearest: step back when it rounded up */
    if ((double)f > a)
        f = nextafterf(f, 0.0f);
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return dt == WC_BF16 ? bits >> 16 : bits; /* bfloat16: truncate the float */
}

/* The largest value of dt that is <= x (x not NaN; may be -inf or +inf). */
static double dt_floor(wc_dtype dt, double x)
{
    if (dt == WC_F64)
        return x;
    if (x >= 0.0)
        return mag_value(dt, mag_trunc(dt, x));
    uint32_t m = mag_trunc(dt, -x);
    if (mag_value(dt, m) != -x)
        m++; /* may reach infinity */
    return -mag_value(dt, m);
}

static double dt_ceil(wc_dtype dt, double x) { return -dt_floor(dt, -x); }

/* The value of dt nearest to x (ties: the one of even bits, as IEEE). */
static double dt_nearest(wc_dtype dt, double x)
{
    double lo = dt_floor(dt, x), hi = dt_ceil(dt, x);
    if (x - lo != hi - x)
        return x - lo < hi - x ? lo : hi;
    return (mag_trunc(dt, fabs(lo)) & 1u) ? hi : lo;
}

/* The output clamp of every dtype: [a, b] rounded inward to the dtype's values.
 * When [a, b] holds no value of the dtype (a narrow interval between two
 * neighbours), every output is the dtype's value nearest to its midpoint. */
static void params_clamp(wc_params *p, double a, double b)
{
    for (int d = 0; d < 4; d++) {
        double lo = dt_ceil((wc_dtype)d, a), hi = dt_floor((wc_dtype)d, b);
        if (lo > hi)
            lo = hi = dt_nearest((wc_dtype)d, a * 0.5 + b * 0.5);
        p->lo_dt[d] = lo;
        p->hi_dt[d] = hi;
    }
}

int wc_params_uniform(wc_params *p, double a, double b)
{
    if (!(a <= b) || !isfinite(a) || !isfinite(b))
        return -1;
    params_clear(p, WC_UNIFORM);
    p->a = a;
    p->b = b;
    p->lo = a;
    p->hi = b;
    params_clamp(p, a, b);
    /* float16/bfloat16 (kern.h): the 31 or 32 bits of the word are placed so
     * that the finest steps fall where those dtypes' values are densest, near 0 */
    if (a >= 0.0 || b <= 0.0) {
        double near = fabs(a) <= fabs(b) ? a : b, far = fabs(a) <= fabs(b) ? b : a;
        p->nmode = 0;
        p->nh = (float)((far - near) * 0x1p-31);
        p->nc = (float)(near + 0.5 * (double)p->nh);
    } else if (a == -b) {
        p->nmode = 1;
        p->nh = (float)(b * 0x1p-31);
        p->nc = 0.5f * p->nh;
    } else {
        p->nmode = 2;
    }
    return 0;
}

int wc_params_normal(wc_params *p, double mean, double std)
{
    if (!(std >= 0.0) || !isfinite(std) || !isfinite(mean))
        return -1;
    params_clear(p, WC_NORMAL);
    p->a = mean;
    p->b = std;
    return 0;
}

/* Depth beyond which the interval is sampled in log space (WC_TRUNC_TAIL):
 * Phi(-alpha) is ~ 1e-99 at 21, so the linear-space formulas still have full
 * precision below it and the log-space ones above it. */
#define WC_TAIL_DEPTH 21.0
/* Depth beyond which alpha^2 nears overflow and the spread of the values
 * (std / alpha) is negligible against the bound: fill with the bound. */
#define WC_COLLAPSE_DEPTH 1e150

int wc_params_trunc_normal(wc_params *p, double mean, double std, double a, double b)
{
    if (!(std > 0.0) || !isfinite(std) || !isfinite(mean) || isnan(a) || isnan(b) || !(a <= b))
        return -1;
    double alpha = (a - mean) / std, beta = (b - mean) / std;
    params_clear(p, WC_TRUNC_MID);
    p->a = mean;
    p->b = std;
    p->lo = a;
    p->hi = b;
    params_clamp(p, a, b);
    /* An interval wholly below the mean is reflected to the upper side, so
     * that only the case alpha >> 0 needs log space. */
    if (beta <= 0.0) {
        double t = alpha;
        alpha = -beta;
        beta = -t;
        p->sign = -1.0;
    }
    if (alpha > WC_COLLAPSE_DEPTH) {
        double edge = p->sign > 0 ? a : b; /* the bound nearest the mean */
        if (isinf(edge))
            return -1; /* a == b == +-inf: no mass to sample */
        /* The values are edge + std E / alpha with E ~ Exp(1): within
         * 1e-150 std of the bound, which they equal unless |edge| is itself
         * below ~1e-134 std.  Filled with the bound.  (Also covers alpha = inf
         * from a std that underflows the division.) */
        params_clear(p, WC_UNIFORM);
        p->a = p->b = p->lo = p->hi = edge;
        params_clamp(p, a, b); /* the stored bound: inside [a, b] */
        return 0;
    }
    if (alpha >= WC_TAIL_DEPTH) {
        p->dist = WC_TRUNC_TAIL;
        double lqa = wc_log_ndtr(-alpha);
        double lqb = wc_log_ndtr(-beta); /* -inf when beta is +inf */
        p->lq0 = lqa;
        double r = (beta == INFINITY) ? 0.0 : wc_exp(lqb - lqa);
        p->w = 1.0 - r;
        return 0;
    }
    /* Phi(alpha), Phi(-beta) and the mass between them, all without cancellation */
    double pa = wc_ndtr(alpha);
    double qb = wc_ndtr(-beta);
    double z;
    if (alpha > 0.0)
        z = wc_ndtr(-alpha) - qb;          /* both upper tails */
    else if (beta < 0.0)
        z = wc_ndtr(beta) - pa;            /* both lower tails */
    else
        z = 1.0 - pa - qb;
    p->p_lo = pa;
    p->q_hi = qb;
    p->z = z;
    return 0;
}

/* ---- fill drivers ---------------------------------------------------------- */

void wc_fill_contiguous(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                        uint64_t start, size_t n, void *out)
{
    wc_kernel_current()(rng, p, dt, start, n, out);
}

/* ---- streaming stores ---------------------------------------------------------
 * A contiguous fill of more bytes than wc_nt_threshold (cpu.c: opt-in, e.g.
 * the last-level cache size) is computed in chunks into an aligned buffer in L1 and copied out with
 * non-temporal stores of whole 64-byte lines, which skip the read for
 * ownership.  The kernel, and so every bit, is the same; only the stores differ.
 * Chunks end on tile boundaries (no tile computed twice); the bytes of a
 * chunk's last, partial line are carried to the front of the buffer for the
 * next chunk, so every line but the array's first and last is streamed whole.
 * The elements before the first line boundary are written by the kernel in
 * place (ordinary stores); an sfence orders the streamed lines before the
 * part returns (the pool's join then publishes them). */
#define WC_NT_LINE 64
#define WC_NT_BYTES 8192 /* chunk bytes: the buffer stays in L1 */

#if WC_HAVE_NT
static void nt_lines(char *dst, const char *src, size_t nlines) /* both 64-aligned */
{
    for (size_t l = 0; l < nlines; l++, dst += WC_NT_LINE, src += WC_NT_LINE) {
        __m128i a = _mm_load_si128((const __m128i *)src), b = _mm_load_si128((const __m128i *)src + 1),
                c = _mm_load_si128((const __m128i *)src + 2), d = _mm_load_si128((const __m128i *)src + 3);
        _mm_stream_si128((__m128i *)dst, a);
        _mm_stream_si128((__m128i *)dst + 1, b);
        _mm_stream_si128((__m128i *)dst + 2, c);
        _mm_stream_si128((__m128i *)dst + 3, d);
    }
}
#endif

static void fill_nt(wc_kernel_fn kern, const wc_rng *rng, const wc_params *p, wc_dtype dt,
                    uint64_t start, size_t n, char *out)
{
#if WC_HAVE_NT
    const size_t es = wc_dtype_size(dt);
    const uint64_t T = dt == WC_F64 ? WC_TILE64 : WC_TILE32;
    if ((uintptr_t)out % es != 0) {
        kern(rng, p, dt, start, n, out);
        return;
    }
    /* head: up to the first line boundary, in place */
    size_t head = (size_t)((WC_NT_LINE - (uintptr_t)out % WC_NT_LINE) % WC_NT_LINE) / es;
    if (head >= n) {
        kern(rng, p, dt, start, n, out);
        return;
    }
    if (head) {
        kern(rng, p, dt, start, head, out);
        out += head * es;
        start += head;
        n -= head;
    }
    _Alignas(64) char buf[WC_NT_BYTES + WC_NT_LINE];
    size_t carry = 0; /* bytes at buf[0..carry) not yet written, < 64 */
    const uint64_t chunk_tiles = WC_NT_BYTES / (T * es);
    uint64_t i = start, end = start + n;
    while (i < end) {
        uint64_t stop = (i / T + chunk_tiles) * T; /* a tile boundary */
        if (stop > end)
            stop = end;
        size_t k = (size_t)(stop - i);
        kern(rng, p, dt, i, k, buf + carry);
        size_t bytes = carry + k * es, whole = bytes / WC_NT_LINE * WC_NT_LINE;
        nt_lines(out, buf, whole / WC_NT_LINE);
        out += whole;
        carry = bytes - whole;
        memmove(buf, buf + whole, carry);
        i = stop;
    }
    memcpy(out, buf, carry);
    _mm_sfence();
#else
    kern(rng, p, dt, start, n, out);
#endif
}

typedef struct {
    const wc_rng *rng;
    const wc_params *p;
    wc_kernel_fn kern;
    wc_dtype dt;
    char *data;
    int ndim;
    const int64_t *shape;
    const int64_t *strides;
    uint64_t start, lo, n; /* fill logical [lo, lo + n) */
    int nparts, contiguous, nt;
} fill_job;

#define WC_CHUNK 256 /* elements per strided chunk (a multiple of both tiles) */

static void fill_part(void *ctx, int part)
{
    const fill_job *j = (const fill_job *)ctx;
    const uint64_t align = WC_CHUNK;
    uint64_t lo = j->lo + (j->n / align) * (uint64_t)part / (uint64_t)j->nparts * align;
    uint64_t hi = part + 1 == j->nparts
                      ? j->lo + j->n
                      : j->lo + (j->n / align) * (uint64_t)(part + 1) / (uint64_t)j->nparts * align;
    if (lo >= hi)
        return;
    const size_t es = wc_dtype_size(j->dt);
    if (j->contiguous) {
        if (j->nt)
            fill_nt(j->kern, j->rng, j->p, j->dt, j->start + lo, (size_t)(hi - lo), j->data + lo * es);
        else
            j->kern(j->rng, j->p, j->dt, j->start + lo, (size_t)(hi - lo), j->data + lo * es);
        return;
    }
    /* strided: multi-index of lo (row-major), then chunks through a buffer */
    int64_t idx[64];
    uint64_t rem = lo;
    char *ptr = j->data;
    for (int d = j->ndim - 1; d >= 0; d--) {
        idx[d] = (int64_t)(rem % (uint64_t)j->shape[d]);
        rem /= (uint64_t)j->shape[d];
        ptr += idx[d] * j->strides[d];
    }
    const int last = j->ndim - 1;
    const int64_t inner = j->shape[last], sl = j->strides[last];
    _Alignas(64) char buf[WC_CHUNK * 8];
    uint64_t i = lo;
    while (i < hi) {
        size_t k = (size_t)(hi - i < WC_CHUNK ? hi - i : WC_CHUNK);
        j->kern(j->rng, j->p, j->dt, j->start + i, k, buf);
        const char *src = buf;
        size_t left = k;
        while (left > 0) {
            int64_t run = inner - idx[last];
            if ((uint64_t)run > left)
                run = (int64_t)left;
            if (es == 4) {
                for (int64_t r = 0; r < run; r++)
                    memcpy(ptr + r * sl, src + r * 4, 4);
            } else if (es == 8) {
                for (int64_t r = 0; r < run; r++)
                    memcpy(ptr + r * sl, src + r * 8, 8);
            } else {
                for (int64_t r = 0; r < run; r++)
                    memcpy(ptr + r * sl, src + r * 2, 2);
            }
            src += (size_t)run * es;
            left -= (size_t)run;
            idx[last] += run;
            ptr += run * sl;
            /* carry into the outer dimensions */
            for (int d = last; d > 0 && idx[d] == j->shape[d]; d--) {
                ptr -= idx[d] * j->strides[d];
                idx[d] = 0;
                idx[d - 1]++;
                ptr += j->strides[d - 1];
            }
        }
        i += k;
    }
}

/* Fills below this many elements stay on the calling thread. */
#define WC_PARALLEL_MIN (1u << 16)

void wc_fill_strided(const wc_rng *rng, const wc_params *p, wc_dtype dt,
                     char *data, int ndim, const int64_t *shape, const int64_t *strides,
                     uint64_t start, uint64_t lo, uint64_t hi, int nthreads)
{
    uint64_t total = 1;
    for (int d = 0; d < ndim; d++)
        total *= (uint64_t)shape[d];
    if (hi > total)
        hi = total;
    if (lo >= hi)
        return;
    uint64_t n = hi - lo;
    /* Drop unit dimensions and detect C contiguity. */
    int64_t sh[64], st[64];
    int nd = 0;
    for (int d = 0; d < ndim; d++)
        if (shape[d] != 1) {
            sh[nd] = shape[d];
            st[nd] = strides[d];
            nd++;
        }
    if (nd == 0) {
        sh[0] = 1;
        st[0] = (int64_t)wc_dtype_size(dt);
        nd = 1;
    }
    int contiguous = 1;
    int64_t expect = (int64_t)wc_dtype_size(dt);
    for (int d = nd - 1; d >= 0; d--) {
        if (st[d] != expect)
            contiguous = 0;
        expect *= sh[d];
    }
    /* streaming stores when the bytes written exceed the threshold */
    int nt = contiguous && n > wc_nt_threshold() / wc_dtype_size(dt);
    fill_job j = {rng, p, wc_kernel_current(), dt, data, nd, sh, st, start, lo, n, 1, contiguous, nt};
    int parts = nthreads < 1 ? 1 : nthreads;
    uint64_t maxparts = n / WC_PARALLEL_MIN;
    if ((uint64_t)parts > maxparts)
        parts = maxparts < 1 ? 1 : (int)maxparts;
    j.nparts = parts;
    if (parts == 1)
        fill_part(&j, 0);
    else
        wc_parallel_for(parts, fill_part, &j);
}

/* ---- sparse ------------------------------------------------------------------ */

/* Each column's zero rows by Floyd's sampling of nzero distinct rows out of
 * rows (R. W. Floyd, in J. Bentley, "Programming pearls: a sample of
 * brilliance", CACM 30(9), 1987): for d = 0 .. nzero-1, with j = rows -
 * nzero + d, draw t uniform in [0, j]; take t, or j if t is taken already.
 * Every nzero-subset is equally likely, and the work is O(nzero) per column,
 * not O(rows).  Draw d of column c is the 64-bit Philox word of logical
 * element c rows + d of the call's counter range (float64 tiles), so the
 * result does not depend on how the columns are split over threads; t is the
 * high 64 bits of word (j + 1) (a bias below (j + 1) / 2^64). */

/* floor(a b / 2^64) */
static uint64_t mulhi64(uint64_t a, uint64_t b)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

typedef struct {
    const wc_rng *rng;
    wc_dtype dt;
    char *data;
    int64_t rows, cols, s0, s1, nzero;
    uint64_t *scratch; /* 3 * rows per part */
    int nparts;
} sparse_job;

static void sparse_part(void *ctx, int part)
{
    const sparse_job *j = (const sparse_job *)ctx;
    int64_t c0 = j->cols * part / j->nparts, c1 = j->cols * (part + 1) / j->nparts;
    const int64_t rows = j->rows, nz = j->nzero;
    /* scratch: a bitmap of the rows taken (rows / 64 + 1 words), then the draws */
    uint64_t *taken = j->scratch + (size_t)part * 3 * (size_t)rows;
    uint64_t *draws = taken + rows / 64 + 1;
    const size_t es = wc_dtype_size(j->dt);
    static const char zero[8] = {0};
    wc_params raw;
    memset(&raw, 0, sizeof raw);
    raw.dist = WC_RAW;
    memset(taken, 0, (size_t)(rows / 64 + 1) * sizeof *taken);
    for (int64_t c = c0; c < c1; c++) {
        char *col = j->data + c * j->s1;
        if (nz >= rows) {
            for (int64_t r = 0; r < rows; r++)
                memcpy(col + r * j->s0, zero, es);
            continue;
        }
        wc_fill_contiguous(j->rng, &raw, WC_F64, (uint64_t)c * (uint64_t)rows, (size_t)nz, draws);
        for (int64_t d = 0; d < nz; d++) {
            uint64_t jr = (uint64_t)(rows - nz + d);
            uint64_t t = mulhi64(draws[d], jr + 1);
            if (taken[t / 64] >> (t % 64) & 1u)
                t = jr;
            taken[t / 64] |= UINT64_C(1) << (t % 64);
            draws[d] = t;
            memcpy(col + (int64_t)t * j->s0, zero, es);
        }
        for (int64_t d = 0; d < nz; d++) /* clear only the bits set: O(nzero) */
            taken[draws[d] / 64] = 0;
    }
}
void wc_sparse_zero_columns(const wc_rng *rng, wc_dtype dt, char *data,
                            int64_t rows, int64_t cols, int64_t s0, int64_t s1,
                            int64_t nzero, uint64_t *scratch, int nparts)
{
    if (nzero <= 0 || rows <= 0 || cols <= 0)
        return;
    if (nparts < 1)
        nparts = 1;
    if (nparts > cols)
        nparts = (int)cols;
    sparse_job j = {rng, dt, data, rows, cols, s0, s1, nzero, scratch, nparts};
    if (nparts == 1)
        sparse_part(&j, 0);
    else
        wc_parallel_for(nparts, sparse_part, &j);
}
