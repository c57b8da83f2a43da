"""Build wcinit._core.

The ISA kernel files (csrc/sample_avx2.c, csrc/sample_avx512.c) are compiled
on their own with their target flags; every other file gets only the baseline
flags, so no AVX instruction can leak outside the dispatched kernels.
"""
import os
import platform
import sys

import numpy as np
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CORE = ["philox.c", "sample.c", "sample_scalar.c", "cpu.c", "rules.c", "parallel.c", "rng.c",
        "overlap.c"]
GLUE = ["pymodule.c"]
IS_X86 = platform.machine().lower() in ("x86_64", "amd64", "x64")
ISA_FLAGS = {
    "sample_avx2.c": ["-mavx2", "-mfma", "-mf16c"],
    "sample_avx512.c": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"],
}

BASE_FLAGS = [
    "-std=c11", "-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math",
    "-Wall", "-Wextra", "-Wno-unused-function",
]
# WCINIT_WERROR=1 turns warnings into errors: CI (.ci/run) and development builds
# (tests/sanitize.sh) set it; users' builds do not, so a newer compiler's new
# warning never stops an install.
if os.environ.get("WCINIT_WERROR") == "1":
    BASE_FLAGS.append("-Werror")
# WCINIT_SANITIZE=1 builds with AddressSanitizer and UBSan (tests/sanitize.sh).
SANITIZE = os.environ.get("WCINIT_SANITIZE") == "1"
# -fno-wrapv: Python's CFLAGS carry -fwrapv, which would hide signed overflow from UBSan.
SAN_FLAGS = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
             "-fno-sanitize-recover=undefined", "-fno-wrapv", "-O1", "-g"]


class BuildExt(build_ext):
    def build_extension(self, ext):
        if IS_X86 and self.compiler.compiler_type == "unix":
            objects = []
            for src, flags in ISA_FLAGS.items():
                objects += self.compiler.compile(
                    [os.path.join("csrc", src)],
                    output_dir=self.build_temp,
                    include_dirs=["csrc"],
                    extra_postargs=BASE_FLAGS + (SAN_FLAGS if SANITIZE else []) + flags,
                )
            ext.extra_objects = list(ext.extra_objects or []) + objects
        super().build_extension(ext)


ext = Extension(
    "wcinit._core",
    sources=[os.path.join("csrc", f) for f in CORE + GLUE],
    include_dirs=["csrc", np.get_include()],
    extra_compile_args=BASE_FLAGS + (SAN_FLAGS if SANITIZE else []),
    extra_link_args=(["-fsanitize=address,undefined"] if SANITIZE else []) + ["-lpthread", "-lm"],
)

setup(ext_modules=[ext], cmdclass={"build_ext": BuildExt})
