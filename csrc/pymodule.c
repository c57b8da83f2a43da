/* wcinit._core: the only file that sees Python and NumPy.
 *
 * It parses and validates every argument, resolves the array's dtype and
 * strides, reserves the generator's counter range, releases the GIL and calls
 * the core.  Nothing is written to an array until every check has passed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
/* Keep in sync with the runtime requirement numpy>=1.25 in pyproject.toml. */
#define NPY_NO_DEPRECATED_API NPY_1_25_API_VERSION
#include <numpy/arrayobject.h>

#include <stdio.h>
#include <string.h>

#include "wcinit.h"

/* Fills of more elements than this release the GIL. */
#define WC_GIL_THRESHOLD 4096
/* A fill is done in pieces of this many elements, checking for signals
 * (KeyboardInterrupt) between pieces. */
#define WC_SIGNAL_CHUNK (UINT64_C(1) << 24)
/* Logical indices of one fill (fill_shard's start + size) stay below 2^63, far
 * from any wrap-around in the kernels' index arithmetic. */
#define WC_MAX_INDEX (UINT64_C(1) << 63)

static PyObject *NotAnArrayError;   /* TypeError + AttributeError (torch: AttributeError) */
static PyObject *DtypeError;        /* TypeError + NotImplementedError (torch: NotImplementedError) */
static PyObject *array_coercer;     /* wcinit._coerce.as_target(obj, fname) for non-ndarrays */
static PyObject *generator_coercer; /* wcinit._coerce.coerce_generator(obj, fname) for others */
static int bfloat16_typenum = -1;

/* ---- Generator ---------------------------------------------------------------- */

/* A wcinit.Generator is a wc_generator (csrc/rng.c) in a Python object: the
 * core owns the state, reservation, spawn and serialization; this section
 * parses arguments and turns the core's error codes into exceptions. */
typedef struct {
    PyObject_HEAD
    wc_generator gen;
} GenObject;

static PyTypeObject GenType;
static PyObject *default_generator;

/* torch.manual_seed accepts [-2^63, 2^64); negatives map to 2^64 + seed. */
static int seed_from_object(PyObject *obj, uint64_t *out, const char *who, const char *arg)
{
    if (PyBool_Check(obj) || !PyLong_Check(obj)) {
        PyObject *idx = PyNumber_Check(obj) && !PyFloat_Check(obj) && !PyBool_Check(obj)
                            ? PyNumber_Index(obj) : NULL;
        if (idx == NULL) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s: %s must be an int, got %.100s", who, arg,
                         Py_TYPE(obj)->tp_name);
            return -1;
        }
        int rc = seed_from_object(idx, out, who, arg);
        Py_DECREF(idx);
        return rc;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow == 0) {
        *out = (uint64_t)v; /* negatives wrap to 2^64 + v, as torch */
        return 0;
    }
    if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(obj);
        if (!(u == (unsigned long long)-1 && PyErr_Occurred())) {
            *out = (uint64_t)u;
            return 0;
        }
        PyErr_Clear();
    }
    PyErr_Format(PyExc_RuntimeError,
                 "%s: %s must be within the inclusive range "
                 "[-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff]", who, arg);
    return -1;
}

static PyObject *Gen_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"seed", "stream", NULL};
    PyObject *seed = Py_None, *stream = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:Generator", kwlist, &seed, &stream))
        return NULL;
    uint64_t s = WC_DEFAULT_SEED, st = 0;
    if (seed != Py_None && seed_from_object(seed, &s, "Generator", "seed") < 0)
        return NULL;
    if (stream != NULL && stream != Py_None &&
        seed_from_object(stream, &st, "Generator", "stream") < 0)
        return NULL;
    GenObject *self = (GenObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    wc_gen_init(&self->gen, s, st);
    return (PyObject *)self;
}

