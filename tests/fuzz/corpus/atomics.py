import triton
import triton.language as tl


@triton.jit
def atomics_kernel(cnt_ptr, val_ptr, iout_ptr, n, BLOCK: tl.constexpr):
    pid = tl.program_id(0)
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    v = tl.load(val_ptr + offs, mask=mask, other=0).to(tl.int32)
    tl.atomic_add(cnt_ptr + (v % 8).to(tl.int32), 1, mask=mask, sem="relaxed")
    old = tl.atomic_max(iout_ptr, tl.max(v, axis=0), sem="acq_rel", scope="cta")
    tl.atomic_min(iout_ptr + 1, v, mask=mask)
    tl.atomic_and(iout_ptr + 2, 0xff)
    tl.atomic_or(iout_ptr + 3, 1 << 3, scope="sys")
    tl.atomic_xor(iout_ptr + 4, old)
    prev = tl.atomic_xchg(iout_ptr + 5, pid)
    tl.atomic_cas(iout_ptr + 6, prev, pid + 1, sem="acquire")
    tl.debug_barrier()
