#!/usr/bin/env python3
"""Reference values for tests/c/test_wmath.c, computed with mpmath.

    python3 tests/c/gen_wmath_ref.py            # writes tests/c/wmath_ref.h
    python3 tests/c/gen_wmath_ref.py --coeffs   # prints the polynomial fits
                                                # used in csrc/wmath.h

Every input is an exact double (written as a C99 hex literal); every
reference is the exact function value rounded to 25 significant digits
(a long double literal).
"""
import math
import os
import sys

import mpmath as mp

mp.mp.dps = 60


def fits():
    """Chebyshev fits behind the log / expm1 kernels of wmath.h."""
    zmax = mp.mpf("0.0295")  # > ((sqrt2 - 1) / (sqrt2 + 1))^2 = 0.02944

    def h(z):  # R(z)/z with log(1+f) = 2s + s R(s^2), s = f/(2+f)
        if z == 0:
            return mp.mpf(2) / 3
        s = mp.sqrt(z)
        return (2 * mp.atanh(s) - 2 * s) / (z * s)

    def g(r):  # (expm1(r) - r - r^2/2) / r^3
        if abs(r) < mp.mpf("1e-25"):
            return mp.mpf(1) / 6 + r / 24
        return (mp.expm1(r) - r - r * r / 2) / r ** 3

    rmax = mp.log(2) / 2 + mp.mpf("1e-3")
    for name, f, iv, deg in (("wc_log R(z)/z", h, [0, zmax], 6),
                             ("wc_logf R(z)/z", h, [0, zmax], 2),
                             ("expm1 kernel G(r)", g, [-rmax, rmax], 9)):
        c, err = mp.chebyfit(f, iv, deg + 1, error=True)
        print("%s: degree %d, max abs error %s" % (name, deg, mp.nstr(err, 3)))
        for x in reversed(c):  # constant term first
            print("    %s" % mp.nstr(x, 22))


def mills(x, terms=600):
    """Phi(-x)/phi(x) for x > 0 by Laplace's continued fraction
    1/(x+ 1/(x+ 2/(x+ 3/(x+ ...)))), evaluated backwards."""
    t = mp.mpf(0)
    for k in range(terms, 0, -1):
        t = k / (x + t)
    return 1 / (x + t)


def log_ncdf_and_ratio(z):
    """(log Phi(z), phi(z)/Phi(z)); for z < -20 through the Mills ratio so
    that nothing under- or overflows even for z ~ -1e150."""
    if z < -20:
        m = mills(-z)
        return -z * z / 2 - mp.log(2 * mp.pi) / 2 + mp.log(m), 1 / m
    c = mp.ncdf(z)
    return mp.log(c), mp.npdf(z) / c


def ndtri_from_log(lp):
    """z <= 0 with log Phi(z) = lp.  Newton on the concave log Phi from a
    start left of the root converges monotonically."""
    lp = mp.mpf(lp)
    z = -mp.sqrt(-2 * lp)
    for _ in range(400):
        lc, ratio = log_ncdf_and_ratio(z)
        znew = z - (lc - lp) / ratio
        if abs(znew - z) <= abs(znew) * mp.mpf(10) ** (-45) + mp.mpf(10) ** (-55):
            return znew
        z = znew
    raise RuntimeError("no convergence for lp=%s" % lp)


def log_ndtr(x):
    x = mp.mpf(x)
    if x > 0:
        return mp.log1p(-mp.ncdf(-x))
    return log_ncdf_and_ratio(x)[0]


def neighbours(x, n):
    out = [x]
    a = b = x
    for _ in range(n):
        a = math.nextafter(a, -math.inf)
        b = math.nextafter(b, math.inf)
        out += [a, b]
    return out


def logspace(a, b, n):
    la, lb = math.log(a), math.log(b)
    return [math.exp(la + (lb - la) * i / (n - 1)) for i in range(n)]


def lit(v):
    s = mp.nstr(v, 25)
    if "e" not in s and "." not in s:
        s += ".0"
    return s + "L"


def table(name, key, rows):
    out = ["static const struct { double %s; long double ref; } %s[] = {" % (key, name)]
    for x, v in rows:
        out.append("    {%s, %s}," % (float(x).hex(), lit(v)))
    out.append("};")
    out.append("#define %s_N (sizeof %s / sizeof %s[0])" % (name.upper(), name, name))
    return "\n".join(out)