static PyObject *Gen_manual_seed(GenObject *self, PyObject *seed)
{
    uint64_t s;
    if (seed_from_object(seed, &s, "manual_seed", "seed") < 0)
        return NULL;
    wc_gen_init(&self->gen, s, 0); /* == Generator(s): stream, offset, spawn counter reset */
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *Gen_seed(GenObject *self, PyObject *Py_UNUSED(ignored))
{
    wc_gen_init(&self->gen, wc_entropy_seed(), 0);
    return PyLong_FromUnsignedLongLong(self->gen.seed);
}

static PyObject *Gen_initial_seed(GenObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromUnsignedLongLong(self->gen.seed);
}

/* get_state(): a uint8 array of WC_GEN_STATE_BYTES (like torch's ByteTensor
 * state), laid out by wc_gen_get_state. */
static PyObject *Gen_get_state(GenObject *self, PyObject *Py_UNUSED(ignored))
{
    npy_intp dims[1] = {WC_GEN_STATE_BYTES};
    PyObject *arr = PyArray_SimpleNew(1, dims, NPY_UINT8);
    if (arr == NULL)
        return NULL;
    wc_gen_get_state(&self->gen, (unsigned char *)PyArray_DATA((PyArrayObject *)arr));
    return arr;
}

static PyObject *Gen_set_state(GenObject *self, PyObject *state)
{
    Py_buffer view;
    PyObject *arr = NULL;
    if (PyObject_GetBuffer(state, &view, PyBUF_C_CONTIGUOUS) < 0) {
        PyErr_Clear();
        arr = PyArray_FromAny(state, PyArray_DescrFromType(NPY_UINT8), 1, 1,
                              NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_FORCECAST, NULL);
        if (arr == NULL) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "set_state: state must be the uint8 array returned by get_state(), got %.100s",
                         Py_TYPE(state)->tp_name);
            return NULL;
        }
        if (PyObject_GetBuffer(arr, &view, PyBUF_C_CONTIGUOUS) < 0) {
            Py_DECREF(arr);
            return NULL;
        }
    }
    int rc = wc_gen_set_state(&self->gen, (const unsigned char *)view.buf, (size_t)view.len);
    Py_ssize_t len = view.len;
    PyBuffer_Release(&view);
    Py_XDECREF(arr);
    if (rc < 0) {
        PyErr_Format(PyExc_ValueError,
                     "set_state: state must be the %d-byte uint8 array returned by get_state() "
                     "(or the %d-byte state of wcinit 0.1), got %zd bytes%s",
                     WC_GEN_STATE_BYTES, WC_GEN_STATE_BYTES_V1, len,
                     rc == -2 ? " without the state's magic prefix" : "");
        return NULL;
    }
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *Gen_reduce(GenObject *self, PyObject *Py_UNUSED(ignored))
{
    unsigned char buf[WC_GEN_STATE_BYTES];
    wc_gen_get_state(&self->gen, buf);
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)buf, WC_GEN_STATE_BYTES);
    if (bytes == NULL)
        return NULL;
    return Py_BuildValue("(O()N)", (PyObject *)Py_TYPE(self), bytes);
}

static PyObject *Gen_setstate(GenObject *self, PyObject *state)
{
    PyObject *r = Gen_set_state(self, state);
    if (r == NULL)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

/* spawn(n): n generators with the same seed on new, distinct counter streams.
 * The child objects are allocated first, so a failure consumes no stream. */
static PyObject *Gen_spawn(GenObject *self, PyObject *arg)
{
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "spawn: n must be >= 0, got %zd", n);
        return NULL;
    }
    PyObject *list = PyList_New(n);
    if (list == NULL)
        return NULL;
    wc_generator *kids = PyMem_Malloc(n > 0 ? (size_t)n * sizeof *kids : 1);
    if (kids == NULL) {
        Py_DECREF(list);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *child = GenType.tp_alloc(&GenType, 0);
        if (child == NULL)
            goto fail;
        PyList_SET_ITEM(list, i, child);
    }
    if (wc_gen_spawn(&self->gen, (uint64_t)n, kids) < 0) {
        PyErr_SetString(PyExc_OverflowError, "spawn: the spawn counter is exhausted (2^64 children)");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        ((GenObject *)PyList_GET_ITEM(list, i))->gen = kids[i];
    PyMem_Free(kids);
    return list;
fail:
    PyMem_Free(kids);
    Py_DECREF(list);
    return NULL;
}

static PyObject *Gen_get_offset(GenObject *self, void *Py_UNUSED(c))
{
    return PyLong_FromUnsignedLongLong(__atomic_load_n(&self->gen.offset, __ATOMIC_SEQ_CST));
}

static PyObject *Gen_get_stream(GenObject *self, void *Py_UNUSED(c))
{
    return PyLong_FromUnsignedLongLong(self->gen.stream);
}

static PyObject *Gen_get_spawned(GenObject *self, void *Py_UNUSED(c))
{
    return PyLong_FromUnsignedLongLong(__atomic_load_n(&self->gen.spawned, __ATOMIC_SEQ_CST));
}

static PyObject *Gen_get_device(GenObject *self, void *Py_UNUSED(c))
{
    (void)self;
    return PyUnicode_FromString("cpu");
}

static PyObject *Gen_repr(GenObject *self)
{
    char buf[200];
    snprintf(buf, sizeof buf, "wcinit.Generator(seed=%llu, stream=%llu, offset=%llu, spawned=%llu)",
             (unsigned long long)self->gen.seed, (unsigned long long)self->gen.stream,
             (unsigned long long)__atomic_load_n(&self->gen.offset, __ATOMIC_SEQ_CST),
             (unsigned long long)__atomic_load_n(&self->gen.spawned, __ATOMIC_SEQ_CST));
    return PyUnicode_FromString(buf);
}

/* Reserve nblocks Philox blocks of g for one call; -1 with an exception. */
static int gen_reserve(GenObject *g, uint64_t nblocks, wc_rng *rng)
{
    if (wc_gen_reserve(&g->gen, nblocks, rng) < 0) {
        PyErr_SetString(PyExc_OverflowError,
                        "generator counter exhausted (2^64 blocks); reseed it");
        return -1;
    }
    return 0;
}

/* _reserve(nblocks): reserve nblocks Philox blocks atomically, as a fill of
 * that many blocks would, and return a new Generator positioned at the first
 * reserved block (same seed and stream).  Lazy fills (wcinit.dask, plans)
 * reserve here, so they never share blocks with a concurrent in-place fill. */
