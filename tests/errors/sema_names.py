# Names, module globals, calls, subscripts and assignment targets.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl

SELF = tl.constexpr(SELF + 1)
PLAIN = 3
RUNTIME = tl.program_id(0)


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    t = (1, 2)
    a = not_defined
    b = SELF
    c = PLAIN
    d = RUNTIME
    e = tl.load(*x_ptr)
    f = tl.float32(1, 2)
    g = t(3)
    h = BLOCK[0]
    i = t[offs]
    j = t[5]
    l = offs[:, :]
    m = offs[1]
    o = *t
    p = lambda v: v
    q = {1: 2}
    u, v = offs
    offs[0] = 1
    x_ptr.foo = 1
    tl.load(x_ptr) = 1

# expect: 15:9: error: name 'not_defined' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 6:21: error: global 'SELF' is defined in terms of itself
# hint: give it a value that does not use its own name
# expect: 17:9: error: cannot access global variable PLAIN from within a @triton.jit function
# hint: Triton kernels can only read globals made with tl.constexpr, e.g. `PLAIN = tl.constexpr(...)`; annotating the global (`PLAIN: tl.constexpr = ...`) is not enough
# expect: 8:1: error: global 'RUNTIME' must be a compile-time value (tl.constexpr)
# hint: give it a constant value, `RUNTIME = tl.constexpr(...)`, or compute it inside the kernel
# expect: 19:17: error: '*' needs a tuple, got a runtime scalar
# hint: only a tuple can be unpacked into arguments; pass the value without '*'
# expect: 20:12: error: a dtype called as a function takes exactly one argument
# hint: write tl.float32(x), or x.to(tl.float32)
# expect: 21:9: error: a tuple is not callable
# hint: only tl functions, @triton.jit functions and dtypes can be called
# expect: 22:9: error: an int cannot be subscripted
# hint: only tensors (with None and ':') and tuples can be indexed
# expect: 23:11: error: tuple index must be a compile-time int, got a tensor
# hint: index tuples with constants or tl.static_range loop variables
# expect: 24:11: error: tuple index 5 out of range (length 2)
# hint: valid indices are 0 to 1, or -2 to -1
# expect: 25:17: error: too many indices for a tensor of rank 1
# hint: write one ':' per dimension of the tensor, and None for each new one
# expect: 26:14: error: unsupported tensor index: only None and ':' are allowed (as in Triton)
# hint: use tl.load with computed offsets to pick elements
# expect: 27:9: error: '*' is only allowed in call arguments
# hint: write the tuple itself, or (*t, x) as (t[0], t[1], x)
# expect: 28:9: error: lambda is only supported inside @triton.heuristics
# hint: define a @triton.jit function at module level instead
# expect: 29:9: error: dicts are not supported inside kernels
# hint: use a tuple, or separate values
# expect: 30:5: error: cannot unpack a tensor into 2 names
# hint: the value must be a tuple of 2 values
# expect: 31:9: error: assignment to a subscript is not supported (tensors are immutable in Triton)
# hint: use tl.where to build a new tensor, or tl.store to write memory
# expect: 32:11: error: assignment to an attribute is not supported in kernels
# hint: assign the value to a new name instead
# expect: 33:8: error: cannot assign to this expression
# hint: assign to a name, or to a tuple of names
