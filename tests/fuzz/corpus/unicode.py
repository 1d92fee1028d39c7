# -*- coding: utf-8 -*-
"""Docstring with unicode: λ ∑ 🚀 café."""
import triton
import triton.language as tl

NAME = "日本語"  # — comment


@triton.jit
def unicode_kernel(x_ptr, n, BLOCK: tl.constexpr):
    # α = β + γ
    offs = tl.arange(0, BLOCK)
    tl.static_assert(BLOCK > 0, "✓ ok")
    tl.store(x_ptr + offs, 1.0, mask=offs < n)