static PyObject *Gen_reserve(GenObject *self, PyObject *arg)
{
    unsigned long long n = PyLong_AsUnsignedLongLong(arg);
    if (n == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    GenObject *out = (GenObject *)GenType.tp_alloc(&GenType, 0);
    if (out == NULL)
        return NULL;
    wc_rng rng;
    if (gen_reserve(self, (uint64_t)n, &rng) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    wc_gen_init(&out->gen, rng.seed, rng.stream);
    out->gen.offset = rng.offset;
    return (PyObject *)out;
}

static PyMethodDef Gen_methods[] = {
    {"manual_seed", (PyCFunction)Gen_manual_seed, METH_O,
     "manual_seed(seed) -> Generator\n\nSeed with an int in [-2**63, 2**64) and return self, "
     "in exactly the state of\nGenerator(seed): stream 0, offset 0, no children spawned."},
    {"seed", (PyCFunction)Gen_seed, METH_NOARGS,
     "seed() -> int\n\nSeed from the operating system's entropy (as manual_seed does: stream, "
     "offset and\nspawn counter reset) and return the new seed."},
    {"initial_seed", (PyCFunction)Gen_initial_seed, METH_NOARGS,
     "initial_seed() -> int\n\nThe seed this generator was last seeded with."},
    {"get_state", (PyCFunction)Gen_get_state, METH_NOARGS,
     "get_state() -> numpy.ndarray\n\nThe full state (seed, stream, offset, spawn counter) as "
     "40 uint8."},
    {"set_state", (PyCFunction)Gen_set_state, METH_O,
     "set_state(state) -> Generator\n\nRestore a state returned by get_state(): later fills "
     "and spawn() continue\nexactly where the saved generator would have.  The 32-byte state "
     "of wcinit 0.1\n(no spawn counter) is accepted and restores the spawn counter as 0, as "
     "0.1 did."},
    {"spawn", (PyCFunction)Gen_spawn, METH_O,
     "spawn(n) -> list[Generator]\n\nn independent generators: the same seed on distinct "
     "counter streams derived from\nthis one's stream and its spawn counter, which advances "
     "by n (and is part of the state)."},
    {"_reserve", (PyCFunction)Gen_reserve, METH_O, NULL},
    {"__reduce__", (PyCFunction)Gen_reduce, METH_NOARGS, NULL},
    {"__setstate__", (PyCFunction)Gen_setstate, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Gen_getset[] = {
    {"offset", (getter)Gen_get_offset, NULL, "Philox blocks consumed so far.", NULL},
    {"stream", (getter)Gen_get_stream, NULL, "The 64-bit counter stream id.", NULL},
    {"spawned", (getter)Gen_get_spawned, NULL, "Child generators spawned so far.", NULL},
    {"device", (getter)Gen_get_device, NULL, "Always 'cpu'.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject GenType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wcinit.Generator",
    .tp_basicsize = sizeof(GenObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Generator(seed=67280421310721, stream=0)\n\n"
              "A counter-based Philox4x32-10 generator: key = seed, counter = (block offset, "
              "stream).\nEach fill reserves its own range of blocks, so fills never share random "
              "numbers,\neven from several threads at once.\n\n"
              "A Generator() without a seed starts at torch's default seed, as torch.Generator() "
              "does.\nwcinit.default_generator (used when generator=None) is seeded from the "
              "operating\nsystem's entropy at import, as torch's default generator is, so runs "
              "differ unless\nseeded: call wcinit.manual_seed(s), or set the environment variable "
              "WCINIT_SEED=s\nbefore the import (initial_seed() reports the seed in use).\n\n"
              "The state -- (seed, stream, offset, spawn counter) -- is saved by get_state() "
              "and pickling\nand restored by set_state(): a restored generator continues the "
              "same numbers and\nspawns the children the saved one would have spawned next.\n\n"
              "Examples:\n"
              "    >>> import numpy as np, wcinit\n"
              "    >>> g = wcinit.Generator(5)\n"
              "    >>> w = wcinit.normal_(np.empty(4), generator=g)\n"
              "    >>> kids = g.spawn(2)\n"
              "    >>> h = wcinit.Generator().set_state(g.get_state())\n"
              "    >>> (h.initial_seed(), h.offset, h.spawned)\n"
              "    (5, 16, 2)\n"
              "    >>> h.spawn(1)[0].stream == g.spawn(1)[0].stream\n"
              "    True\n"
              "    >>> g.manual_seed(5).get_state().tobytes() == wcinit.Generator(5).get_state().tobytes()\n"
              "    True",
    .tp_new = Gen_new,
    .tp_repr = (reprfunc)Gen_repr,
    .tp_methods = Gen_methods,
    .tp_getset = Gen_getset,
};

/* ---- argument resolution ------------------------------------------------------ */

/* The generator argument as a borrowed GenObject (new reference in *owned). */
static GenObject *resolve_generator(PyObject *obj, const char *fname, PyObject **owned)
{
    *owned = NULL;
    if (obj == Py_None)
        return (GenObject *)default_generator;
    if (PyObject_TypeCheck(obj, &GenType))
        return (GenObject *)obj;
    if (generator_coercer == NULL) {
        PyErr_Format(PyExc_TypeError, "%s: generator must be a wcinit.Generator", fname);
        return NULL;
    }
    PyObject *g = PyObject_CallFunction(generator_coercer, "Os", obj, fname);
    if (g == NULL)
        return NULL;
    if (!PyObject_TypeCheck(g, &GenType)) {
        Py_DECREF(g);
        PyErr_Format(PyExc_TypeError, "%s: generator coercion failed", fname);
        return NULL;
    }
    *owned = g;
    return (GenObject *)g;
}

static const char *dtype_display(PyArrayObject *a)
{
    return PyArray_DESCR(a)->typeobj->tp_name;
}

/* Resolve `tensor` to a writable float ndarray (new reference) and its dtype. */
static PyArrayObject *resolve_array(PyObject *tensor, const char *fname, wc_dtype *dt)
{
    PyArrayObject *arr;
    if (PyArray_Check(tensor)) {
        Py_INCREF(tensor);
        arr = (PyArrayObject *)tensor;
    } else if (PyArray_IsScalar(tensor, Generic)) {
        /* np.float32(1.0) & co. export a read-only buffer, but are values, not
         * arrays: the same error as np.float64 (a float) gets from the coercer */
        const char *tn = Py_TYPE(tensor)->tp_name, *dot = strrchr(tn, '.');
        PyErr_Format(NotAnArrayError,
                     "%s: tensor must be a numpy.ndarray (or an object sharing its memory, such "
                     "as a torch CPU tensor), got %.100s",
                     fname, dot ? dot + 1 : tn);
        return NULL;
    } else if (array_coercer != NULL) {
        PyObject *r = PyObject_CallFunction(array_coercer, "Os", tensor, fname);
        if (r == NULL)
            return NULL;
        if (!PyArray_Check(r)) {
            Py_DECREF(r);
            PyErr_Format(NotAnArrayError, "%s: tensor must be a numpy.ndarray", fname);
            return NULL;
        }
        arr = (PyArrayObject *)r;
    } else {
        PyErr_Format(NotAnArrayError, "%s: tensor must be a numpy.ndarray, got %.100s", fname,
                     Py_TYPE(tensor)->tp_name);
        return NULL;
    }
    PyArray_Descr *d = PyArray_DESCR(arr);
    int tn = d->type_num;
    if (tn == NPY_FLOAT32)
        *dt = WC_F32;
    else if (tn == NPY_FLOAT64)
        *dt = WC_F64;
    else if (tn == NPY_FLOAT16)
        *dt = WC_F16;
    else if (bfloat16_typenum >= 0 && tn == bfloat16_typenum)
        *dt = WC_BF16;
    else {
        PyErr_Format(DtypeError,
                     "%s: tensor dtype %s is not supported; use float16, float32, float64 "
                     "or bfloat16",
                     fname, dtype_display(arr));
        Py_DECREF(arr);
        return NULL;
    }
    if (PyArray_ISBYTESWAPPED(arr)) {
        PyErr_Format(PyExc_ValueError,
                     "%s: tensor has non-native byte order (dtype %R); use "
                     "arr.view(arr.dtype.newbyteorder()) after byteswap(), or a native array",
                     fname, (PyObject *)d);
        Py_DECREF(arr);
        return NULL;
    }
    if (!PyArray_ISWRITEABLE(arr)) {
        PyErr_Format(PyExc_ValueError, "%s: tensor is read-only (its WRITEABLE flag is False)",
                     fname);
        Py_DECREF(arr);
        return NULL;
    }
    if (PyArray_NDIM(arr) > 64) {
        PyErr_Format(PyExc_ValueError, "%s: tensor has more than 64 dimensions", fname);
        Py_DECREF(arr);
        return NULL;
    }
    return arr;
}

/* Largest group of dims the exact overlap test enumerates (wc_self_overlap):
 * 2^20 offsets, 8 MiB of scratch, only for layouts that fail the nested-stride
 * rule (as_strided views). */
#define WC_OVERLAP_MAX_ELEMS (UINT64_C(1) << 20)

static int check_no_overlap(PyArrayObject *arr, const char *fname)
{
    int nd = PyArray_NDIM(arr);
    int64_t shape[64], strides[64];
    for (int d = 0; d < nd; d++) {
        shape[d] = (int64_t)PyArray_DIMS(arr)[d];
        strides[d] = (int64_t)PyArray_STRIDES(arr)[d];
    }
    int rc = wc_self_overlap(nd, shape, strides, (int64_t)PyArray_ITEMSIZE(arr),
                             WC_OVERLAP_MAX_ELEMS);
    if (rc == 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s: tensor is a self-overlapping view (several elements share memory); "
                     "fill a non-overlapping array instead",
                     fname);
        return -1;
    }
    if (rc < 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s: cannot prove that the tensor's elements do not overlap: its strides "
                     "fail the nested-stride rule (sorted by |stride|, each stride at least the "
                     "span of the smaller ones) over more than 2**20 elements; fill a copy "
                     "and assign it instead",
                     fname);
        return -1;
    }
    return 0;
}

/* ---- fills ---------------------------------------------------------------------- */

static int nthreads_for_call(void)
{
    return wc_num_threads();
}

/* Fill the whole array with the sampler p; the GIL is released for large fills
 * and signals are checked between pieces of WC_SIGNAL_CHUNK elements. */
static int run_fill(PyArrayObject *arr, wc_dtype dt, const wc_params *p, GenObject *g,
                    uint64_t start)
{
    int nd = PyArray_NDIM(arr);
    int64_t shape[64], strides[64];
    uint64_t n = 1;
    for (int d = 0; d < nd; d++) {
        shape[d] = (int64_t)PyArray_DIMS(arr)[d];
        strides[d] = (int64_t)PyArray_STRIDES(arr)[d];
        n *= (uint64_t)shape[d];
    }
    if (n == 0)
        return 0;
    if (start >= WC_MAX_INDEX || n > WC_MAX_INDEX - start) {
        PyErr_SetString(PyExc_OverflowError,
                        "start + size exceeds 2**63 elements, the counter space of one fill");
        return -1;
    }
    wc_rng rng;
    if (gen_reserve(g, wc_blocks_for(start + n, dt), &rng) < 0)
        return -1;
    char *data = PyArray_BYTES(arr);
    int nth = nthreads_for_call();
    if (n <= WC_GIL_THRESHOLD) {
        wc_fill_strided(&rng, p, dt, data, nd, shape, strides, start, 0, n, 1);
        return 0;
    }
    for (uint64_t lo = 0; lo < n; lo += WC_SIGNAL_CHUNK) {
        uint64_t hi = n - lo > WC_SIGNAL_CHUNK ? lo + WC_SIGNAL_CHUNK : n;
        Py_BEGIN_ALLOW_THREADS
        wc_fill_strided(&rng, p, dt, data, nd, shape, strides, start, lo, hi, nth);
        Py_END_ALLOW_THREADS
        if (hi < n && PyErr_CheckSignals() < 0)
            return -1; /* KeyboardInterrupt: elements [0, hi) written; see README */
    }
    return 0;
}

/* _fill(tensor, fname, kind, p0, p1, p2, p3, generator, start=0)
 * kind (a value of SAMPLERS, wc_sampler): uniform(a=p0, b=p1),
 * normal(mean=p0, std=p1), trunc_normal(mean=p0, std=p1, a=p2, b=p3).
 * Returns tensor. */
static PyObject *py_fill(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs < 8 || nargs > 9) {
        PyErr_SetString(PyExc_TypeError, "_fill takes 8 or 9 arguments");
        return NULL;
    }
    PyObject *tensor = args[0];
    const char *fname = PyUnicode_AsUTF8(args[1]);
    if (fname == NULL)
        return NULL;
    int kind = (int)PyLong_AsLong(args[2]);
    double v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = PyFloat_AsDouble(args[3 + i]);
        if (v[i] == -1.0 && PyErr_Occurred())
            return NULL;
    }
    unsigned long long start = 0;
    if (nargs == 9) {
        start = PyLong_AsUnsignedLongLong(args[8]);
        if (start == (unsigned long long)-1 && PyErr_Occurred())
            return NULL;
    }
    wc_dtype dt;
    PyArrayObject *arr = resolve_array(tensor, fname, &dt);
    if (arr == NULL)
        return NULL;
    if (check_no_overlap(arr, fname) < 0) {
        Py_DECREF(arr);
        return NULL;
    }
    wc_params p;
    int rc = kind == WC_SAMPLER_UNIFORM        ? wc_params_uniform(&p, v[0], v[1])
             : kind == WC_SAMPLER_NORMAL       ? wc_params_normal(&p, v[0], v[1])
             : kind == WC_SAMPLER_TRUNC_NORMAL ? wc_params_trunc_normal(&p, v[0], v[1], v[2], v[3])
                                               : -2;
    if (rc < 0) {
        char msg[256]; /* PyErr_Format has no %g */
        snprintf(msg, sizeof msg, "%s: invalid sampler parameters (%g, %g, %g, %g)", fname, v[0],
                 v[1], v[2], v[3]);
        PyErr_SetString(PyExc_ValueError, msg);
        Py_DECREF(arr);
        return NULL;
    }
    PyObject *owned;
    GenObject *g = resolve_generator(args[7], fname, &owned);
    if (g == NULL) {
        Py_DECREF(arr);
        return NULL;
    }
    rc = run_fill(arr, dt, &p, g, start);
    Py_XDECREF(owned);
    Py_DECREF(arr);
    if (rc < 0)
        return NULL;
    Py_INCREF(tensor);
    return tensor;
}

/* _check(tensor, fname) -> ndarray: the validation of _fill alone (for the
 * deterministic initializers written in Python). */
static PyObject *py_check(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "_check takes 2 arguments");
        return NULL;
    }
    const char *fname = PyUnicode_AsUTF8(args[1]);
    if (fname == NULL)
        return NULL;
    wc_dtype dt;
    PyArrayObject *arr = resolve_array(args[0], fname, &dt);
    if (arr == NULL)
        return NULL;
    if (check_no_overlap(arr, fname) < 0) {
        Py_DECREF(arr);
        return NULL;
    }
    return (PyObject *)arr;
}

