"""``python -m wcinit``: initialize a small network and print per-layer statistics.

Unknown arguments are a usage error (exit status 2).  The benchmarks are not
part of the package: run ``python benchmarks/bench.py`` in a checkout or an
unpacked sdist (see benchmarks/README.md).
"""
import argparse
import sys


def build_parser():
    from . import __version__
    p = argparse.ArgumentParser(
        prog="python -m wcinit",
        description="Initialize a small network with wcinit and print each parameter's "
                    "statistics against its rule, then the signal through 20 layers under "
                    "several inits with their verdicts (Healthy / Vanishing / Exploding).",
        epilog="Benchmarks: python benchmarks/bench.py (in a checkout or the unpacked sdist).")
    p.add_argument("--version", action="version", version=f"wcinit {__version__}")
    # -- diagnostics showcase (wcinit/_demo.py reads args.plot)
    p.add_argument("--plot", metavar="PATH", help="also write the figures to one PNG at PATH "
                   "(needs matplotlib)")
    # -- end diagnostics showcase
    return p


def main(argv=None):
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    from ._demo import main as demo_main
    return demo_main(args)  # the parsed options (--plot PATH)


if __name__ == "__main__":
    sys.exit(main())
