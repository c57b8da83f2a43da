"""orthogonal_'s Q factor (wcinit/_linalg.py: CholeskyQR2, shifted rounds,
Householder fallback): orthogonality, agreement with Householder QR's Q (with
torch's sign fix) to rounding, thread counts, the BLAS thread count restored,
the NumPy-only path, and the Haar law at sizes where CholeskyQR does the work."""

import math

import numpy as np
import pytest
import scipy.stats as st

import wcinit
from wcinit import _linalg

K = 6.0      # sigmas for the moment tests
KS_P = 1e-4  # smallest p-value accepted by a KS test

TOL = {np.float32: 1e-5, np.float64: 1e-12}
U = {np.float32: 2.0 ** -24, np.float64: 2.0 ** -53}
SHAPES = [(256, 256), (700, 130), (130, 700), (64, 8, 3, 3), (300, 1), (1, 300), (1, 1)]
DTYPES = [np.float32, np.float64]
IDS = {np.float32: "float32", np.float64: "float64"}


def normal_matrix(rows, cols, dtype, seed):
    """The matrix orthogonal_ draws: one normal fill of (rows, cols) in the work dtype."""
    return wcinit.normal_(np.empty((rows, cols), dtype), generator=seed)


def householder_q(a):
    """Q * sign(diag R) of Householder QR in float64 for the tall matrix a."""
    q, r = np.linalg.qr(np.asarray(a, np.float64))
    return q * np.sign(np.diagonal(r))


def perturbation_tol(a, dtype):
    """First-order QR perturbation: a backward error of relative size e moves Q
    by about kappa_2(A) e (Stewart 1977; Sun 1991); both the Householder and
    the CholeskyQR2 backward errors are bounded by a small multiple of n u,
    observed ~ sqrt(n) u.  Bound used: 10 kappa_2 sqrt(n) u + 10 u (max entry)."""
    s = np.linalg.svd(np.asarray(a, np.float64), compute_uv=False)
    n = min(a.shape)
    return 10 * (s[0] / s[-1]) * math.sqrt(n) * U[dtype] + 10 * U[dtype]


def gram_error(q):
    q = np.asarray(q, np.float64)
    g = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    return np.abs(g - np.eye(g.shape[0])).max()


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS.get)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_orthogonal_and_equal_to_householder(shape, dtype):
    """orthogonal_ is orthogonal to 1e-5 (float32) / 1e-12 (float64) and its Q is
    Householder's Q with sign fix, computed from the same normal matrix."""
    rows = shape[0]
    cols = math.prod(shape) // rows
    w = wcinit.orthogonal_(np.full(shape, np.nan, dtype), generator=11)
    m = w.reshape(rows, cols)
    assert gram_error(m) <= TOL[dtype]
    a = normal_matrix(rows, cols, dtype, 11)
    tall = a if rows >= cols else a.T
    ref = householder_q(tall)
    ref = ref if rows >= cols else ref.T
    assert np.abs(m - ref).max() <= perturbation_tol(tall, dtype)


def test_gain_scales_q():
    a = wcinit.orthogonal_(np.empty((90, 40), np.float64), generator=3)
    b = wcinit.orthogonal_(np.empty((90, 40), np.float64), 2.5, generator=3)
    assert np.array_equal(b, a * 2.5)


def conditioned(m, n, kappa, dtype, seed):
    """U diag(sigma) V^T with singular values log-spaced from 1 to 1/kappa."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((m, n)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = np.logspace(0, -math.log10(kappa), n)
    return ((u * s) @ v.T).astype(dtype)


CASES = [(np.float32, 1e2), (np.float32, 1e3), (np.float32, 1e5), (np.float32, 3e6),
         (np.float64, 1e4), (np.float64, 1e7), (np.float64, 1e10), (np.float64, 1e14)]


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype,kappa", CASES, ids=[f"{IDS[d]}-{k:g}" for d, k in CASES])
def test_ill_conditioned(dtype, kappa, order, monkeypatch):
    """CholeskyQR alone (the Householder fallback disabled) stays orthogonal and
    equal to Householder's Q far beyond kappa = u^(-1/2), where plain CholeskyQR2
    breaks down (the unshifted Cholesky of the Gram matrix fails: checked)."""
    def no_fallback(a):
        raise AssertionError("Householder fallback used")
    monkeypatch.setattr(_linalg, "_householder", no_fallback)
    a = np.asarray(conditioned(400, 120, kappa, dtype, 5), order=order)
    q = _linalg.orthogonal_q(a.copy(order=order), 1)
    assert gram_error(q) <= TOL[dtype]
    assert np.abs(q - householder_q(a)).max() <= perturbation_tol(a, dtype)
    if kappa * kappa * U[dtype] > 10:
        g = np.asarray(a, np.float64).T @ a
        with pytest.raises(np.linalg.LinAlgError):
            np.linalg.cholesky(g.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS.get)
def test_rank_deficient_falls_back_to_householder(dtype):
    """A zero column: every Cholesky fails or never converges, so Q is
    Householder's, sign fix included (sign(0) = 0 zeroes that column, as in torch)."""
    a = normal_matrix(50, 6, dtype, 2)
    a[:, 3] = 0
    q = _linalg.orthogonal_q(a.copy(), 1)
    ref = _linalg._householder(a.copy())
    assert np.array_equal(q, ref)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS.get)
