#!/usr/bin/env python3
"""Run wcinit's benchmarks: ``python benchmarks/bench.py [--quick] [options]``.

The same as ``python -m wcinit bench [options]``; the implementation is
wcinit/_bench.py.  See benchmarks/README.md, or ``--help``.
"""
import sys

try:
    from wcinit._bench import main
except ImportError:  # not installed: use the checkout this script lives in
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from wcinit._bench import main

if __name__ == "__main__":
    sys.exit(main())
