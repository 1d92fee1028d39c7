# How a kernel's parameters get their values: -D only for tl.constexpr parameters, a value
# for each of them, and no -D for a name the kernel does not have. The body is still
# analysed (a parameter without a value is poisoned): its own errors come after them.
# args: --emit=tir -D n=3 -D NOPE=1
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    tl.store(x_ptr + offs, undefined_in_body)

# expect: 10:14: error: 'n' is given as a constexpr but is not annotated tl.constexpr
# hint: annotate it (`n: tl.constexpr`), or give its type with --signature instead
# expect: 10:5: error: k() has no parameter named 'NOPE'
# hint: its tl.constexpr parameters are: BLOCK
# expect: 10:17: error: constexpr parameter 'BLOCK' has no value: pass it with -D BLOCK=VALUE
# expect: 12:28: error: name 'undefined_in_body' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
