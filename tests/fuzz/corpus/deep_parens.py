import triton
import triton.language as tl

NESTED = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]


@triton.jit
def deep_paren_kernel(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs, mask=offs < n, other=0.0)
    y = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
    z = tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(tl.abs(x))))))))))))))))))))))))))))))
    w = -(-(-(-(-(~(offs)))))) + ((((1 + 2) * 3) - 4) // 5)
    tl.store(x_ptr + offs, y + z + w, mask=((((offs < n)))))
