import functools
import triton


@staticmethod
@functools.lru_cache(maxsize=None)
def host_helper(a, b=3, *args, **kwargs):
    return a