def main():
    if "--coeffs" in sys.argv:
        fits()
        return
    tiny = math.ldexp(1.0, -1074)
    # --- ndtri: p in [2^-1074, 0.5] ---
    ps = set(p for p in logspace(tiny, 0.5, 600) if 0 < p <= 0.5)
    for p in (tiny, 2 * tiny, 3 * tiny, math.ldexp(1, -1060), math.ldexp(1, -1030),
              math.ldexp(1, -1023), math.ldexp(1, -1022), math.nextafter(math.ldexp(1, -1022), 0),
              1e-300, 1e-100, 1e-20, math.ldexp(1, -40), 1e-10, 1e-3, 0.1, 0.25,
              math.nextafter(0.5, 0), 0.5):
        ps.add(p)
    for p in neighbours(0.075, 3) + neighbours(math.exp(-25.0), 3):
        ps.add(p)
    ps = sorted(ps)
    ndtri = [(p, ndtri_from_log(mp.log(mp.mpf(p)))) for p in ps]

    # --- ndtri_log: lp in [-1e300, log 0.5] ---
    lps = set(-v for v in logspace(0.6931471805599453, 1e300, 600))
    for lp in neighbours(-700.0, 2) + neighbours(math.log(0.075), 2) + neighbours(-25.0, 2):
        lps.add(lp)
    for k in range(2, 16):
        lps.add(math.log(0.5) - 10.0 ** -k)
    for lp in (math.log(0.5), -0.7, -1.0, -2.0, -10.0, -100.0, -699.0, -701.0, -744.44, -745.2,
               -800.0, -1e4, -1e6, -1e10, -1e20, -1e100, -1e300):
        lps.add(lp)
    lps = sorted(lps)
    ndtri_log = [(lp, ndtri_from_log(lp)) for lp in lps]

    # --- ndtr / log_ndtr ---
    c1 = 0.46875 * math.sqrt(2.0)
    c2 = 4.0 * math.sqrt(2.0)
    xs = set(-40.0 + 50.0 * i / 599 for i in range(600))
    for x in neighbours(-c1, 2) + neighbours(c1, 2) + neighbours(-c2, 2) + neighbours(c2, 2):
        xs.add(x)
    for x in (0.0, 1e-300, -1e-300, 1e-8, -1e-8, -37.5, -38.0, -38.4, -38.5, -38.6, -39.0,
              8.0, 8.3, 9.0, 10.0, 20.0):
        xs.add(x)
    xs = sorted(xs)
    ndtr = [(x, mp.ncdf(x)) for x in xs]
    lxs = set(xs)
    lxs |= set(-v for v in logspace(1.0, 1e150, 300))
    lxs |= set(logspace(1.0, 40.0, 100))
    for x in (-1e10, -1e5, -1e3, -100.0, -50.0, 30.0, 38.0, 38.5, 39.0):
        lxs.add(x)
    lxs = sorted(lxs)
    lndtr = [(x, log_ndtr(x)) for x in lxs]

    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "wmath_ref.h"), "w") as f:
        f.write("/* wmath_ref.h -- generated by tests/c/gen_wmath_ref.py (mpmath %s), "
                "do not edit. */\n" % mp.__version__)
        f.write("#ifndef WMATH_REF_H\n#define WMATH_REF_H\n\n")
        f.write("/* Phi^-1(p) for p in [2^-1074, 0.5] */\n")
        f.write(table("wmath_ref_ndtri", "p", ndtri) + "\n\n")
        f.write("/* Phi^-1(exp(lp)) for lp in [-1e300, log 0.5] */\n")
        f.write(table("wmath_ref_ndtri_log", "lp", ndtri_log) + "\n\n")
        f.write("/* Phi(x) */\n")
        f.write(table("wmath_ref_ndtr", "x", ndtr) + "\n\n")
        f.write("/* log Phi(x) */\n")
        f.write(table("wmath_ref_log_ndtr", "x", lndtr) + "\n\n")
        f.write("#endif\n")


if __name__ == "__main__":
    main()
