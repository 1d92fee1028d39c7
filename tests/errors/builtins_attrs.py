# Attributes and call arguments of the tl.* surface.
# args: --emit=tir -D BLOCK=16
import triton
import triton.language as tl
from triton.language.extra import libdevice


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + offs)
    a = tl.no_such_function(x)
    b = libdevice.erfcx(x)
    c = tl.float32.bits
    d = x.no_such_attr
    e = BLOCK.no_such_attr
    f = tl.exp(x, x)
    g = tl.exp(x, y=1)
    h = tl.exp(x, x=x)
    i = tl.where(x > 0)
    print(x)

# expect: 12:12: error: triton.language.no_such_function is not supported
# expect: 13:19: error: triton.language.extra.libdevice.erfcx is not supported (this libdevice function is not available yet)
# expect: 14:20: error: dtype has no attribute 'bits'
# expect: 15:11: error: tensor has no attribute 'no_such_attr'
# expect: 16:15: error: an int has no attribute 'no_such_attr'
# expect: 17:12: error: exp() takes at most 1 arguments but 2 were given
# expect: 18:19: error: exp() got an unexpected keyword argument 'y'
# expect: 19:19: error: exp() got multiple values for argument 'x'
# expect: 20:12: error: where() missing required argument 'x'
# expect: 21:5: error: the first argument of device_print (the prefix) must be a string, got a tensor
