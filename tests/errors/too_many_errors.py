# More than DIAG_MAX (20) independent errors: the first 20 are shown, then a line says
# that the rest are not.
import triton
import triton.language as tl


@triton.jit
def k(x_ptr):
    v1 = undefined_1
    v2 = undefined_2
    v3 = undefined_3
    v4 = undefined_4
    v5 = undefined_5
    v6 = undefined_6
    v7 = undefined_7
    v8 = undefined_8
    v9 = undefined_9
    v10 = undefined_10
    v11 = undefined_11
    v12 = undefined_12
    v13 = undefined_13
    v14 = undefined_14
    v15 = undefined_15
    v16 = undefined_16
    v17 = undefined_17
    v18 = undefined_18
    v19 = undefined_19
    v20 = undefined_20
    v21 = undefined_21
    v22 = undefined_22
    v23 = undefined_23
    v24 = undefined_24
    v25 = undefined_25

# expect: 9:10: error: name 'undefined_1' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 10:10: error: name 'undefined_2' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 11:10: error: name 'undefined_3' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 12:10: error: name 'undefined_4' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 13:10: error: name 'undefined_5' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 14:10: error: name 'undefined_6' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 15:10: error: name 'undefined_7' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 16:10: error: name 'undefined_8' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 17:10: error: name 'undefined_9' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 18:11: error: name 'undefined_10' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 19:11: error: name 'undefined_11' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 20:11: error: name 'undefined_12' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 21:11: error: name 'undefined_13' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 22:11: error: name 'undefined_14' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 23:11: error: name 'undefined_15' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 24:11: error: name 'undefined_16' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 25:11: error: name 'undefined_17' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 26:11: error: name 'undefined_18' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 27:11: error: name 'undefined_19' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect: 28:11: error: name 'undefined_20' is not defined
# hint: assign it before this line, import it at module level, or pass it as an argument
# expect-text: too many errors: only the first 20 are shown
