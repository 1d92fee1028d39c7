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
# hint: docs/language.md lists what is supported
# expect: 13:19: error: triton.language.extra.libdevice.erfcx is not supported (this libdevice function is not available yet)
# hint: docs/language.md lists what is supported
# expect: 14:20: error: dtype has no attribute 'bits'
# hint: dtypes have element_ty, primitive_bitwidth and is_floating(), is_int(), is_ptr() ...
# expect: 15:11: error: tensor has no attribute 'no_such_attr'
# hint: tensors have dtype, shape, numel and T, and tl functions as methods (x.to, x.sum ...)
# expect: 16:15: error: an int has no attribute 'no_such_attr'
# hint: check the name; only modules, dtypes and tensors have attributes here
# expect: 17:12: error: exp() takes at most 1 argument but 2 were given
# hint: the signature is exp(x)
# expect: 18:19: error: exp() got an unexpected keyword argument 'y'
# hint: the signature is exp(x)
# expect: 19:19: error: exp() got multiple values for argument 'x'
# hint: the signature is exp(x)
# expect: 20:12: error: where() missing required argument 'x'
# hint: the signature is where(condition, x, y)
# expect: 21:5: error: the first argument of device_print (the prefix) must be a string, got a tensor
# hint: pass a string literal
