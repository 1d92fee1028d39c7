import torch
import triton
import triton.language as tl
from typing import Optional

DEVICE = torch.device("cuda")


class Launcher(torch.nn.Module):
    """Host-side code that the front end must skip."""

    def __init__(self, block: int = 1024) -> None:
        super().__init__()
        self.block = block

    @property
    def grid(self):
        return lambda meta: (triton.cdiv(self.n, meta["BLOCK"]),)

    async def run(self, *args, **kwargs):
        async with self.lock:
            await self.step()


try:
    import numpy as np
except ImportError:
    np = None
finally:
    pass

with open("x") as f, torch.no_grad():
    data = [x ** 2 for x in range(10) if x % 2]
    table = {k: v for k, v in zip("ab", (1, 2))}
    print(f"{data=}", *data, sep=", ")

del data
assert DEVICE is not None, "no device"
raise SystemExit(0) if False else None
global_x: Optional[int] = None
ys = [*range(3)]
match ys:
    case [a, b, *rest]:
        pass


@triton.jit
def scale_kernel(x_ptr, n, s, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(x_ptr + offs, tl.load(x_ptr + offs, mask=offs < n) * s, mask=offs < n)


if __name__ == "__main__":
    x = torch.randn(4096, device=DEVICE)
    scale_kernel[(4,)](x, x.numel(), 2.0, BLOCK=1024)