/* _sparse_zero(arr, nzero, generator): zero exactly nzero random rows in every
 * column of the 2-d float array arr (already validated by _check). */
static PyObject *py_sparse_zero(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *tensor, *genobj;
    Py_ssize_t nzero;
    if (!PyArg_ParseTuple(args, "OnO:_sparse_zero", &tensor, &nzero, &genobj))
        return NULL;
    wc_dtype dt;
    PyArrayObject *arr = resolve_array(tensor, "sparse_", &dt);
    if (arr == NULL)
        return NULL;
    if (PyArray_NDIM(arr) != 2) {
        Py_DECREF(arr);
        PyErr_SetString(PyExc_ValueError, "Only tensors with 2 dimensions are supported");
        return NULL;
    }
    PyObject *owned;
    GenObject *g = resolve_generator(genobj, "sparse_", &owned);
    if (g == NULL) {
        Py_DECREF(arr);
        return NULL;
    }
    int64_t rows = PyArray_DIMS(arr)[0], cols = PyArray_DIMS(arr)[1];
    uint64_t *scratch = NULL;
    if (rows > 0 && cols > 0 && nzero > 0) {
        /* columns split over the pool when there is enough work */
        int nparts = (uint64_t)rows * (uint64_t)cols >= (1u << 16) ? nthreads_for_call() : 1;
        if (nparts > cols)
            nparts = (int)cols;
        scratch = PyMem_RawMalloc((size_t)nparts * (size_t)rows * 3 * sizeof(uint64_t));
        if (scratch == NULL) {
            Py_XDECREF(owned);
            Py_DECREF(arr);
            return PyErr_NoMemory();
        }
        wc_rng rng;
        uint64_t n;
        if (__builtin_mul_overflow((uint64_t)rows, (uint64_t)cols, &n) ||
            gen_reserve(g, wc_blocks_for(n, WC_F64), &rng) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_OverflowError, "sparse_: tensor too large");
            PyMem_RawFree(scratch);
            Py_XDECREF(owned);
            Py_DECREF(arr);
            return NULL;
        }
        char *data = PyArray_BYTES(arr);
        int64_t s0 = PyArray_STRIDES(arr)[0], s1 = PyArray_STRIDES(arr)[1];
        Py_BEGIN_ALLOW_THREADS
        wc_sparse_zero_columns(&rng, dt, data, rows, cols, s0, s1, nzero, scratch, nparts);
        Py_END_ALLOW_THREADS
        PyMem_RawFree(scratch);
    }
    Py_XDECREF(owned);
    Py_DECREF(arr);
    Py_RETURN_NONE;
}

