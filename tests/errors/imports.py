# jit helpers imported from other kernel files: a name the file does not define, a file
# that does not exist, a module attribute that does not exist, a plain global read through
# a module.
import triton
import triton.language as tl
from inputs.helpers_err import missing_fn
from inputs.no_such_file import gone
import inputs.helpers_err as h


@triton.jit
def k(x_ptr):
    x = tl.load(x_ptr)
    a = missing_fn(x)
    b = gone(x)
    c = h.nope
    d = h.PLAIN
    tl.store(x_ptr, h.twice(x))

# expect: 14:9: error: cannot import name 'missing_fn' from
# hint: define 'missing_fn' at the top level of
# expect: 15:9: error: 'gone' is imported from a kernel file that was not found (looked for
# hint: put the file with the jit helpers next to the kernel file that imports it
# expect: 16:11: error: has no attribute 'nope'
# hint: define 'nope' at the top level of
# expect: 17:11: error: cannot access global variable PLAIN from within a @triton.jit function
# hint: make it `PLAIN = tl.constexpr(...)` in
