# tl.program_id, tl.arange, tl.zeros/full: compile-time arguments, shapes, limits.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    a = tl.program_id(3)
    b = tl.arange(0, n)
    c = tl.arange(0, 2**40)
    d = tl.arange(4, 4)
    e = tl.arange(0, 10)
    f = tl.arange(0, 2**21)
    g = tl.zeros((16,), 1)
    h = tl.zeros((2, 2, 2, 2, 2), tl.float32)
    i = tl.zeros(n, tl.float32)
    j = tl.zeros((10,), tl.float32)
    l = tl.zeros((2048, 1024), tl.float32)
    m = tl.zeros((n, 2), tl.float32)
    o = tl.full((16,), offs, tl.float32)
    p = tl.full((16,), "one", tl.float32)

# expect: 10:12: error: program axis must be 0, 1 or 2, got 3
# hint: grids have at most 3 dimensions
# expect: 11:12: error: arange end must be a compile-time int, got a runtime scalar
# hint: use a literal, a tl.constexpr parameter, or a value computed from them
# expect: 12:12: error: arange bounds must fit in int32, got 0 and 1099511627776
# hint: arange from 0 and add a 64-bit offset: base + tl.arange(0, BLOCK)
# expect: 13:12: error: arange's end (4) must be greater than its start (4)
# hint: write tl.arange(start, end) with start < end
# expect: 14:12: error: arange's range must be a power of two, got 10
# hint: use tl.arange(0, triton.next_power_of_2(n)) with a mask
# expect: 15:12: error: arange of 2097152 elements exceeds Triton's limit of 1048576
# hint: use smaller blocks and loop over the data
# expect: 16:12: error: expected a dtype (e.g. tl.float32), got an int
# expect: 17:12: error: tensors of rank above 4 are not supported
# hint: merge dimensions: a block has at most 4
# expect: 18:12: error: a shape must be a tuple of compile-time ints, got a runtime scalar
# hint: e.g. (BLOCK_M, BLOCK_N) with tl.constexpr parameters
# expect: 19:12: error: shape dimension 10 is not a power of two (Triton requires power-of-two block shapes)
# hint: round up with triton.next_power_of_2 and mask the tail
# expect: 20:12: error: a block of 2097152 elements exceeds Triton's limit of 1048576 (2^20)
# hint: use smaller blocks and loop over the data
# expect: 21:12: error: a shape dimension must be a compile-time int, got a runtime scalar
# hint: use a literal, a tl.constexpr parameter, or a value computed from them
# expect: 22:12: error: tl.full's value must be a scalar
# hint: to fill a block from a tensor, use tl.broadcast_to(x, shape)
# expect: 23:12: error: tl.full's value must be a number, got a string
# hint: e.g. tl.full((BLOCK,), 0.0, tl.float32)
