"""Module docstring with 'quotes' and \"escapes\" and a \
continuation."""
import triton
import triton.language as tl

S1 = 'single \' quote \n \t \\ \x41 \0 \q'
S2 = "double \" quote"
S3 = r'raw \n stays \d'
S4 = b'bytes \xff'
S5 = '''triple
single ''' "implicit" 'concat'
S6 = """triple "double" with ''' inside"""
S7 = f"f-string {S1!r:>10}"
S8 = u'unicode prefix'
S9 = Rb'mixed prefix'
EMPTY = ''


@triton.jit
def string_kernel(x_ptr, BLOCK: tl.constexpr, MODE: tl.constexpr = "fast"):
    """kernel docstring"""
    offs = tl.arange(0, BLOCK)
    tl.static_assert(BLOCK > 0, 'BLOCK must be positive: ' "really")
    if MODE == "fast":
        x = tl.load(x_ptr + offs, cache_modifier=".cg", eviction_policy="evict_last")
    else:
        x = tl.load(x_ptr + offs, volatile=True)
    tl.static_print(x)
    tl.store(x_ptr + offs, x, cache_modifier='.wt')