/* _raw(out_uint32, generator): raw Philox words in element order (dieharder, tests). */
static PyObject *py_raw(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *out, *genobj;
    if (!PyArg_ParseTuple(args, "OO:_raw", &out, &genobj))
        return NULL;
    if (!PyArray_Check(out) || PyArray_TYPE((PyArrayObject *)out) != NPY_UINT32 ||
        !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)out) ||
        !PyArray_ISWRITEABLE((PyArrayObject *)out) || PyArray_ISBYTESWAPPED((PyArrayObject *)out)) {
        PyErr_SetString(PyExc_TypeError, "_raw: out must be a writable C-contiguous uint32 array");
        return NULL;
    }
    PyObject *owned;
    GenObject *g = resolve_generator(genobj, "_raw", &owned);
    if (g == NULL)
        return NULL;
    PyArrayObject *arr = (PyArrayObject *)out;
    uint64_t n = (uint64_t)PyArray_SIZE(arr);
    wc_rng rng;
    if (gen_reserve(g, wc_blocks_for(n, WC_F32), &rng) < 0) {
        Py_XDECREF(owned);
        return NULL;
    }
    wc_params p;
    memset(&p, 0, sizeof p);
    p.dist = WC_RAW;
    int64_t shape[1] = {(int64_t)n}, strides[1] = {4};
    void *data = PyArray_DATA(arr);
    int nth = nthreads_for_call();
    Py_BEGIN_ALLOW_THREADS
    wc_fill_strided(&rng, &p, WC_F32, data, 1, shape, strides, 0, 0, n, nth);
    Py_END_ALLOW_THREADS
    Py_XDECREF(owned);
    Py_INCREF(out);
    return out;
}

