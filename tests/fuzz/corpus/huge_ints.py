import triton
import triton.language as tl

BIG = 9223372036854775807
TOO_BIG = 2 ** 64
HEX = 0xFFFF_FFFF
OCT = 0o777
BIN = 0b1010_1010
FLT = 1.7976931348623157e308
TINY = 5e-324
UNDER = 1_000_000


@triton.jit
def huge_int_kernel(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    a = 2147483647 + 1
    b = -9223372036854775807 - 1
    c = 0x7fffffffffffffff
    d = 4294967296 * 2147483647
    e = 1e400
    f = .5 + 1. + 1e-5 + 1E+3
    g = 9223372036854775807
    tl.store(x_ptr + offs, a + b + c + d + e + f + g + BIG + HEX, mask=offs < n)