@pytest.mark.parametrize("shape", [(600, 600), (1200, 300), (300, 1200)], ids=str)
def test_thread_counts(shape, dtype):
    """Same thread count, same bits.  One and two threads: OpenBLAS splits the
    syrk/trsm sums differently, so the results agree to rounding only
    (1e-5 float32, 1e-12 float64 per entry), not bit for bit."""
    old = wcinit.get_num_threads()
    try:
        out = {}
        for t in (1, 2, 2):
            wcinit.set_num_threads(t)
            w = wcinit.orthogonal_(np.empty(shape, dtype), generator=9)
            if t in out:
                assert np.array_equal(out[t], w)
            out[t] = w
    finally:
        wcinit.set_num_threads(old)
    assert np.abs(out[1] - out[2]).max() <= TOL[dtype]


def test_blas_thread_count_restored():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    wcinit.orthogonal_(np.empty((4, 4)), generator=0)  # loads SciPy's BLAS
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    old = wcinit.get_num_threads()
    try:
        wcinit.set_num_threads(1)
        wcinit.orthogonal_(np.empty((300, 200), np.float32), generator=0)
    finally:
        wcinit.set_num_threads(old)
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before


def test_blas_thread_count_restored_after_concurrent_calls():
    """The BLAS thread count is process-wide: calls from several Python threads
    share one limit and the last one out restores the count found before."""
    import threading
    threadpoolctl = pytest.importorskip("threadpoolctl")
    wcinit.orthogonal_(np.empty((4, 4)), generator=0)
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    old = wcinit.get_num_threads()
    errors = []

    def work(seed):
        try:
            for k in range(5):
                w = wcinit.orthogonal_(np.empty((200, 150)), generator=seed * 10 + k)
                assert gram_error(w) <= 1e-12
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
    try:
        wcinit.set_num_threads(1)
        ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
    finally:
        wcinit.set_num_threads(old)
    assert not errors
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before


def test_without_scipy_numpy_householder(monkeypatch):
    """Without SciPy's BLAS, NumPy's Householder QR with the sign fix."""
    monkeypatch.setattr(_linalg, "_routines", lambda dtype: None)
    w = wcinit.orthogonal_(np.empty((80, 30), np.float64), generator=4)
    assert gram_error(w) <= 1e-12
    assert np.allclose(w, householder_q(normal_matrix(80, 30, np.float64, 4)), rtol=0, atol=1e-12)


@pytest.mark.parametrize("shape", [(40, 70), (70, 40)], ids=str)
def test_matches_torch_qr(shape):
    """Cross-check: torch's orthogonal_ recipe (torch.linalg.qr, Q * sign(diag R))
    applied to wcinit's normal matrix gives wcinit's Q to rounding."""
    torch = pytest.importorskip("torch")
    rows, cols = shape
    a = normal_matrix(rows, cols, np.float64, 8)
    t = torch.from_numpy(a.copy())
    if rows < cols:
        t = t.t()
    q, r = torch.linalg.qr(t)
    q = q * torch.diag(r, 0).sign()
    if rows < cols:
        q = q.t()
    w = wcinit.orthogonal_(np.empty(shape), generator=8)
    np.testing.assert_allclose(w, q.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [16, 48])
def test_haar_trace_moments_and_entry_law(n):
    """Q Haar on O(n): E tr Q = 0, E (tr Q)^2 = 1, E (tr Q)^4 = 3 for n >= 4
    (Diaconis and Shahshahani 1994: the moments of tr Q match N(0, 1) up to
    order n), so Var (tr Q) = 1 and Var (tr Q)^2 = 2; and q[0, 0] satisfies
    (q + 1)/2 ~ Beta((n-1)/2, (n-1)/2) (a column is uniform on S^{n-1}).
    N draws, mean within K sqrt(1/N), mean square within K sqrt(2/N), KS p >= 1e-4."""
    N = 3000
    g = wcinit.Generator(77)
    tr = np.empty(N)
    q00 = np.empty(N)
    for i in range(N):
        q = wcinit.orthogonal_(np.empty((n, n)), generator=g)
        tr[i] = np.trace(q)
        q00[i] = q[0, 0]
    assert abs(tr.mean()) <= K * math.sqrt(1 / N)
    assert abs((tr * tr).mean() - 1) <= K * math.sqrt(2 / N)
    beta = st.beta((n - 1) / 2, (n - 1) / 2, loc=-1, scale=2)
    assert st.kstest(q00, beta.cdf).pvalue >= KS_P


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("near", [True, False])
def test_gram_distance_is_the_frobenius_distance(dtype, near):
    """_gram_distance reads the upper triangle of a Fortran Gram buffer whose strict
    lower triangle is zero, zeroing the diagonal for the sum (no cancellation near I)
    and restoring it; against the dense ||G - I||_F in float64."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((200, 200))
    gm = np.eye(200) + (1e-4 if near else 0.3) * (a + a.T) / 2
    g = np.asfortranarray(np.triu(gm).astype(dtype))
    before = g.copy(order="K")
    want = np.linalg.norm(gm.astype(dtype).astype(np.float64) - np.eye(200))
    got = _linalg._gram_distance(g)
    assert got == pytest.approx(want, rel=1e-5 if dtype == np.float32 else 1e-12)
    assert np.array_equal(g, before)  # the diagonal is restored


def test_cholqr_gram_buffer_keeps_a_zero_lower_triangle(monkeypatch):
    """The assumption _gram_distance makes: the Gram matrices syrk writes into the
    round's buffer have a zero strict lower triangle."""
    seen = []
    real = _linalg._gram_distance

    def spy(g):
        seen.append(float(np.abs(np.tril(g, -1)).max()))
        return real(g)
    monkeypatch.setattr(_linalg, "_gram_distance", spy)
    for order in ("C", "F"):
        x = np.asarray(wcinit.normal_(np.empty((300, 120), np.float32), generator=2), order=order)
        assert _linalg._cholqr_rounds(x, _linalg._routines(x.dtype))
    assert seen and max(seen) == 0.0
