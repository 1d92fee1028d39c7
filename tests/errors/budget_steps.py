# Unrolling that never ends in practice: the front end stops after a million steps.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    for i in tl.static_range(4096):
        for j in tl.static_range(4096):
            tl.store(x_ptr, 1.0)

# expect: 10:22: error: the kernel takes more than 1000000 steps to expand (unrolled loops, nested runtime loops or recursion?)
# hint: use tl.range instead of tl.static_range for long loops
