# Elementwise math, casts, shape ops, compile-time helpers and Python builtins.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl
from triton.language.extra import libdevice


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    a = tl.maximum(x, x, propagate_nan="all")
    b = libdevice.tanh(offs)
    c = tl.exp(offs)
    d = x.to(tl.float16, fp_downcast_rounding="rtz")
    e = x.to(tl.float16, bitcast=True)
    f = (x_ptr + offs).to(tl.int32)
    g = tl.permute(offs[:, None], 0, 0)
    h = tl.trans(1)
    i = tl.permute(offs[:, None], 0)
    j = tl.reshape(offs, (4, 8))
    l = tl.constexpr(x)
    m = min(())
    n = len(3)
    o = float(tl.float32)
    p = int("3")
    q = range(3)
    r = tl.float32.element_ty
    s = triton.jit(x)
    t = tl.fdiv(x, x, ieee_rounding=x)

# expect: 12:12: error: propagate_nan must be tl.PropagateNan.NONE or ALL
# expect: 13:19: error: libdevice.tanh expects a floating-point argument, got i32
# hint: cast first: x.to(tl.float32)
# expect: 14:12: error: Expected dtype ['fp32', 'fp64'] but got i32 (tl.exp)
# hint: cast first: x.to(tl.float32)
# expect: 15:11: error: fp_downcast_rounding='rtz' is not supported yet (only 'rtne')
# expect: 16:11: error: bitcast needs equal bit widths: fp32 has 32 bits, fp16 has 16
# hint: bitcast to a dtype of the same width (fp32 and int32, fp16 and int16 ...), or drop bitcast=True to convert
# expect: 17:24: error: pointers can only be cast to and from 64-bit integers
# hint: cast to tl.int64 (or tl.uint64)
# expect: 18:12: error: the dimensions must be a permutation of 0..1
# hint: name each dimension once, e.g. tl.permute(x, (1, 0))
# expect: 19:12: error: tl.trans needs a tensor
# hint: the input is a scalar: it has no dimensions to reorder
# expect: 20:12: error: tl.permute needs 2 dimensions, got 1
# hint: give one dimension per axis of the input
# expect: 21:12: error: cannot reshape 16 elements into 32
# hint: the new shape must hold the same number of elements
# expect: 22:12: error: tl.constexpr needs a compile-time value
# hint: runtime values (loads, program ids, arguments) cannot become constexprs
# expect: 23:9: error: min() of an empty tuple
# hint: give it at least one value
# expect: 24:9: error: len() needs a tuple, got an int
# hint: for a tensor, use x.numel or x.shape[i]
# expect: 25:9: error: float() cannot convert a dtype
# hint: float() takes a number, a numeric string or a scalar tensor
# expect: 26:9: error: int() cannot convert a string
# hint: int() takes a number or a scalar tensor
# expect: 27:9: error: range() can only be used as the iterable of a for loop
# hint: write for i in range(...):
# expect: 28:20: error: element_ty is only defined on pointer dtypes, not fp32
# hint: x_ptr.dtype.element_ty is the type x_ptr points to; x.dtype is already an element type
# expect: 29:16: error: triton.jit is a decorator, not a function to call inside a kernel
# hint: decorate a module-level function with @triton.jit and call it by name
# expect: 30:12: error: tl.fdiv's ieee_rounding must be a constexpr bool
# hint: pass True (IEEE division, as tl.div_rn) or False (as `/`)
