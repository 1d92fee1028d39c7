# An imported kernel file that exists but cannot be read (here: a directory).
import triton
import triton.language as tl
from inputs.unreadable import f


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, f(1.0))

# expect: 4:1: error: cannot read the imported kernel file
# hint: it exists but is not a readable file: check its type and permissions
