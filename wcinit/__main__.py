"""python -m wcinit          initialize a small network and print per-layer statistics
python -m wcinit bench    run the side-by-side benchmarks (see benchmarks/README.md)"""
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "bench":
        from ._bench import main as bench_main
        return bench_main(argv[1:])
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    from ._demo import main as demo_main
    return demo_main(argv)


if __name__ == "__main__":
    sys.exit(main())
