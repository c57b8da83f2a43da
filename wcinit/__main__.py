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
        description="Initialize a small network with wcinit and print each layer's statistics "
                    "against its rule's analytical std, then the signal variance through 20 "
                    "ReLU layers.",
        epilog="Benchmarks: python benchmarks/bench.py (in a checkout or the unpacked sdist).")
    p.add_argument("--version", action="version", version=f"wcinit {__version__}")
    return p


def main(argv=None):
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    from ._demo import main as demo_main
    return demo_main(args)  # the parsed options (none yet besides --version/--help)


if __name__ == "__main__":
    sys.exit(main())
