import triton
import triton.language as tl

def host_broken(:
    pass

x = [1, 2,
class Foo(Base, metaclass=Meta):
    def method(self): return self


@triton.jit
def broken_kernel(x_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK
    tl.store(x_ptr + offs, 1.0, mask=offs < n)
    if offs[0] = 1:
        pass
    return x,, y
