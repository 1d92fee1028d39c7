# @triton.autotune and @triton.heuristics: what their arguments must look like. ligerc
# reads the decorators of the kernel it compiles (the first config supplies constexprs).
import functools

import triton
import triton.language as tl


@functools.lru_cache
@triton.autotune(configs=[1, triton.Config(1), triton.Config({1: 2}), triton.Config({"B": 1}, num_warps="x"),
                          triton.Config({"B": (1, 2)})], key=["n"])
@triton.autotune(key=["n"])
@triton.heuristics(1)
@triton.heuristics({"B": 1})
@triton.jit
def k(x_ptr, n, B: tl.constexpr):
    tl.store(x_ptr, 1.0)

# expect: 9:12: error: the decorator 'lru_cache' is not supported on kernels
# hint: kernels take @triton.jit, @triton.autotune and @triton.heuristics
# expect: 10:27: error: autotune configs must be triton.Config(...) calls
# hint: e.g. configs=[triton.Config({'BLOCK': 128}, num_warps=4)]
# expect: 10:44: error: triton.Config takes a dict of constexpr values
# hint: e.g. triton.Config({'BLOCK': 128}, num_warps=4)
# expect: 10:63: error: triton.Config keys must be argument names
# hint: write each key as a string: {'BLOCK': 128}
# expect: 10:95: error: num_warps must be an int
# hint: e.g. num_warps=4
# expect: 11:47: error: a tuple cannot be used as a constexpr value here
# hint: use an int, a float, a bool, a string, None or a dtype
# expect: 12:9: error: @triton.autotune needs configs=[triton.Config(...), ...]
# expect: 13:9: error: @triton.heuristics needs a dict {name: lambda args: ...}
# expect: 14:26: error: each heuristic must be "NAME": lambda args: ...
