# A GPU scan stages its tile in shared memory: more than the target allows is refused when
# the kernel is compiled, not when it is launched.
# args: --target=sm_90 --emit=ptx -D BLOCK=65536
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    tl.store(x_ptr + offs, tl.cumsum(tl.load(x_ptr + offs), 0))

# expect: 11:31: error: 'scan' needs 262144 bytes of shared memory here; sm_90 allows 232448 per block
# hint: GPU scans, trans, reshape and permute stage the whole tile in shared memory: use a smaller tile
