# tl.dot: shapes, dtypes, out_dtype and input_precision.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    r = tl.arange(0, BLOCK)
    a = tl.load(x_ptr + r[:, None] * BLOCK + r[None, :])
    a3 = tl.reshape(a, (2, 8, 16))
    a8 = tl.zeros((BLOCK, 8), tl.float32)
    h = a.to(tl.float16)
    i = r[:, None] + r[None, :]
    b = tl.dot(a3, a3)
    c = tl.dot(r, r)
    d = tl.dot(a8, a8)
    e = tl.dot(a, h)
    f = tl.dot(i, i)
    g = tl.dot(h, h, out_dtype=tl.bfloat16)
    j = tl.dot(h, h, out_dtype=tl.int32)
    l = tl.dot(a, a, input_precision="fast")

# expect: 15:12: error: batched (3-D) tl.dot is not supported yet
# hint: loop over the batch with 2-D tl.dot calls
# expect: 16:12: error: tl.dot needs 2-D tensors, got ranks 1 and 1
# hint: make the inputs 2-D, e.g. x[None, :] or tl.reshape(x, (M, K))
# expect: 17:12: error: tl.dot: the inner dimensions differ (8 and 16)
# hint: a is M x K and b must be K x N; transpose b with tl.trans if needed
# expect: 18:12: error: tl.dot needs both inputs of one dtype, got fp32 and fp16
# hint: cast one of them with .to()
# expect: 19:12: error: tl.dot does not support i32 inputs (int8, uint8, fp16, bf16, fp32, fp64)
# hint: convert the inputs first, e.g. with .to(tl.float32)
# expect: 20:12: error: tl.dot does not accept out_dtype=bfloat16 (as Triton); use float32 and .to(tl.bfloat16)
# expect: 21:12: error: out_dtype i32 does not fit fp16 inputs
# hint: int8 inputs give int32, fp16 inputs fp32 or fp16, bf16 and fp32 inputs fp32, fp64 inputs fp64
# expect: 22:12: error: unknown input_precision 'fast' (ieee, tf32, tf32x3)
