# The lexer: every bad token of a file is reported (the lexer goes on after each); the
# parser does not run on a file the lexer refused.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, BLOCK: tl.constexpr):
    s = "never closed
    a = 12abc
    b = 0o19
    c = 99999999999999999999
    d = 1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890
    e = x_ptr $ 2
    f = é
    i = 3j
    j = 0x
  g = 1
    h = (1,

# expect: 9:9: error: unterminated string literal
# hint: close it with the same quote on this line; a string over several lines needs triple quotes
# expect: 10:9: error: invalid number literal 12abc
# hint: a name cannot start with a digit; put an operator or a space between a number and a name
# expect: 11:9: error: invalid digit '9' in a base-8 literal
# hint: 0o literals take the digits 0 to 7
# expect: 12:9: error: integer literal 99999999999999999999 is out of range (Triton ints are at most 64-bit)
# hint: use a value below 2**63, or a float literal such as 1e20
# expect: 13:9: error: number literal 1234567890123456789012345678901234567890... has more than 120 digits
# hint: Triton ints are at most 64-bit; write a float with an exponent (1e130) for a huge value
# expect: 14:15: error: unexpected character '$'
# hint: it is not part of Python's syntax; remove it or put it in a string or a comment
# expect: 15:9: error: non-ASCII character in source (only ASCII identifiers are supported)
# hint: use ASCII names; other characters may appear in comments and strings
# expect: 16:9: error: complex literals are not supported in kernels
# hint: kernels compute on real numbers; keep real and imaginary parts in two tensors
# expect: 17:9: error: integer literal 0x has no digits
# hint: write the digits after the base prefix, e.g. 0x10
# expect: 18:3: error: unindent does not match any outer indentation level
# hint: indent this line like the block it belongs to (and do not mix tabs and spaces)
# expect: 19:9: error: this bracket is never closed
# hint: the file ends inside it: close it where the expression ends
