# An output file that cannot be created.
# args: --emit=tir -o /nonexistent-dir/out.tir
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: cannot write '/nonexistent-dir/out.tir'
