# Syntax errors in statements, all in one kernel: a failed compound statement is skipped
# with its indented block and its elif/else clauses, so nothing inside it is reported twice.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr, n, BLOCK: tl.constexpr):
    if n y:
        a = 1
    elif n:
        a = 2
    else:
        a = 3
    if n:
        a = 1
    else n:
        a = 2
    while n y:
        n -= 1
    for i range(n):
        a = i
    for i in range(n) y:
        a = i
    for i in range(n):
        a = i
    else x:
        a = 0
    if n:
    b = 2
        c = 3
    a @= 2
    import 1
    import a as 1
    from a b
    from a import 1
    from a import (b c)
    global 1

# expect: 9:10: error: expected ':' after the condition, found 'y'
# expect: 17:10: error: expected ':' after 'else', found 'n'
# expect: 19:13: error: expected ':' after the condition, found 'y'
# expect: 21:11: error: expected 'in', found 'range'
# expect: 23:23: error: expected ':' after the for header, found 'y'
# expect: 27:10: error: expected ':' after 'else', found 'x'
# expect: 30:5: error: expected an indented block, found 'b'
# expect: 31:9: error: unexpected indent
# hint: indent this line like the statement before it
# expect: 32:7: error: '@=' is not supported
# hint: write acc = tl.dot(a, b, acc)
# expect: 33:12: error: expected a module name, found '1'
# expect: 34:17: error: expected a name after 'as', found '1'
# expect: 35:12: error: expected 'import', found 'b'
# expect: 36:19: error: expected a name to import, found '1'
# expect: 37:22: error: expected ')', found 'c'
# expect: 38:12: error: expected a name after 'global', found '1'
