"""The Q factor of orthogonal_: CholeskyQR2 on SciPy's BLAS/LAPACK.

``orthogonal_q(x)`` overwrites a tall (m >= n) work matrix ``x`` with the Q of
its QR factorization with positive diag(R), the factor torch's orthogonal_
gets from Householder QR followed by ``Q * sign(diag(R))``: for a full-rank
matrix that factorization is unique, so both are the same matrix up to
rounding.

CholeskyQR (Yamamoto, Nakatsukasa, Yanagisawa and Fukaya, "Roundoff error
analysis of the CholeskyQR2 algorithm", ETNA 44, 2015): G = X^T X (syrk),
R = chol(G) (potrf), X <- X R^{-1} (trsm).  All BLAS-3, so it runs at gemm
speed where Householder QR (geqrf + orgqr) spends much of its time in
panel factorizations.  One round leaves X orthogonal to about kappa(X)^2 u;
a second round, on an X that is already nearly orthogonal, brings it to
O(u).  Rounds repeat until the Gram matrix of a round's input is within 0.5
of I in Frobenius norm (then that input has kappa^2 <= 3 and the round's
output is orthogonal to rounding), at most ``_MAX_ROUNDS`` times.  When the
Cholesky factorization fails (kappa(X)^2 u near 1, possible in float32 for
large square matrices) the round adds a shift s I to G first, as in shifted
CholeskyQR3 (Fukaya, Kannan, Nakatsukasa, Yamamoto and Yanagisawa, "Shifted
Cholesky QR for computing the QR factorization of ill-conditioned matrices",
SIAM J. Sci. Comput. 42(1), 2020), which still yields X = Q R with an upper
triangular R of positive diagonal, so the same Q.  If all that fails, the
caller falls back to Householder QR on a copy of the input.

Near-square float64 matrices (m < 1.5 n) go straight to Householder QR, which
measured faster there (CholeskyQR2 costs 4 m n^2 flops, Householder
4 m n^2 - 4/3 n^3).  Without SciPy, ``orthogonal_q`` returns None and the caller uses NumPy's
Householder QR.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

_MAX_ROUNDS = 6
_MAX_SHIFTS = 4

_controller: Any = None
_lock = threading.Lock()
_limiter: Any = None  # the limit in force while _users > 0
_users = 0


def _get_controller() -> Any:
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError:
            _controller = False
        else:
            _controller = ThreadpoolController()
    return _controller


def _enter_blas_threads(n: int) -> None:
    """Run the BLAS with ``n`` threads (threadpoolctl's limit) until the matching
    _exit_blas_threads.  The BLAS thread count is process-wide, so concurrent
    calls share one limit: the first sets it, the last restores the count found
    before.  Without threadpoolctl, nothing."""
    global _limiter, _users
    with _lock:
        if _users == 0:
            controller = _get_controller()
            _limiter = controller.limit(limits=n, user_api="blas") if controller else None
        _users += 1


def _exit_blas_threads() -> None:
    global _limiter, _users
    with _lock:
        _users -= 1
        if _users == 0 and _limiter is not None:
            _limiter.restore_original_limits()
            _limiter = None


def _routines(dtype: np.dtype) -> Any:
    try:
        from scipy.linalg import blas, lapack  # type: ignore[import-untyped]
    except ImportError:
        return None
    if dtype == np.float32:
        return blas.ssyrk, lapack.spotrf, blas.strsm
    return blas.dsyrk, lapack.dpotrf, blas.dtrsm


def _gram_distance(g: np.ndarray) -> float:
    """||G - I||_F of the symmetric G held in the upper triangle of ``g``,
    whose strict lower triangle is zero (_cholqr_rounds keeps it so): no
    triangle copy (np.triu of a 1024^2 matrix costs 5 ms, 6 % of orthogonal_)."""
    diag = g.diagonal().copy()
    np.fill_diagonal(g, 0)  # the off-diagonal sum alone: no cancellation against n
    try:
        flat = g.ravel(order="K")  # a view (vdot of a Fortran array would copy it)
        upper2 = float(np.dot(flat, flat))  # the strict upper triangle, squared
    finally:
        np.fill_diagonal(g, diag)
    dev = diag.astype(np.float64) - 1.0
    return float(np.sqrt(max(2.0 * upper2 + float(np.dot(dev, dev)), 0.0)))


def _lambda_max(g: np.ndarray) -> float:
    """An estimate (from above, a few power steps) of the largest eigenvalue
    of the symmetric positive semidefinite G given by its upper triangle."""
    u = np.triu(g, 1)
    s = u + u.T
    np.fill_diagonal(s, g.diagonal())
    v = np.ones(s.shape[0], s.dtype)
    lam = float(np.abs(g.diagonal()).max())
    for _ in range(8):
        w = s @ v
        nv = float(np.linalg.norm(v))
        nw = float(np.linalg.norm(w))
        if nv == 0 or nw == 0 or not np.isfinite(nw):
            break
        lam = max(lam, nw / nv)
        v = w / nw
    return 2.0 * lam


def _cholqr_rounds(x: np.ndarray, routines: Any) -> bool:
    """CholeskyQR rounds on the tall matrix ``x`` in place; True on success."""
    syrk, potrf, trsm = routines
    m, n = x.shape
    fortran = x.flags.f_contiguous
    # LAPACK sees a C-ordered x as its transpose y = x^T (n x m, Fortran order):
    # G = x^T x = y y^T, and x <- x R^{-1} is y <- R^{-T} y.
    y = x if fortran else x.T
    u = float(np.finfo(x.dtype).eps) / 2
    # one Gram buffer for every round: syrk (beta 0) writes its upper triangle
    # only, so the strict lower one stays zero, as _gram_distance needs
    c = np.zeros((n, n), dtype=x.dtype, order="F")
    for rounds in range(_MAX_ROUNDS):
        g = syrk(1.0, y, beta=0.0, c=c, trans=1 if fortran else 0, lower=0, overwrite_c=1)
        if not np.isfinite(g.diagonal()).all():
            return False
        done = rounds > 0 and _gram_distance(g) <= 0.5
        r, info = potrf(g, lower=0, clean=1, overwrite_a=0)
        shift = 0.0
        shifts = 0
        while info != 0:
            if shifts == _MAX_SHIFTS:
                return False
            if shift == 0.0:
                shift = 11.0 * (m + n + 1) * u * _lambda_max(g)
            else:
                shift *= 16.0
            shifts += 1
            done = False
            gs = g.copy(order="F")
            gs[np.diag_indices(n)] += shift
            r, info = potrf(gs, lower=0, clean=1, overwrite_a=1)
        if fortran:
            out = trsm(1.0, r, y, side=1, lower=0, trans_a=0, diag=0, overwrite_b=1)
        else:
            out = trsm(1.0, r, y, side=0, lower=0, trans_a=1, diag=0, overwrite_b=1)
        if out is not y:  # pragma: no cover - f2py copies only a misaligned b
            y[...] = out
        if done:
            return True
    return False


def orthogonal_q(x: np.ndarray, threads: int) -> np.ndarray | None:
    """The Q (positive diag(R)) of the tall float32/float64 matrix ``x``
    (C or Fortran contiguous, ours to overwrite), computed in place with
    ``threads`` BLAS threads; None without SciPy."""
    routines = _routines(x.dtype)
    if routines is None:
        return None
    _enter_blas_threads(threads)
    try:
        return _q(x, routines)
    finally:
        _exit_blas_threads()


def _q(x: np.ndarray, routines: Any) -> np.ndarray:
    m, n = x.shape
    if x.dtype == np.float64 and 2 * m < 3 * n:
        # near-square float64: CholeskyQR2's 4 m n^2 flops against Householder's
        # 4 m n^2 - 4/3 n^3 lose there (1024^2, 1 thread: 148 ms vs 124 ms, torch 145)
        x[...] = _householder(x.copy(order="K"))
        return x
    keep = x.copy(order="K")
    with np.errstate(all="ignore"):
        ok = _cholqr_rounds(x, routines)
    if ok:
        return x
    x[...] = _householder(keep)
    return x


def _householder(a: np.ndarray) -> np.ndarray:
    """The last resort: Householder QR (geqrf/orgqr) and torch's sign fix."""
    from scipy.linalg import qr  # type: ignore[import-untyped]
    q, r = qr(a, mode="economic", overwrite_a=True, check_finite=False)
    q *= np.sign(np.diagonal(r))
    return q
