#!/usr/bin/env bash
# Build the C core for aarch64 (scalar path), run its tests under qemu, and check
# that its samplers write the same bits as on this x86-64 machine.
# Needs: apt-get install gcc-aarch64-linux-gnu qemu-user
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
for t in aarch64-linux-gnu-gcc qemu-aarch64 gcc; do
    command -v "$t" >/dev/null || { echo "cross_aarch64.sh: $t missing (apt-get install gcc-aarch64-linux-gnu qemu-user)" >&2; exit 2; }
done
W="$(mktemp -d)"; trap 'rm -rf "$W"' EXIT
FLAGS="-std=c11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -Wall -Wextra -Werror -Wno-unused-function -Icsrc"
for arch in x86 arm; do
    cc=gcc; [ $arch = arm ] && cc=aarch64-linux-gnu-gcc
    mkdir -p "$W/$arch"
    for f in philox sample sample_scalar sample_avx2 sample_avx512 cpu rules parallel; do
        extra=""
        if [ $arch = x86 ]; then
            [ $f = sample_avx2 ] && extra="-mavx2 -mfma"
            [ $f = sample_avx512 ] && extra="-mavx512f -mavx512bw -mavx512vl -mavx2 -mfma"
        fi
        $cc $FLAGS $extra -c csrc/$f.c -o "$W/$arch/$f.o"
    done
    $cc $FLAGS -static tests/c/stream_hash.c "$W/$arch"/*.o -o "$W/$arch/hash" -lm -pthread
done
aarch64-linux-gnu-gcc $FLAGS -static tests/c/test_core.c "$W/arm"/*.o -o "$W/arm/test_core" -lm -pthread
WCINIT_TEST_QUICK=1 qemu-aarch64 "$W/arm/test_core"
h86="$("$W/x86/hash")"; harm="$(qemu-aarch64 "$W/arm/hash")"
echo "stream hash x86-64 $h86, aarch64 $harm"
[ "$h86" = "$harm" ] && echo "cross_aarch64: same bits on both" || { echo "cross_aarch64: streams differ" >&2; exit 1; }
