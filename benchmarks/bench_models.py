#!/usr/bin/env python3
"""Whole-model benchmark: a GPT-2-XL-shaped torch module, torch's own init vs
``wcinit.torch.init_module``, on the same module, 1 and 2 threads.

``python benchmarks/bench_models.py`` (GPT-2-XL: 48 layers, d = 1600, vocab
50257, context 1024: 1.56 B float32 parameters, 6.2 GB -- needs ~7 GB of
free memory); ``--small`` for a quick check (2 layers, d = 256, vocab 5000).

The module is built on the ``meta`` device and materialized with
``to_empty(device="cpu")`` (so construction draws nothing), then initialized
repeatedly in place by each contender (best of ``--repeat``, after one
untimed warm-up each, which also faults the pages in):

* ``default``: torch's ``reset_parameters()`` of every submodule
  (``module.apply``): Linear kaiming_uniform_(a=sqrt 5) + U(+-1/sqrt(fan_in))
  biases, Embedding N(0, 1), LayerNorm 1/0) vs ``init_module(module)``;
* ``gpt2``: GPT-2's scheme written in torch as users write it
  (normal_(0, 0.02) on every weight, 0.02/sqrt(2 n_layer) on the c_proj
  residual projections, zero_ biases, LayerNorm fill_) vs
  ``init_module(module, preset="gpt2")``.

The same thread count is set in torch (``torch.set_num_threads``) and in
wcinit (``wcinit.set_num_threads``).  wcinit runs with ``measure=False`` (no
per-parameter statistics: torch computes none either).  Nothing is asserted.
"""
import argparse
import datetime
import gc
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    import wcinit
except ImportError:  # not installed: use the checkout this script lives in
    sys.path.insert(0, str(HERE.parent))
    import wcinit
import torch
from torch import nn
import wcinit.torch as wt

GPT2_XL = dict(n_layer=48, d=1600, vocab=50257, ctx=1024)
SMALL = dict(n_layer=2, d=256, vocab=5000, ctx=128)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(d, 3 * d)
        self.attn.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(d, 4 * d)
        self.mlp.c_proj = nn.Linear(4 * d, d)


class GPT(nn.Module):
    """GPT-2's parameter shapes (the LM head is tied to wte: no parameter of its own)."""

    def __init__(self, n_layer, d, vocab, ctx):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d)


def torch_default(module):
    module.apply(lambda m: m.reset_parameters() if hasattr(m, "reset_parameters") else None)


def torch_gpt2(module, n_layer):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("c_proj.weight"):
                p.normal_(0.0, 0.02 / math.sqrt(2 * n_layer))
            elif name.endswith("bias"):
                p.zero_()
            elif ".ln_" in name or name.startswith("ln_"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02)


def best(fn, repeat):
    fn()  # warm-up (and first touch of the pages)
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="2 layers, d=256, vocab 5000 (a quick check)")
    for k, v in GPT2_XL.items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=int, default=None, help=f"(GPT-2-XL: {v})")
    ap.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    ap.add_argument("--schemes", default="default,gpt2", help="default and/or gpt2")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timed runs (default 3)")
    ap.add_argument("--json", default=None,
                    help="results file (default benchmarks/results/models_latest.json; 'none' to skip)")
    a = ap.parse_args(argv)
    cfg = dict(SMALL if a.small else GPT2_XL)
    for k in cfg:
        v = getattr(a, k)
        if v is not None:
            cfg[k] = v
    threads = [int(t) for t in a.threads.split(",")]
    schemes = a.schemes.split(",")

    with torch.device("meta"):
        model = GPT(**cfg)
    model.to_empty(device="cpu")
    n = sum(p.numel() for p in model.parameters())
    print(f"bench_models: GPT-2-shaped module {cfg}: {len(list(model.parameters()))} tensors, "
          f"{n / 1e9:.3f} B parameters, {4 * n / 2**30:.2f} GiB float32")
    print(f"python {platform.python_version()}, torch {torch.__version__}, wcinit {wcinit.__version__} "
          f"(simd {wcinit.get_simd()}), {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    print(f"{'scheme':8} {'threads':>7} {'torch (s)':>10} {'wcinit (s)':>11} {'ratio':>7}  G params/s (wcinit)")
    for scheme in schemes:
        for t in threads:
            torch.set_num_threads(t)
            wcinit.set_num_threads(t)
            if scheme == "default":
                t_torch = best(lambda: torch_default(model), a.repeat)
                t_wc = best(lambda: wt.init_module(model, generator=0, measure=False), a.repeat)
            elif scheme == "gpt2":
                t_torch = best(lambda: torch_gpt2(model, cfg["n_layer"]), a.repeat)
                t_wc = best(lambda: wt.init_module(model, preset="gpt2", generator=0, measure=False),
                            a.repeat)
            else:
                raise SystemExit(f"bench_models: unknown scheme {scheme!r}")
            rows.append(dict(scheme=scheme, threads=t, torch_s=t_torch, wcinit_s=t_wc,
                             ratio=t_torch / t_wc, params=n))
            print(f"{scheme:8} {t:7d} {t_torch:10.3f} {t_wc:11.3f} {t_torch / t_wc:6.2f}x  "
                  f"{n / t_wc / 1e9:.2f}", flush=True)
    out = a.json or str(HERE / "results" / ("models_small.json" if a.small else "models_latest.json"))
    if out != "none":
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w") as f:
            json.dump({"date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                       "config": cfg, "torch": torch.__version__, "wcinit": wcinit.__version__,
                       "simd": wcinit.get_simd(), "load_average": os.getloadavg(), "rows": rows},
                      f, indent=1)
        print(f"results: {out}")


if __name__ == "__main__":
    main()