static PyObject *py_philox(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned int c0, c1, c2, c3, k0, k1;
    if (!PyArg_ParseTuple(args, "(IIII)(II):philox4x32_10", &c0, &c1, &c2, &c3, &k0, &k1))
        return NULL;
    uint32_t ctr[4] = {c0, c1, c2, c3}, key[2] = {k0, k1}, out[4];
    wc_philox4x32_10(ctr, key, out);
    return Py_BuildValue("(IIII)", out[0], out[1], out[2], out[3]);
}

static PyObject *py_fans(PyObject *self, PyObject *shape_obj)
{
    (void)self;
    PyObject *seq = PySequence_Fast(shape_obj, "_fans: shape must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t nd = PySequence_Fast_GET_SIZE(seq);
    int64_t shape[64];
    if (nd > 64) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "_fans: more than 64 dimensions");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nd; i++) {
        shape[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (shape[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return NULL;
        }
    }
    Py_DECREF(seq);
    int64_t fi, fo;
    int rc = wc_fans((int)nd, shape, &fi, &fo);
    if (rc == -1) {
        PyErr_SetString(PyExc_ValueError,
                        "Fan in and fan out can not be computed for tensor with fewer than 2 "
                        "dimensions");
        return NULL;
    }
    if (rc == -2) {
        PyErr_SetString(PyExc_OverflowError, "fan in/fan out overflows a 64-bit integer");
        return NULL;
    }
    return Py_BuildValue("(LL)", (long long)fi, (long long)fo);
}

static PyObject *py_gain(PyObject *self, PyObject *args)
{
    (void)self;
    int code;
    double slope;
    if (!PyArg_ParseTuple(args, "id:_gain", &code, &slope))
        return NULL;
    if (code < 0 || code >= WC_NL_COUNT) {
        PyErr_SetString(PyExc_ValueError, "_gain: unknown nonlinearity code");
        return NULL;
    }
    return PyFloat_FromDouble(wc_gain((wc_nonlinearity)code, slope));
}

static PyObject *py_std(PyObject *self, PyObject *args)
{
    (void)self;
    const char *rule;
    double gain;
    long long f1, f2 = 0;
    if (!PyArg_ParseTuple(args, "sdL|L:_std", &rule, &gain, &f1, &f2))
        return NULL;
    if (strcmp(rule, "xavier") == 0)
        return PyFloat_FromDouble(wc_xavier_std(gain, f1, f2));
    if (strcmp(rule, "kaiming") == 0)
        return PyFloat_FromDouble(wc_kaiming_std(gain, f1));
    PyErr_Format(PyExc_ValueError, "_std: unknown rule %s", rule);
    return NULL;
}

static PyObject *py_bound(PyObject *self, PyObject *arg)
{
    (void)self;
    double s = PyFloat_AsDouble(arg);
    if (s == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(wc_uniform_bound(s));
}

static PyObject *py_set_simd(PyObject *self, PyObject *arg)
{
    (void)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "set_simd(): argument 'path' must be str, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    const char *name = PyUnicode_AsUTF8(arg);
    if (name == NULL)
        return NULL;
    for (int i = WC_ISA_SCALAR; i <= WC_ISA_AVX512; i++)
        if (strcmp(name, wc_isa_name((wc_isa)i)) == 0) {
            if (wc_isa_set((wc_isa)i) < 0) {
                PyErr_Format(PyExc_ValueError, "set_simd: this CPU does not support '%s'", name);
                return NULL;
            }
            Py_RETURN_NONE;
        }
    PyErr_Format(PyExc_ValueError, "set_simd: path must be 'scalar', 'avx2' or 'avx512', got '%s'",
                 name);
    return NULL;
}

static PyObject *py_get_simd(PyObject *self, PyObject *Py_UNUSED(a))
{
    (void)self;
    return PyUnicode_FromString(wc_isa_name(wc_isa_get()));
}

static PyObject *py_simd_paths(PyObject *self, PyObject *Py_UNUSED(a))
{
    (void)self;
    wc_isa best = wc_isa_best();
    PyObject *l = PyList_New(0);
    if (l == NULL)
        return NULL;
    for (int i = WC_ISA_SCALAR; i <= (int)best; i++) {
        PyObject *s = PyUnicode_FromString(wc_isa_name((wc_isa)i));
        if (s == NULL || PyList_Append(l, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(l);
            return NULL;
        }
        Py_DECREF(s);
    }
    return l;
}

static PyObject *py_set_num_threads(PyObject *self, PyObject *arg)
{
    (void)self;
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 1) {
        PyErr_Format(PyExc_ValueError, "set_num_threads: n must be a positive integer, got %ld", n);
        return NULL;
    }
    wc_set_num_threads((int)(n > 1024 ? 1024 : n));
    Py_RETURN_NONE;
}

static PyObject *py_get_num_threads(PyObject *self, PyObject *Py_UNUSED(a))
{
    (void)self;
    return PyLong_FromLong(wc_num_threads());
}

static PyObject *py_set_hooks(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ac, *gc, *bf;
    if (!PyArg_ParseTuple(args, "OOO:_set_hooks", &ac, &gc, &bf))
        return NULL;
    Py_XSETREF(array_coercer, Py_NewRef(ac));
    Py_XSETREF(generator_coercer, Py_NewRef(gc));
    if (bf != Py_None) {
        PyArray_Descr *d = NULL;
        if (!PyArray_DescrConverter(bf, &d))
            return NULL;
        bfloat16_typenum = d->type_num;
        Py_DECREF(d);
    }
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"_fill", (PyCFunction)(void (*)(void))py_fill, METH_FASTCALL, NULL},
    {"_check", (PyCFunction)(void (*)(void))py_check, METH_FASTCALL, NULL},
    {"_sparse_zero", py_sparse_zero, METH_VARARGS, NULL},
    {"_raw", py_raw, METH_VARARGS, NULL},
    {"philox4x32_10", py_philox, METH_VARARGS,
     "philox4x32_10(ctr, key) -> tuple\n\nOne Philox4x32-10 block: ctr is 4 and key 2 uint32."},
    {"_fans", py_fans, METH_O, NULL},
    {"_gain", py_gain, METH_VARARGS, NULL},
    {"_std", py_std, METH_VARARGS, NULL},
    {"_bound", py_bound, METH_O, NULL},
    {"set_simd", py_set_simd, METH_O,
     "set_simd(path)\n\nUse the 'scalar', 'avx2' or 'avx512' kernels (if the CPU has them)."},
    {"get_simd", py_get_simd, METH_NOARGS, "get_simd() -> str\n\nThe kernel path in use."},
    {"simd_paths", py_simd_paths, METH_NOARGS,
     "simd_paths() -> list[str]\n\nThe kernel paths this CPU can run."},
    {"set_num_threads", py_set_num_threads, METH_O,
     "set_num_threads(n)\n\nThreads used by large fills (default: usable cores, or "
     "WCINIT_NUM_THREADS)."},
    {"get_num_threads", py_get_num_threads, METH_NOARGS,
     "get_num_threads() -> int\n\nThreads used by large fills."},
    {"_set_hooks", py_set_hooks, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

/* The default generator's seed: WCINIT_SEED when it is set to an int in
 * [-2^63, 2^64) (the syntax of Python's int(str)), else OS entropy, as torch
 * seeds its default CPU generator; an unusable value warns, naming it.  An
 * empty value means unset. */
static int seed_default_generator(void)
{
    uint64_t seed;
    const char *env = getenv("WCINIT_SEED");
    if (env != NULL && env[0] != '\0') {
        PyObject *str = PyUnicode_DecodeFSDefault(env);
        PyObject *num = str ? PyLong_FromUnicodeObject(str, 10) : NULL;
        int rc = num ? seed_from_object(num, &seed, "WCINIT_SEED", "the value") : -1;
        Py_XDECREF(num);
        if (rc == 0) {
            Py_DECREF(str);
            wc_gen_init(&((GenObject *)default_generator)->gen, seed, 0);
            return 0;
        }
        PyErr_Clear();
        rc = str ? PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
                                    "WCINIT_SEED=%R ignored: not an integer in [-2**63, 2**64); "
                                    "the default generator is seeded from OS entropy",
                                    str)
                 : PyErr_WarnEx(PyExc_RuntimeWarning,
                                "WCINIT_SEED ignored: not decodable; the default generator is "
                                "seeded from OS entropy", 1);
        Py_XDECREF(str);
        if (rc < 0)
            return -1; /* warnings are errors (-W error) */
    }
    wc_gen_init(&((GenObject *)default_generator)->gen, wc_entropy_seed(), 0);
    return 0;
}

/* A read-only {name: code} mapping of a C enum (names[i] has code i). */
static PyObject *enum_mapping(const char *const *names, int count)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    for (int i = 0; i < count; i++) {
        PyObject *v = PyLong_FromLong(i);
        if (v == NULL || PyDict_SetItemString(d, names[i], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    PyObject *proxy = PyDictProxy_New(d);
    Py_DECREF(d);
    return proxy;
}

static int add_enums(PyObject *m)
{
    static const char *const samplers[WC_SAMPLER_COUNT] = {
        [WC_SAMPLER_UNIFORM] = "uniform",
        [WC_SAMPLER_NORMAL] = "normal",
        [WC_SAMPLER_TRUNC_NORMAL] = "trunc_normal",
    };
    static const char *const nonlinearities[] = WC_NL_NAMES;
    _Static_assert(sizeof nonlinearities / sizeof *nonlinearities == WC_NL_COUNT,
                   "WC_NL_NAMES must name every wc_nonlinearity");
    PyObject *s = enum_mapping(samplers, WC_SAMPLER_COUNT);
    if (s == NULL || PyModule_AddObject(m, "SAMPLERS", s) < 0) {
        Py_XDECREF(s);
        return -1;
    }
    PyObject *n = enum_mapping(nonlinearities, WC_NL_COUNT);
    if (n == NULL || PyModule_AddObject(m, "NONLINEARITIES", n) < 0) {
        Py_XDECREF(n);
        return -1;
    }
    return 0;
}

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "wcinit._core",
                                       "The C core of wcinit (see wcinit for the API).", -1,
                                       module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void)
{
    import_array();
    if (PyType_Ready(&GenType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    PyObject *b1 = PyTuple_Pack(2, PyExc_TypeError, PyExc_AttributeError);
    PyObject *b2 = PyTuple_Pack(2, PyExc_TypeError, PyExc_NotImplementedError);
    if (b1 == NULL || b2 == NULL)
        goto fail;
    NotAnArrayError = PyErr_NewExceptionWithDoc(
        "wcinit.NotAnArrayError",
        "The tensor argument is not an array wcinit can fill in place.\n"
        "A TypeError, and an AttributeError like the one torch.nn.init raises.",
        b1, NULL);
    DtypeError = PyErr_NewExceptionWithDoc(
        "wcinit.DtypeError",
        "The array's dtype is not one wcinit fills.\n"
        "A TypeError, and a NotImplementedError like the one torch.nn.init raises.",
        b2, NULL);
    Py_DECREF(b1);
    Py_DECREF(b2);
    b1 = b2 = NULL;
    if (NotAnArrayError == NULL || DtypeError == NULL)
        goto fail;
    PyObject *noargs = PyTuple_New(0);
    if (noargs == NULL)
        goto fail;
    default_generator = Gen_new(&GenType, noargs, NULL);
    Py_DECREF(noargs);
    if (default_generator == NULL || seed_default_generator() < 0)
        goto fail;
    Py_INCREF(&GenType);
    if (PyModule_AddObject(m, "Generator", (PyObject *)&GenType) < 0 ||
        PyModule_AddObjectRef(m, "default_generator", default_generator) < 0 ||
        PyModule_AddObjectRef(m, "NotAnArrayError", NotAnArrayError) < 0 ||
        PyModule_AddObjectRef(m, "DtypeError", DtypeError) < 0 ||
        PyModule_AddIntConstant(m, "TILE32", WC_TILE32) < 0 ||
        PyModule_AddIntConstant(m, "TILE64", WC_TILE64) < 0 || add_enums(m) < 0)
        goto fail;
    return m;
fail:
    Py_XDECREF(b1);
    Py_XDECREF(b2);
    Py_DECREF(m);
    return NULL;
}
