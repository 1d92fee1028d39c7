# Loads, stores and atomics: pointers, masks, cache modifiers, memory semantics.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    a = tl.load(x_ptr + offs, cache_modifier=".wb")
    tl.store(x_ptr + offs, 1.0, cache_modifier=".ca")
    b = tl.load(x_ptr + offs, cache_modifier=1)
    c = tl.load(x_ptr + offs, eviction_policy="evict_sometimes")
    d = tl.load(n)
    e = tl.load(x_ptr, mask=offs < 4)
    f = tl.load(x_ptr + offs, boundary_check=(0,))
    tl.store(x_ptr + offs, 1.0, boundary_check=(0,))
    g = tl.load(x_ptr + offs, other=0.0)
    tl.store(x_ptr, offs)
    h = tl.atomic_add(x_ptr, 1.0, sem="bogus")
    i = tl.atomic_add(x_ptr, 1.0, scope="bogus")
    j = tl.atomic_and(x_ptr, 1)

# expect: 10:12: error: unsupported cache_modifier 'wb' for a load (use .ca, .cg or .cv)
# expect: 11:8: error: unsupported cache_modifier 'ca' for a store (use .wb, .cg, .cs or .wt)
# expect: 12:12: error: cache_modifier must be a string, got an int
# hint: pass a string literal
# expect: 13:12: error: unsupported eviction_policy 'evict_sometimes' (use evict_first or evict_last)
# expect: 14:12: error: expected a pointer or a tensor of pointers, got a runtime scalar
# hint: pass a pointer argument plus offsets, e.g. x_ptr + offs
# expect: 15:12: error: the mask cannot be a tensor when the pointer is a single pointer (as in Triton)
# hint: add offsets to the pointer (ptr + tl.arange(...)) so that it is a block like the mask
# expect: 16:12: error: block pointers (boundary_check) are not supported yet
# hint: compute the offsets and a mask from tl.arange instead
# expect: 17:8: error: block pointers (boundary_check) are not supported yet
# hint: compute the offsets and a mask from tl.arange instead
# expect: 18:12: error: 'other' can only be given together with 'mask'
# hint: add mask=..., or drop other
# expect: 19:8: error: cannot store a tensor through a single pointer (as in Triton)
# hint: add offsets to the pointer: ptr + tl.arange(...)
# expect: 20:12: error: unknown sem 'bogus' (use acq_rel, acquire, release or relaxed)
# expect: 21:12: error: unknown scope 'bogus' (use gpu, cta or sys)
# expect: 22:12: error: tl.atomic_and does not support fp32 pointers
# hint: atomic_and/or/xor work on 32- and 64-bit ints
