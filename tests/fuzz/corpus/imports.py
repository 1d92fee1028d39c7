import triton
import triton.language as tl
import triton.language
import triton.language as language, math
from triton import language as tl2
from triton import jit
from triton.language import program_id, arange, load, store
from triton.language import (
    constexpr,
    zeros as z0,
)
from triton.language.extra import libdevice
from triton.language.math import exp
from . import sibling
from .. import parent as par
from math import *
import numpy as np, torch


@jit
def imports_kernel(x_ptr, y_ptr, n, BLOCK: constexpr):
    offs = program_id(0) * BLOCK + arange(0, BLOCK)
    mask = offs < n
    x = load(x_ptr + offs, mask=mask)
    y = libdevice.exp(x) + tl2.exp(x) + language.sqrt(x) + exp(x)
    y = y + triton.language.abs(x) + z0((BLOCK,), dtype=tl.float32)
    store(y_ptr + offs, y, mask=mask)
