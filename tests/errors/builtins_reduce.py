# Reductions and scans: axes, dtypes, inputs and combine functions.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


def not_jit(a, b):
    return a + b


@triton.jit
def pair(a, b, c, d):
    return a + c


@triton.jit
def tensor_out(a, b):
    return tl.arange(0, 4)


@triton.jit
def add(a, b):
    return a + b


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    x2 = x[:, None] + x[None, :]
    a = tl.sum(x, axis=1)
    b = tl.xor_sum(x)
    c = tl.sum(x_ptr + offs)
    d = tl.argmax(n, 0)
    e = tl.argmax(x2, None)
    nine = (x, x, x, x, x, x, x, x, x)
    f = tl.reduce(nine, 0, add)
    g = tl.reduce((x, x2), 0, add)
    h = tl.reduce(x, 0, not_jit)
    i = tl.reduce((x, offs), 0, pair)
    j = tl.reduce(x, 0, tensor_out)
    l = tl.reduce(x2, None, add)
    m = tl.cumsum(n)
    o = tl.associative_scan(x, 2, add)
    p = tl.reduce(x, 0, 3)

# expect: 31:12: error: axis 1 is out of range for a tensor of rank 1
# hint: a 1-D tensor has only axis 0 (or -1)
# expect: 32:12: error: xor_sum needs integers, got fp32
# hint: reduce the bits with x.to(tl.int32, bitcast=True)
# expect: 33:12: error: cannot reduce pointers
# hint: reduce the offsets, or the values loaded through the pointers
# expect: 34:12: error: tl.argmax needs a tensor
# hint: the input is a scalar: there is nothing to reduce
# expect: 35:12: error: tl.argmax with axis=None on a tensor of rank 2 is not supported yet (it needs reshape)
# hint: flatten it first: tl.argmax(tl.ravel(x), 0)
# expect: 37:12: error: a reduction takes 1 to 8 inputs, got 9
# hint: split it into several reductions
# expect: 38:12: error: the inputs of a reduction must be tensors of one shape
# hint: broadcast them to one shape first, e.g. with tl.broadcast_to
# expect: 39:12: error: 'not_jit' is not a @triton.jit function and cannot be called from a kernel
# hint: decorate it with @triton.jit
# expect: 40:12: error: combine_fn returns 1 value(s) for 2 input(s)
# hint: it takes 2 x 2 scalars and returns 2 (a tuple for more than one)
# expect: 41:12: error: combine_fn must return scalars
# hint: it combines two elements at a time: compute on its scalar arguments only
# expect: 42:12: error: tl.reduce with axis=None on a tensor of rank 2 is not supported yet (it needs reshape)
# hint: flatten it first: tl.reduce(tl.ravel(x), 0, fn)
# expect: 43:12: error: tl.cumsum needs a tensor
# hint: the input is a scalar: there is nothing to scan
# expect: 44:12: error: axis 2 is out of range for a tensor of rank 1
# hint: a 1-D tensor has only axis 0 (or -1)
# expect: 45:12: error: combine_fn must be a @triton.jit function, got an int
# hint: pass the name of a @triton.jit function of two scalars per input
