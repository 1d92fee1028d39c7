# How a kernel's parameters get their values: -D only for tl.constexpr parameters, a value
# for each of them, and no -D for a name the kernel does not have. All are reported before
# the body is analysed.
# args: --emit=tir -D n=3 -D NOPE=1
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    tl.store(x_ptr, 1.0)

# expect: 10:14: error: 'n' is given as a constexpr but is not annotated tl.constexpr
# hint: annotate it (`n: tl.constexpr`), or give its type with --signature instead
# expect: 10:5: error: k() has no parameter named 'NOPE'
# hint: its tl.constexpr parameters are: BLOCK
# expect: 10:17: error: constexpr parameter 'BLOCK' has no value: pass it with -D BLOCK=VALUE
