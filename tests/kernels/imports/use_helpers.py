"""A kernel built from jit helpers that live in other files of this folder.

Every import form Triton kernels use for helpers: `from m import f`, `import m as h`,
`from . import m`, and a dotted module path whose file sits in a sub-folder.
"""
import triton
import triton.language as tl

from helpers import scaled, shifted as shift
import helpers as h
from . import helpers
from pkg.ops import squared


@triton.jit
def use_helpers_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    x = tl.load(x_ptr + offs, mask=mask, other=0.0)
    # 3x + (x + 4) + x^2 + 3 * (x + 4)
    y = scaled(x) + shift(x) + squared(x) + h.scaled(helpers.shifted(x))
    tl.store(y_ptr + offs, y, mask=mask)
