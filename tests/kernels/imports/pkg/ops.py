"""A helper in a sub-folder, imported as `pkg.ops` (as Liger imports liger_kernel.ops.utils)."""
import torch  # noqa: F401  host-side imports in a helper file are fine while kernels do not use them
import triton
import triton.language as tl


@triton.jit
def squared(x):
    return x * x
