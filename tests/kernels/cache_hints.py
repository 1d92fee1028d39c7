"""Cache modifiers and eviction hints on loads and stores (tests/test_ptx_features.sh,
tests/test_hsaco.sh).

z = x + y with every hint Triton accepts; the PTX must carry the matching qualifiers, and the
AMD code the matching cache-policy bits. cache_hint_kernel stays the last kernel of the file.
"""
import triton
import triton.language as tl


@triton.jit
def cache_volatile_kernel(x_ptr, y_ptr, z_ptr, n, BLOCK: tl.constexpr):
    # the modifiers that must reach memory: .cv and volatile loads, .wt stores
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m, other=0.0, cache_modifier=".cv")
    y = tl.load(y_ptr + offs, mask=m, other=0.0, volatile=True)
    tl.store(z_ptr + offs, x + y, mask=m, cache_modifier=".wt")


@triton.jit
def cache_hint_kernel(x_ptr, y_ptr, z_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    x = tl.load(x_ptr + offs, mask=m, other=0.0, cache_modifier=".cg")
    y = tl.load(y_ptr + offs, mask=m, other=0.0, eviction_policy="evict_last")
    tl.store(z_ptr + offs, x + y, mask=m, cache_modifier=".cs")
    tl.store(x_ptr + offs, x, mask=m, eviction_policy="evict_first")
