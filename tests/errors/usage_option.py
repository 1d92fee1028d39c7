# ligerc usage: an unknown option (the usage text follows).
# args: --bogus
# exit: 2
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    tl.store(x_ptr, 1.0)

# expect-text: ligerc: unknown option '--bogus'
# expect-text: usage: ligerc FILE.py [options]
