import triton
import triton.language as tl


@triton.jit
def nested_cf_kernel(x_ptr, y_ptr, n, m, BLOCK: tl.constexpr, MODE: tl.constexpr = 2):
    pid = tl.program_id(0)
    acc = tl.zeros((BLOCK,), dtype=tl.float32)
    for i in range(0, n, BLOCK):
        offs = i + tl.arange(0, BLOCK)
        x = tl.load(x_ptr + offs, mask=offs < n, other=0.0)
        if MODE == 0:
            acc += x
        elif MODE == 1:
            acc = tl.maximum(acc, x)
        else:
            for j in range(m):
                if j % 2 == 0:
                    acc += x * j
                else:
                    acc -= x
    k = 0
    while k < m:
        if pid > k:
            acc = acc * 0.5
        k += 1
    for s in tl.static_range(3):
        if s == 1:
            acc += s
    total = tl.sum(acc, axis=0)
    if pid == 0:
        if total > 0:
            total = -total
        tl.store(y_ptr, total)
    else:
        tl.store(y_ptr + pid, total if total > 1 else 1.0)
