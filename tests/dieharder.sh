#!/usr/bin/env bash
# Stream raw wcinit Philox4x32-10 output into dieharder.
#
#   tests/dieharder.sh                 full battery: dieharder -g 200 -a  (30-90 min)
#   tests/dieharder.sh --quick         a few tests that finish in about a minute (CI)
#   tests/dieharder.sh --seed 7 --stream 3 --log /tmp/dh.log
#   tests/dieharder.sh -- -d 17        anything after -- is passed to dieharder as is
#                                      (replaces -a / the quick test list)
#
# The producer calls wcinit._core._raw(out_uint32, generator), which fills a
# C-contiguous uint32 array with raw Philox words in the library's element
# order (element e of tile t = word e // 16 of block offset + 16 t + e % 16)
# and advances the generator; the bytes go to stdout until dieharder closes
# the pipe.  dieharder reads them with -g 200 (stdin_input_raw).
#
# Requires dieharder (Debian/Ubuntu: apt-get install -y dieharder); this
# script installs nothing.  Exit status: 0 no FAILED result, 1 at least one
# FAILED, 2 dieharder missing, 3 no result parsed (producer or dieharder error).
set -u -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-python3}"
QUICK=0
SEED=20240407
STREAM=0
LOG=""
EXTRA=()

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --seed) SEED="$2"; shift ;;
        --stream) STREAM="$2"; shift ;;
        --log) LOG="$2"; shift ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "dieharder.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
    esac
    shift
done

if ! command -v dieharder >/dev/null 2>&1; then
    echo "dieharder.sh: dieharder is not installed (Debian/Ubuntu: apt-get install -y dieharder)" >&2
    exit 2
fi

# One dieharder run per entry (dieharder honours only the last -d of a command line).
if [ ${#EXTRA[@]} -gt 0 ]; then
    RUNS=("${EXTRA[*]}")
elif [ "$QUICK" = 1 ]; then
    # Birthdays, OPERM5, 32x32 binary rank, count-the-1s (stream), runs, STS
    # monobit, STS runs, RGB bit distribution (8-bit patterns), RGB lagged sum,
    # byte distribution, DAB monobit 2: bit-, word- and sequence-level tests,
    # about a minute together (one CPU).
    RUNS=("-d 0" "-d 1" "-d 2" "-d 8" "-d 15" "-d 100" "-d 101" "-d 200 -n 8"
          "-d 203 -n 1" "-d 205" "-d 209")
else
    RUNS=("-a")
fi

if [ -z "$LOG" ]; then
    LOG="$(mktemp "${TMPDIR:-/tmp}/wcinit-dieharder.XXXXXX.log")"
fi

# The producer: raw bytes to stdout forever (until EPIPE).
read -r -d '' PRODUCER <<'EOF'
import os, signal, sys
import numpy as np
import wcinit
from wcinit import _core

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # die quietly when dieharder is done
seed, stream = int(sys.argv[1]), int(sys.argv[2])
g = wcinit.Generator(seed, stream)
buf = np.empty(1 << 20, dtype=np.uint32)  # 4 MiB per write, a multiple of the 64-word tile
out = sys.stdout.buffer
try:
    while True:
        _core._raw(buf, g)
        out.write(memoryview(buf).cast("B"))
except BrokenPipeError:
    pass
EOF

echo "dieharder.sh: seed=$SEED stream=$STREAM runs: ${#RUNS[@]}  (log: $LOG)"
: > "$LOG"
START=$(date +%s)
STATUS=(0 0)
for run in "${RUNS[@]}"; do
    # shellcheck disable=SC2086  # $run is a list of dieharder arguments
    PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -c "$PRODUCER" "$SEED" "$STREAM" \
        | dieharder -g 200 $run 2>&1 | tee -a "$LOG"
    st=("${PIPESTATUS[@]}")
    # the producer dies of SIGPIPE (141) when dieharder stops reading: expected
    if [ "${st[0]}" -ne 0 ] && [ "${st[0]}" -ne 141 ]; then STATUS[0]=${st[0]}; fi
    if [ "${st[1]}" -ne 0 ]; then STATUS[1]=${st[1]}; fi
done
END=$(date +%s)

PASSED=$(grep -c '|  *PASSED *$' "$LOG" || true)
WEAK=$(grep -c '|  *WEAK *$' "$LOG" || true)
FAILED=$(grep -c '|  *FAILED *$' "$LOG" || true)
echo "dieharder.sh summary: PASSED=$PASSED WEAK=$WEAK FAILED=$FAILED  ($((END - START)) s, log: $LOG)"
if [ $((PASSED + WEAK + FAILED)) -eq 0 ]; then
    echo "dieharder.sh: no test result was parsed (producer status ${STATUS[0]}, dieharder status ${STATUS[1]})" >&2
    exit 3
fi
if [ "$FAILED" -gt 0 ]; then
    grep '|  *FAILED *$' "$LOG" >&2
    exit 1
fi
exit 0
