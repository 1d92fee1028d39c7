# Values given with -D are Python expressions evaluated at module scope: one expression,
# and a compile-time value.
# args: --emit=tir -D A=1;2 -D B=tl.program_id(0) -D C=1+
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, A: tl.constexpr, B: tl.constexpr, C: tl.constexpr):
    tl.store(x_ptr, 1.0)

# expect: <constexpr A>:1:2: error: expected the end of the value, found ';'
# hint: a constexpr value is one Python expression, e.g. 128, 1e-6 or tl.float16
# expect: <constexpr B>:1:1: error: the value of constexpr 'B' must be a compile-time value
# hint: give a literal (128, 1e-6, True, "str") or an expression of constants (tl.float16, 2 ** 7)
# expect: <constexpr C>:1:3: error: expected an expression, found end of line
