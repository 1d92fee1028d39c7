"""jit helpers shared by kernel files (imported by use_helpers.py)."""
import triton
import triton.language as tl

SCALE = tl.constexpr(3)
OFFSET = SCALE + 1  # arithmetic on a tl.constexpr is a tl.constexpr


@triton.jit
def _identity(x):
    return x


@triton.jit
def scaled(x):
    # SCALE and _identity are this file's globals, whoever calls scaled()
    return _identity(x) * SCALE


@triton.jit
def shifted(x, by: tl.constexpr = OFFSET):
    return x + by
