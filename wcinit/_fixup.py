"""Fixup (Zhang, Dauphin & Ma, "Fixup Initialization: Residual Learning
Without Normalization", ICLR 2019) as rules over a parameter tree."""
import functools
import re

from . import _api
from ._models import Init, Rule, as_rules, expectation, init_params

__all__ = ["fixup_", "fixup_rules"]

HE = functools.partial(_api.kaiming_normal_, nonlinearity="relu")


def _scaled(base, c):
    from ._models import describe

    def fill(arr, generator=None):
        base(arr, generator=generator)
        arr *= arr.dtype.type(c)
        return arr

    def expect(shape, dtype):
        e = dict(expectation(base, shape, dtype))
        for k in ("std", "low", "high"):
            if e.get(k) is not None:
                e[k] = e[k] * c
        return e
    return Init(fill, f"{describe(base)} × {c:.4g}", expect)




def _bias_of(weight_name):
    head, _, leaf = weight_name.rpartition(".")
    if leaf in ("weight", "kernel"):
        return (head + "." if head else "") + "bias"
    return None


def fixup_rules(branches, classifier=None, *, init=HE):
    r"""Fixup's rules: branch layers scaled by :math:`L^{-1/(2m-2)}`, last layers 0.

    ``branches`` lists the residual branches, each an ordered list of its
    layers' weight names; L = len(branches), m = the number of layers in a
    branch (each branch uses its own m >= 2).  Rules, in order: the
    classifier's weight and bias 0; the last layer of each branch (and its
    bias) 0; the other branch layers ``init`` scaled by :math:`L^{-1/(2m-2)}`,
    their biases 0; scalar multipliers (names ending ``scale``, ``multiplier``
    or ``gain``) 1 and scalar biases 0; every other weight of 2+ dims
    ``init`` (He normal by default), every other bias 0.

    Examples:
        >>> import wcinit
        >>> rules = wcinit.fixup_rules([["b0.conv1.weight", "b0.conv2.weight"]] * 1, "fc.weight")
        >>> len(rules) > 0
        True
    """
    if not branches:
        raise ValueError("fixup_: branches must list at least one residual branch")
    L = len(branches)
    rules = []
    cls = [] if classifier is None else [classifier] if isinstance(classifier, str) else list(classifier)
    for c in cls:
        rules.append(Rule.for_name(c, _api.zeros_))
        b = _bias_of(c)
        if b:
            rules.append(Rule.for_name(b, _api.zeros_))
    for k, br in enumerate(branches):
        br = list(br)
        m = len(br)
        if m < 2:
            raise ValueError(f"fixup_: branch {k} has {m} layer(s); Fixup's scale "
                             "L^(-1/(2m-2)) needs m >= 2 layers per branch")
        c = L ** (-1.0 / (2 * m - 2))
        for j, w in enumerate(br):
            rules.append(Rule.for_name(w, _api.zeros_ if j == m - 1 else _scaled(init, c)))
            b = _bias_of(w)
            if b:
                rules.append(Rule.for_name(b, _api.zeros_))
    rules += [
        Rule(re.compile(r"(^|[._])(scale|multiplier|gain)$"), _api.ones_),
        Rule(re.compile(r"(^|[._])bias\d*$"), _api.zeros_),
        Rule("*", init, ndim=(2, 3, 4, 5)),
    ]
    return rules


def fixup_(params, branches, classifier=None, *, init=HE, rules=None, generator=None,
           default=None, measure=True):
    r"""Initialize a residual network without normalization by Fixup, in place.

    Zhang, Dauphin & Ma (ICLR 2019), Fixup's three steps:

    1. the classification layer and the last layer of each residual branch are 0;
    2. the other layers get a standard init (He normal by default), and the
       weight layers inside residual branches are scaled by
       :math:`L^{-1/(2m-2)}` (L residual branches, m layers per branch);
    3. the scalar multipliers (1) and scalar biases (0) Fixup adds.

    With the last layers 0 every block starts as the identity; the scale makes
    each branch's contribution O(1/L) once the last layers move away from 0,
    so the output variance stays O(1) at any depth.

    Args:
        params: a parameter tree (see ``init_params``)
        branches: the residual branches, each an ordered list of its layers'
            weight names
        classifier: the classifier's weight name (or names)
        init: the standard initializer (default ``kaiming_normal_`` for ReLU)
        rules: rules tried first
        generator, default, measure: as ``init_params``

    Returns:
        InitReport

    Examples:
        >>> import numpy as np, wcinit
        >>> p = {f"b{i}": {"fc1": {"weight": np.empty((16, 16), np.float32)},
        ...               "fc2": {"weight": np.empty((16, 16), np.float32)}} for i in range(4)}
        >>> p["fc"] = {"weight": np.empty((10, 16), np.float32), "bias": np.empty(10, np.float32)}
        >>> rep = wcinit.fixup_(p, [[f"b{i}.fc1.weight", f"b{i}.fc2.weight"] for i in range(4)], "fc.weight", generator=0)
        >>> print(f"{rep['b0.fc1.weight'].expected_std:.6f}")  # sqrt(2 / 16) * 4 ** -0.5
        0.176777
    """
    return init_params(params, as_rules(rules) + fixup_rules(branches, classifier, init=init),
                       generator=generator, default=default, measure=measure)
