import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n):
    acc = 0
    for i in tl.static_range(4096):
        for j in tl.static_range(4096):
            for k in tl.static_range(4096):
                acc += 1
    tl.store(x_ptr, acc)
