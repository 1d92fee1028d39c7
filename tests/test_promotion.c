/*
 * test_promotion.c — Triton's type-promotion table, written out by hand and checked through
 * the public API.
 *
 * The expectations below are written from spec/triton.md §1.4-§1.9 and, where the notes are
 * silent or wrong, from Triton 3.x's python/triton/language/{semantic,core,standard,math}.py
 * (the facts, not the code; each table says which rule it encodes). Nothing here calls the
 * compiler's own promotion code: every case is a tiny kernel compiled to tile IR for the CPU
 * with liger_compile, and its result is read back from the outside:
 *
 *   - a result dtype: the kernel passes the value to report(z), a @triton.jit helper whose
 *     constexpr if-chain fails a tl.static_assert naming z.dtype ("dtype=fp16"), so the
 *     compile error carries the type;
 *   - a comparison's computation type (its result is always i1): the type of the first
 *     operand of the last `cmp` in the printed tile IR;
 *   - an error: the compile fails with a message containing the given text;
 *   - a compile-time (Python) value: tl.static_assert((EXPR) == VALUE), and its Python kind
 *     through report(b + (EXPR)) with b an int1 tensor (bool → i1, int → i32, float → fp32,
 *     by the scalar-literal rule).
 *
 * Usage: test_promotion. Exit status 0 = pass, 1 = fail. Set PROMO_VERBOSE=1 to print every
 * case, not only the failures.
 */
#include "liger/liger.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- the element types, in table order ----------------------------------------------------- */

enum { I1, I8, I16, I32, I64, U8, U16, U32, U64, F16, B16, F32, F64, NT };
static const char *const tname[NT] = {"i1", "i8", "i16", "i32", "i64", "u8", "u16",
                                      "u32", "u64", "fp16", "bf16", "fp32", "fp64"};
static const char *const tlname[NT] = {"int1",   "int8",   "int16",  "int32",   "int64",   "uint8",  "uint16",
                                       "uint32", "uint64", "float16", "bfloat16", "float32", "float64"};

static int type_index(const char *name) {
  for (int i = 0; i < NT; i++)
    if (!strcmp(tname[i], name)) return i;
  return -1;
}

/* ---- table 1: tensor (op) tensor --------------------------------------------------------------
 *
 * ADD: + - * and the computation type of comparisons (semantic.computation_type_impl):
 *   1. either fp64 → fp64;  2. either fp32 → fp32;
 *   3. either fp16 → fp16 (checked before bf16, so fp16 with bf16 is fp16 — spec/triton.md
 *      §1.9 rule 4 says fp32 there, but Triton tests fp16 first);
 *   4. bf16 with bf16 → bf16; bf16 with anything else → fp32;
 *   5. ints: C's usual conversions — same signedness: the wider; mixed: the unsigned one if
 *      it is at least as wide, else the signed one. int1 is an *unsigned* 1-bit type
 *      (core.dtype.UINT_TYPES), so i1 with i8 is i8 and i1 with u8 is u8.
 * Bitwise & | ^ << >> use the same table on ints and refuse floats. */
static const char *const ADD[NT] = {
    /*          i1   i8   i16  i32  i64  u8   u16  u32  u64  fp16 bf16 fp32 fp64 */
    /* i1   */ "i1   i8   i16  i32  i64  u8   u16  u32  u64  fp16 fp32 fp32 fp64",
    /* i8   */ "i8   i8   i16  i32  i64  u8   u16  u32  u64  fp16 fp32 fp32 fp64",
    /* i16  */ "i16  i16  i16  i32  i64  i16  u16  u32  u64  fp16 fp32 fp32 fp64",
    /* i32  */ "i32  i32  i32  i32  i64  i32  i32  u32  u64  fp16 fp32 fp32 fp64",
    /* i64  */ "i64  i64  i64  i64  i64  i64  i64  i64  u64  fp16 fp32 fp32 fp64",
    /* u8   */ "u8   u8   i16  i32  i64  u8   u16  u32  u64  fp16 fp32 fp32 fp64",
    /* u16  */ "u16  u16  u16  i32  i64  u16  u16  u32  u64  fp16 fp32 fp32 fp64",
    /* u32  */ "u32  u32  u32  u32  i64  u32  u32  u32  u64  fp16 fp32 fp32 fp64",
    /* u64  */ "u64  u64  u64  u64  u64  u64  u64  u64  u64  fp16 fp32 fp32 fp64",
    /* fp16 */ "fp16 fp16 fp16 fp16 fp16 fp16 fp16 fp16 fp16 fp16 fp16 fp32 fp64",
    /* bf16 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp16 bf16 fp32 fp64",
    /* fp32 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp64 */ "fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64",
};

/* DIV: true division `/`. The operands are promoted with div_or_mod set, which (a) sends
 * fp16 and bf16 to fp32 and (b) refuses ints of different signedness (E; i1 is unsigned).
 * Then int / int is computed in fp32 — also for i64. */
static const char *const DIV[NT] = {
    /*          i1   i8   i16  i32  i64  u8   u16  u32  u64  fp16 bf16 fp32 fp64 */
    /* i1   */ "fp32 E    E    E    E    fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* i8   */ "E    fp32 fp32 fp32 fp32 E    E    E    E    fp32 fp32 fp32 fp64",
    /* i16  */ "E    fp32 fp32 fp32 fp32 E    E    E    E    fp32 fp32 fp32 fp64",
    /* i32  */ "E    fp32 fp32 fp32 fp32 E    E    E    E    fp32 fp32 fp32 fp64",
    /* i64  */ "E    fp32 fp32 fp32 fp32 E    E    E    E    fp32 fp32 fp32 fp64",
    /* u8   */ "fp32 E    E    E    E    fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* u16  */ "fp32 E    E    E    E    fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* u32  */ "fp32 E    E    E    E    fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* u64  */ "fp32 E    E    E    E    fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp16 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* bf16 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp32 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp64 */ "fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64",
};

/* MOD: `%`. Same promotion as `/` (div_or_mod), but ints stay ints (srem/urem, C
 * semantics) and floats use frem (C fmod). `//` is MOD on ints and an error on any float. */
static const char *const MOD[NT] = {
    /*          i1   i8   i16  i32  i64  u8   u16  u32  u64  fp16 bf16 fp32 fp64 */
    /* i1   */ "i1   E    E    E    E    u8   u16  u32  u64  fp32 fp32 fp32 fp64",
    /* i8   */ "E    i8   i16  i32  i64  E    E    E    E    fp32 fp32 fp32 fp64",
    /* i16  */ "E    i16  i16  i32  i64  E    E    E    E    fp32 fp32 fp32 fp64",
    /* i32  */ "E    i32  i32  i32  i64  E    E    E    E    fp32 fp32 fp32 fp64",
    /* i64  */ "E    i64  i64  i64  i64  E    E    E    E    fp32 fp32 fp32 fp64",
    /* u8   */ "u8   E    E    E    E    u8   u16  u32  u64  fp32 fp32 fp32 fp64",
    /* u16  */ "u16  E    E    E    E    u16  u16  u32  u64  fp32 fp32 fp32 fp64",
    /* u32  */ "u32  E    E    E    E    u32  u32  u32  u64  fp32 fp32 fp32 fp64",
    /* u64  */ "u64  E    E    E    E    u64  u64  u64  u64  fp32 fp32 fp32 fp64",
    /* fp16 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* bf16 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp32 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp32 fp64",
    /* fp64 */ "fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64 fp64",
};

/* ---- table 2: tensor (op) Python literal, and unary ops ----------------------------------------
 *
 * The scalar-literal rule (computation_type_impl step 0): a Python number whose kind
 * (bool < int < float) is at most the tensor's kind takes the tensor's dtype — except that
 * `/` and `%` still send fp16/bf16 to fp32 — and an int literal must fit that dtype. A
 * literal of a higher kind is typed by to_tensor (int → i32/u32/i64, float → fp32, or fp64
 * outside fp32's normal range, bool → i1) and promoted by table 1.
 * Comparisons do not use the rule: tensor.__lt__ and friends call to_tensor on the literal
 * first, so `x < 2` promotes x with i32 and `x < 0.5` with fp32 (cmp: the computation type). */
enum { NLF = 15 };
static const char *const lit_form[NLF] = {"x + 2",  "2 * x",  "x - True", "x + 1.5", "x / 2",
                                          "x / 2.0", "x % 3",  "x // 3",   "x & 1",   "x << 2",
                                          "x < 2",  "x < 0.5", "x == True", "-x",     "~x"};
static const bool lit_is_cmp[NLF] = {[10] = true, [11] = true, [12] = true};
static const char *const LIT[NT] = {
    /*         x+2  2*x  x-T  x+1.5 x/2  x/2. x%3  x//3 x&1  x<<2 x<2  x<.5 x==T -x   ~x  */
    /* i1   */ "i32  i32  i1   fp32 E    fp32 E    E    i32  i32  i32  fp32 i1   i1   i1",
    /* i8   */ "i8   i8   i8   fp32 fp32 fp32 i8   i8   i8   i8   i32  fp32 i8   i8   i8",
    /* i16  */ "i16  i16  i16  fp32 fp32 fp32 i16  i16  i16  i16  i32  fp32 i16  i16  i16",
    /* i32  */ "i32  i32  i32  fp32 fp32 fp32 i32  i32  i32  i32  i32  fp32 i32  i32  i32",
    /* i64  */ "i64  i64  i64  fp32 fp32 fp32 i64  i64  i64  i64  i64  fp32 i64  i64  i64",
    /* u8   */ "u8   u8   u8   fp32 fp32 fp32 u8   u8   u8   u8   i32  fp32 u8   u8   u8",
    /* u16  */ "u16  u16  u16  fp32 fp32 fp32 u16  u16  u16  u16  i32  fp32 u16  u16  u16",
    /* u32  */ "u32  u32  u32  fp32 fp32 fp32 u32  u32  u32  u32  u32  fp32 u32  u32  u32",
    /* u64  */ "u64  u64  u64  fp32 fp32 fp32 u64  u64  u64  u64  u64  fp32 u64  u64  u64",
    /* fp16 */ "fp16 fp16 fp16 fp16 fp32 fp32 fp32 E    E    E    fp16 fp32 fp16 fp16 E",
    /* bf16 */ "bf16 bf16 bf16 bf16 fp32 fp32 fp32 E    E    E    fp32 fp32 fp32 bf16 E",
    /* fp32 */ "fp32 fp32 fp32 fp32 fp32 fp32 fp32 E    E    E    fp32 fp32 fp32 fp32 E",
    /* fp64 */ "fp64 fp64 fp64 fp64 fp64 fp64 fp64 E    E    E    fp64 fp64 fp64 fp64 E",
};

/* ---- table 3: single cases ---------------------------------------------------------------------
 *
 * x, y: element types of the tensors x and y (16 elements, loaded; an i1 tensor is an i8
 * load compared with 0). s, t: types of the runtime scalar arguments (Triton specialises an
 * int argument as i32, or i64 when it does not fit, a float as fp32, a bool as i1). C = 16
 * and F = 0.5 are tl.constexpr parameters. want: a dtype, "cmp:T" (computation type of the
 * comparison), "!text" (an error containing text), or "=V:T" for a compile-time value (see
 * the file comment). */
typedef struct Case {
  const char *x, *y, *s, *t, *expr, *want, *why;
} Case;

static const Case cases[] = {
    /* literal range checks (binary_op_type_checking_impl: a literal must fit the result type;
     * a negative literal with an unsigned result is refused) */
    {"i8", 0, 0, 0, "x + 127", "i8", "fits i8"},
    {"i8", 0, 0, 0, "x + -128", "i8", "fits i8"},
    {"i8", 0, 0, 0, "x - 128", "!out of range", "the literal is 128, which does not fit i8"},
    {"i8", 0, 0, 0, "x + 128", "!out of range", "128 does not fit i8"},
    {"i8", 0, 0, 0, "x + -129", "!out of range", "-129 does not fit i8"},
    {"u8", 0, 0, 0, "x + 255", "u8", "fits u8"},
    {"u8", 0, 0, 0, "x + 256", "!out of range", "256 does not fit u8"},
    {"u8", 0, 0, 0, "x + -1", "!out of range", "negative literal, unsigned result"},
    {"u8", 0, 0, 0, "x - 1", "u8", "the literal is 1, not -1"},
    {"i16", 0, 0, 0, "x * 40000", "!out of range", "40000 does not fit i16"},
    {"u16", 0, 0, 0, "x * 65535", "u16", "fits u16"},
    {"i32", 0, 0, 0, "x + 2147483647", "i32", "fits i32"},
    {"i32", 0, 0, 0, "x + 2147483648", "!out of range", "2**31 is a u32 literal, and does not fit i32"},
    {"u32", 0, 0, 0, "x + 4294967295", "u32", "fits u32"},
    {"u32", 0, 0, 0, "x + 4294967296", "!out of range", "2**32 does not fit u32"},
    {"i64", 0, 0, 0, "x + 2**40", "i64", "fits i64"},
    {"u64", 0, 0, 0, "x + 2**40", "u64", "fits u64"},
    {"u64", 0, 0, 0, "x + -1", "!out of range", "negative literal, unsigned result"},
    {"i1", 0, 0, 0, "x + 2**40", "i64", "int literal above bool: to_tensor gives i64"},
    {"i1", 0, 0, 0, "x | False", "i1", "bool literal keeps i1"},
    {"i32", 0, 0, 0, "x % -3", "i32", "negative literal, signed result"},
    /* float literals: fp32, or fp64 outside fp32's normal range; they keep a float tensor's type */
    {"i32", 0, 0, 0, "x + 1e-300", "fp64", "1e-300 is below fp32's normal range: fp64"},
    {"i32", 0, 0, 0, "x * 1e300", "fp64", "1e300 is above fp32's range: fp64"},
    {"i32", 0, 0, 0, "x * 0.0", "fp32", "0.0 is fp32"},
    {"fp16", 0, 0, 0, "x + 1e300", "fp16", "float literal, float tensor: fp16 kept"},
    {"bf16", 0, 0, 0, "x * 1e10", "bf16", "float literal, float tensor: bf16 kept"},
    {"fp32", 0, 0, 0, "x - 1e-300", "fp32", "float literal, float tensor: fp32 kept"},
    {"fp16", 0, 0, 0, "x % 2.0", "fp32", "% on fp16 computes in fp32"},
    {"bf16", 0, 0, 0, "1.0 / x", "fp32", "/ on bf16 computes in fp32"},
    /* constexpr parameters are Python values: the literal rule applies to them */
    {"i8", 0, 0, 0, "x + C", "i8", "an int constexpr keeps i8"},
    {"fp16", 0, 0, 0, "x * F", "fp16", "a float constexpr keeps fp16"},
    {"i8", 0, 0, 0, "x * F", "fp32", "a float constexpr with an int tensor: fp32"},
    {"i8", 0, 0, 0, "x + (300 - 200)", "i8", "folded first, then 100 fits i8"},
    /* comparisons type their literal with to_tensor (no literal rule, no range check) */
    {"i8", 0, 0, 0, "x < 300", "cmp:i32", "i8 with i32: no range error"},
    {"u32", 0, 0, 0, "x < -1", "cmp:u32", "u32 with i32 is u32 (-1 becomes 4294967295), no error"},
    {"u8", 0, 0, 0, "x > -1", "cmp:i32", "u8 with i32 is i32"},
    {"i32", 0, 0, 0, "x < 2**40", "cmp:i64", "2**40 is an i64 literal"},
    {"i64", 0, 0, 0, "x >= 2**40", "cmp:i64", ""},
    {"fp16", 0, 0, 0, "x == 0.1", "cmp:fp32", "0.1 is an fp32 literal"},
    {"fp16", 0, 0, 0, "x != 1e-300", "cmp:fp64", "1e-300 is an fp64 literal"},
    {"bf16", 0, 0, 0, "x > 0", "cmp:fp32", "bf16 with i32 is fp32"},
    {"i8", 0, 0, 0, "2 < x", "cmp:i32", "reflected: x.__gt__(2)"},
    {"i8", 0, 0, 0, "x <= C", "cmp:i32", "a constexpr compares like a literal"},
    /* runtime scalar arguments take part in promotion like tensors */
    {0, 0, "i32", "i32", "s + t", "i32", ""},
    {0, 0, "i32", "i64", "s + t", "i64", ""},
    {0, 0, "i32", "fp32", "s * t", "fp32", ""},
    {0, 0, "i32", "i32", "s / t", "fp32", "int / int is fp32"},
    {0, 0, "i64", "i64", "s / t", "fp32", "int / int is fp32, even i64"},
    {0, 0, "i32", "i32", "s // t", "i32", ""},
    {0, 0, "i32", "i64", "s % t", "i64", ""},
    {0, 0, "i32", 0, "s + 1", "i32", "literal rule"},
    {0, 0, "i32", 0, "s + 1.5", "fp32", "float literal above int"},
    {0, 0, "i32", 0, "s + 2**31", "!out of range", "2**31 does not fit the i32 argument"},
    {0, 0, "i64", 0, "s + 2**40", "i64", ""},
    {0, 0, "fp32", 0, "s * 2", "fp32", ""},
    {0, 0, "fp32", 0, "s + 1e300", "fp32", "float literal keeps fp32"},
    {0, 0, "i1", 0, "s + 1", "i32", "int literal above bool"},
    {0, 0, "i1", "i1", "s & t", "i1", ""},
    {0, 0, "i1", "i32", "s / t", "!signedness", "i1 is unsigned, i32 signed"},
    {0, 0, "i32", "i64", "s < t", "cmp:i64", ""},
    {0, 0, "i32", 0, "s < 2**40", "cmp:i64", ""},
    {0, 0, "fp32", 0, "s > 0", "cmp:fp32", ""},
    {0, 0, 0, "i64", "tl.program_id(0) * t", "i64", "program_id is i32"},
    {"fp16", 0, "fp32", 0, "x * s", "fp32", "kernels.md §0: fp32 scalar args promote fp16 tensors"},
    {"bf16", 0, "fp32", 0, "x * s", "fp32", ""},
    {"fp16", 0, "i32", 0, "x * s", "fp16", "fp16 with an int stays fp16"},
    {"bf16", 0, "i32", 0, "x + s", "fp32", "bf16 with an int is fp32"},
    {"i8", 0, "i32", 0, "x + s", "i32", "a scalar argument is not a literal"},
    {"u8", 0, "i32", 0, "x + s", "i32", ""},
    {"u32", 0, "i32", 0, "x - s", "u32", ""},
    {"i64", 0, "i32", 0, "x * s", "i64", ""},
    {"fp16", 0, "i32", 0, "x / s", "fp32", ""},
    {"u8", 0, "i32", 0, "x // s", "!signedness", ""},
    {"fp64", 0, "fp32", 0, "x + s", "fp64", ""},
    /* unary */
    {"u8", 0, 0, 0, "+x", "u8", ""},
    {"i1", 0, 0, 0, "not x", "i1", ""},
    {"bf16", 0, 0, 0, "-x", "bf16", ""},
    /* tl.where: x and y follow the operator rules, literal rule included (semantic.where) */
    {"fp16", 0, "i32", 0, "tl.where(s > 0, x, 0.0)", "fp16", "literal rule"},
    {"i8", 0, "i32", 0, "tl.where(s > 0, x, 0)", "i8", "literal rule"},
    {"i8", 0, "i32", 0, "tl.where(s > 0, x, 1.5)", "fp32", "float literal above int"},
    {"u8", 0, "i32", 0, "tl.where(s > 0, x, -1)", "!out of range", "negative literal, unsigned result"},
    {0, 0, "i32", 0, "tl.where(s > 0, 1.0, 0.0)", "fp32", "two literals: to_tensor both"},
    {0, 0, "i32", 0, "tl.where(s > 0, 1, 2**40)", "i64", "two literals: i32 with i64"},
    {"fp16", "bf16", "i32", 0, "tl.where(s > 0, x, y)", "fp16", "fp16 with bf16"},
    {"bf16", "bf16", "i32", 0, "tl.where(s > 0, x, y)", "bf16", "no bf16 upcast in where"},
    {"i8", "u8", "i32", 0, "tl.where(s > 0, x, y)", "u8", ""},
    {"fp16", "fp32", "i32", 0, "tl.where(s > 0, x, y)", "fp32", ""},
    {"i32", 0, 0, 0, "tl.where(x, x, 0)", "i32", "a non-bool condition is cast to i1"},
    /* tl.maximum / tl.minimum / tl.clamp: core.py calls to_tensor on both operands first (so
     * literals promote like tensors), then widens bf16 to fp32 */
    {"fp16", "fp16", 0, 0, "tl.maximum(x, y)", "fp16", ""},
    {"fp16", 0, 0, 0, "tl.maximum(x, 0.0)", "fp32", "0.0 becomes an fp32 tensor"},
    {"fp16", 0, 0, 0, "tl.maximum(x, 0)", "fp16", "0 becomes an i32 tensor; fp16 with int is fp16"},
    {"bf16", "bf16", 0, 0, "tl.maximum(x, y)", "fp32", "bf16 widened to fp32"},
    {"bf16", 0, 0, 0, "tl.minimum(x, 1)", "fp32", ""},
    {"fp16", "bf16", 0, 0, "tl.minimum(x, y)", "fp32", "bf16 → fp32 first, then fp16 with fp32"},
    {"i8", 0, 0, 0, "tl.maximum(x, 0)", "i32", "0 becomes an i32 tensor"},
    {"i8", "i8", 0, 0, "tl.maximum(x, y)", "i8", ""},
    {"u8", 0, 0, 0, "tl.minimum(x, 0)", "i32", ""},
    {"u32", 0, 0, 0, "tl.maximum(x, 0)", "u32", ""},
    {"u32", 0, 0, 0, "tl.maximum(x, -1)", "u32", "no range check: -1 is an i32 tensor"},
    {"i64", 0, 0, 0, "tl.minimum(x, 0)", "i64", ""},
    {"i32", 0, 0, 0, "tl.minimum(x, 1.5)", "fp32", ""},
    {"fp64", 0, 0, 0, "tl.maximum(x, 0.0)", "fp64", ""},
    {"fp16", 0, "fp32", 0, "tl.maximum(x, s)", "fp32", ""},
    {"fp16", 0, "i32", 0, "tl.maximum(x, s)", "fp16", ""},
    {"fp32", 0, 0, 0, "tl.clamp(x, 0.0, 1.0)", "fp32", ""},
    {"fp16", 0, 0, 0, "tl.clamp(x, 0.0, 1.0)", "fp32", "the bounds are fp32 tensors"},
    {"fp16", "fp16", 0, 0, "tl.clamp(x, y, y)", "fp16", ""},
    {"bf16", "bf16", 0, 0, "tl.clamp(x, y, y)", "fp32", ""},
    {"fp64", 0, 0, 0, "tl.clamp(x, 0.0, 1.0)", "fp64", ""},
    /* reductions (standard.py): sum widens ints below 32 bits to i32/u32 (int1 is unsigned →
     * u32) and keeps floats; max/min (value form) widen floats below 32 bits to fp32 and ints
     * below 32 bits to i32; with return_indices only bf16 is widened */
    {"i1", 0, 0, 0, "tl.sum(x, axis=0)", "u32", "int1 is unsigned"},
    {"i8", 0, 0, 0, "tl.sum(x, axis=0)", "i32", ""},
    {"i16", 0, 0, 0, "tl.sum(x, axis=0)", "i32", ""},
    {"i32", 0, 0, 0, "tl.sum(x, axis=0)", "i32", ""},
    {"i64", 0, 0, 0, "tl.sum(x, axis=0)", "i64", ""},
    {"u8", 0, 0, 0, "tl.sum(x, axis=0)", "u32", ""},
    {"u16", 0, 0, 0, "tl.sum(x, axis=0)", "u32", ""},
    {"u32", 0, 0, 0, "tl.sum(x, axis=0)", "u32", ""},
    {"u64", 0, 0, 0, "tl.sum(x, axis=0)", "u64", ""},
    {"fp16", 0, 0, 0, "tl.sum(x, axis=0)", "fp16", "sum keeps fp16"},
    {"bf16", 0, 0, 0, "tl.sum(x, axis=0)", "bf16", "sum keeps bf16 (no upcast since ~3.3)"},
    {"fp32", 0, 0, 0, "tl.sum(x, axis=0)", "fp32", ""},
    {"fp64", 0, 0, 0, "tl.sum(x)", "fp64", ""},
    {"bf16", 0, 0, 0, "tl.sum(x, axis=0, dtype=tl.float32)", "fp32", "dtype= casts first"},
    {"i8", 0, 0, 0, "tl.sum(x, axis=0, dtype=tl.int8)", "i8", "dtype= overrides the widening"},
    {"fp16", 0, 0, 0, "x.sum(axis=0)", "fp16", "method form"},
    {"i1", 0, 0, 0, "tl.max(x, axis=0)", "i32", ""},
    {"i8", 0, 0, 0, "tl.max(x, axis=0)", "i32", ""},
    {"u8", 0, 0, 0, "tl.min(x, axis=0)", "i32", "unsigned below 32 bits → i32"},
    {"u16", 0, 0, 0, "tl.max(x, axis=0)", "i32", ""},
    {"u32", 0, 0, 0, "tl.min(x, axis=0)", "u32", ""},
    {"i64", 0, 0, 0, "tl.max(x, axis=0)", "i64", ""},
    {"fp16", 0, 0, 0, "tl.max(x, axis=0)", "fp32", "max widens fp16"},
    {"bf16", 0, 0, 0, "tl.min(x, axis=0)", "fp32", ""},
    {"fp32", 0, 0, 0, "tl.max(x, axis=0)", "fp32", ""},
    {"fp64", 0, 0, 0, "x.min(axis=0)", "fp64", ""},
    {"fp16", 0, 0, 0, "tl.max(x, axis=0, return_indices=True)[0]", "fp16", "with indices: only bf16 widens"},
    {"bf16", 0, 0, 0, "tl.max(x, axis=0, return_indices=True)[0]", "fp32", ""},
    {"i8", 0, 0, 0, "tl.min(x, axis=0, return_indices=True)[0]", "i8", ""},
    {"i8", 0, 0, 0, "tl.max(x, axis=0, return_indices=True)[1]", "i32", "indices are i32"},
    {"fp16", 0, 0, 0, "tl.argmax(x, axis=0)", "i32", ""},
    {"u64", 0, 0, 0, "tl.argmin(x, axis=0)", "i32", ""},
    {"i8", 0, 0, 0, "tl.xor_sum(x, axis=0)", "i8", "xor_sum keeps the type"},
    {"fp32", 0, 0, 0, "tl.xor_sum(x, axis=0)", "!", "xor_sum needs ints"},
    /* scans: cumsum widens bf16 to fp32, then as sum; cumprod only widens bf16 */
    {"i1", 0, 0, 0, "tl.cumsum(x, axis=0)", "u32", ""},
    {"i8", 0, 0, 0, "tl.cumsum(x, axis=0)", "i32", ""},
    {"u8", 0, 0, 0, "tl.cumsum(x, axis=0)", "u32", ""},
    {"i64", 0, 0, 0, "tl.cumsum(x, axis=0)", "i64", ""},
    {"fp16", 0, 0, 0, "tl.cumsum(x, axis=0)", "fp16", "cumsum keeps fp16"},
    {"bf16", 0, 0, 0, "tl.cumsum(x, axis=0)", "fp32", "cumsum widens bf16"},
    {"fp32", 0, 0, 0, "tl.cumsum(x, axis=0)", "fp32", ""},
    {"i8", 0, 0, 0, "tl.cumsum(x, axis=0, dtype=tl.int64)", "i64", ""},
    {"i8", 0, 0, 0, "tl.cumprod(x, axis=0)", "i8", "cumprod does not widen ints"},
    {"u16", 0, 0, 0, "tl.cumprod(x, axis=0)", "u16", ""},
    {"fp16", 0, 0, 0, "tl.cumprod(x, axis=0)", "fp16", ""},
    {"bf16", 0, 0, 0, "tl.cumprod(x, axis=0)", "fp32", "cumprod widens bf16"},
    /* math.py: exp/exp2/log/log2/sin/cos/sqrt/rsqrt/erf/floor/ceil accept only fp32 and fp64 */
    {"fp32", 0, 0, 0, "tl.exp(x)", "fp32", ""},
    {"fp64", 0, 0, 0, "tl.log(x)", "fp64", ""},
    {"fp16", 0, 0, 0, "tl.exp(x)", "!Expected dtype", "no implicit fp16 math"},
    {"bf16", 0, 0, 0, "tl.sqrt(x)", "!Expected dtype", "no implicit bf16 math"},
    {"fp16", 0, 0, 0, "tl.log2(x)", "!Expected dtype", ""},
    {"bf16", 0, 0, 0, "tl.erf(x)", "!Expected dtype", ""},
    {"fp16", 0, 0, 0, "tl.floor(x)", "!Expected dtype", ""},
    {"i32", 0, 0, 0, "tl.exp(x)", "!Expected dtype", "ints are not converted either"},
    {"fp16", 0, 0, 0, "tl.sigmoid(x)", "!Expected dtype", "sigmoid calls exp"},
    {"fp32", 0, 0, 0, "tl.sigmoid(x)", "fp32", ""},
    {"fp16", 0, 0, 0, "tl.exp(x.to(tl.float32)).to(tl.float16)", "fp16", "the explicit way"},
    {"fp16", 0, 0, 0, "tl.abs(x)", "fp16", "abs takes any type"},
    {"i8", 0, 0, 0, "tl.abs(x)", "i8", ""},
    {"u8", 0, 0, 0, "tl.abs(x)", "u8", ""},
    /* casts */
    {"fp32", 0, 0, 0, "x.to(tl.int32, bitcast=True)", "i32", ""},
    {"fp32", 0, 0, 0, "x.to(tl.int16, bitcast=True)", "!bitcast", "bitcast needs equal widths"},
    {"fp16", 0, 0, 0, "x.to(tl.uint16, bitcast=True)", "u16", ""},
    {"i64", 0, 0, 0, "x.to(tl.float32, bitcast=True)", "!bitcast", ""},
    {"fp16", 0, 0, 0, "x.to(tl.bfloat16)", "bf16", ""},
    {"i8", 0, 0, 0, "tl.cast(x, tl.uint8)", "u8", ""},
    {"fp32", 0, 0, 0, "x.to(tl.int1)", "i1", ""},
    {"fp32", 0, 0, 0, "x.to(tl.float8e5)", "!not supported", "fp8 types are not supported"},
    /* misc refusals */
    {"fp32", "fp32", 0, 0, "x ** y", "!'**'", "** only between compile-time values"},
    {"fp32", 0, 0, 0, "x // 2.0", "!", "// needs ints"},
    /* compile-time values follow Python: "=VALUE:KIND" */
    {"i1", 0, 0, 0, "-7 // 2", "=-4:i32", "floor division"},
    {"i1", 0, 0, 0, "-7 % 2", "=1:i32", "the sign of the divisor"},
    {"i1", 0, 0, 0, "7 % -2", "=-1:i32", ""},
    {"i1", 0, 0, 0, "-7 % -2", "=-1:i32", ""},
    {"i1", 0, 0, 0, "7 // -2", "=-4:i32", ""},
    {"i1", 0, 0, 0, "7 / 2", "=3.5:fp32", "int / int is a float"},
    {"i1", 0, 0, 0, "6 / 3", "=2.0:fp32", "even when exact"},
    {"i1", 0, 0, 0, "7.5 // 2", "=3.0:fp32", ""},
    {"i1", 0, 0, 0, "-7.5 % 2", "=0.5:fp32", "Python float %"},
    {"i1", 0, 0, 0, "2 ** 10", "=1024:i32", ""},
    {"i1", 0, 0, 0, "2 ** -1", "=0.5:fp32", ""},
    {"i1", 0, 0, 0, "-2 ** 2", "=-4:i32", "** binds tighter than unary minus"},
    {"i1", 0, 0, 0, "2 ** 53 + 1", "=9007199254740993:i64", "ints are exact, not doubles"},
    {"i1", 0, 0, 0, "0.1 + 0.2", "=0.30000000000000004:fp32", "folded in double"},
    {"i1", 0, 0, 0, "1e308 * 10", "=math.inf:fp32", "float overflow is inf, as in Python"},
    {"i1", 0, 0, 0, "1 << 62", "=4611686018427387904:i64", ""},
    {"i1", 0, 0, 0, "-8 >> 1", "=-4:i32", ""},
    {"i1", 0, 0, 0, "True + True", "=2:i32", "bool arithmetic gives int"},
    {"i1", 0, 0, 0, "True * 3", "=3:i32", ""},
    {"i1", 0, 0, 0, "-True", "=-1:i32", ""},
    {"i1", 0, 0, 0, "~True", "=-2:i32", ""},
    {"i1", 0, 0, 0, "True / 2", "=0.5:fp32", ""},
    {"i1", 0, 0, 0, "True & False", "=False:i1", "bool & bool stays bool"},
    {"i1", 0, 0, 0, "True | 2", "=3:i32", ""},
    {"i1", 0, 0, 0, "not 0", "=True:i1", ""},
    {"i1", 0, 0, 0, "int(-3.7)", "=-3:i32", ""},
    {"i1", 0, 0, 0, "float(3)", "=3.0:fp32", ""},
    {"i1", 0, 0, 0, "C // 3 * 3 + C % 3", "=16:i32", ""},
    /* where liger-jit differs from Python: constexpr ints are 64-bit (docs/language.md §4) */
    {"i1", 0, 0, 0, "2 ** 70", "!overflow", "Python would give a big int"},
    {"i1", 0, 0, 0, "1 << 63", "!overflow", ""},
    {"i1", 0, 0, 0, "3 // 0", "!division by zero", ""},
    {"i1", 0, 0, 0, "3.0 % 0", "!division by zero", ""},
};

/* ---- running one case -------------------------------------------------------------------------- */

/* The source of one case: report() names z.dtype through a failing static assertion. */
static char *case_source(const char *xt, const char *yt, const char *expr, bool is_cmp, const char *value) {
  static const char head[] =
      "import math\n"
      "import triton\n"
      "import triton.language as tl\n"
      "\n"
      "\n"
      "@triton.jit\n"
      "def report(z):\n";
  size_t cap = 8192;
  char *s = malloc(cap);
  int n = snprintf(s, cap, "%s", head);
  for (int i = 0; i < NT; i++)
    n += snprintf(s + n, cap - (size_t)n, "    %s z.dtype == tl.%s:\n        tl.static_assert(False, \"dtype=%s\")\n",
                  i ? "elif" : "if", tlname[i], tname[i]);
  n += snprintf(s + n, cap - (size_t)n, "    else:\n        tl.static_assert(False, \"dtype=other\")\n\n\n");
  n += snprintf(s + n, cap - (size_t)n,
                "@triton.jit\n"
                "def k(x_ptr, y_ptr, o_ptr, s, t, C: tl.constexpr, F: tl.constexpr):\n"
                "    offs = tl.arange(0, 16)\n");
  n += snprintf(s + n, cap - (size_t)n, "    x = tl.load(x_ptr + offs)%s\n", xt && !strcmp(xt, "i1") ? " != 0" : "");
  n += snprintf(s + n, cap - (size_t)n, "    y = tl.load(y_ptr + offs)%s\n", yt && !strcmp(yt, "i1") ? " != 0" : "");
  if (value) {
    n += snprintf(s + n, cap - (size_t)n, "    tl.static_assert((%s) == (%s), \"value\")\n", expr, value);
    n += snprintf(s + n, cap - (size_t)n, "    report(x + (%s))\n", expr);
  } else if (is_cmp) {
    n += snprintf(s + n, cap - (size_t)n, "    z = %s\n    tl.store(o_ptr + offs, z)\n", expr);
  } else {
    n += snprintf(s + n, cap - (size_t)n, "    report(%s)\n", expr);
  }
  return s;
}

/* Element type of value %id in printed tile IR: from "  %id = ... : <16xT>" or "%id: T". */
static bool tir_value_type(const char *tir, const char *id, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\n  %s = ", id);
  const char *p = strstr(tir, pat);
  const char *t = NULL;
  if (p) {
    const char *eol = strchr(p + 1, '\n');
    for (const char *q = p + 1; q + 3 < eol; q++)
      if (!strncmp(q, " : ", 3)) t = q + 3;
    if (!t) return false;
  } else {
    snprintf(pat, sizeof pat, "%s: ", id);
    p = strstr(tir, pat);
    if (!p) return false;
    t = p + strlen(pat);
  }
  if (*t == '<') { /* <16xfp16> */
    t = strchr(t, 'x');
    if (!t) return false;
    t++;
  }
  size_t n = 0;
  while (t[n] && t[n] != '>' && t[n] != ' ' && t[n] != '\n' && t[n] != '"' && n + 1 < cap) n++;
  memcpy(out, t, n);
  out[n] = 0;
  return n > 0;
}

/* The computation type of the last comparison: its first operand's element type. */
static bool last_cmp_type(const char *tir, char *out, size_t cap) {
  const char *last = NULL;
  for (const char *p = strstr(tir, " = cmp "); p; p = strstr(p + 1, " = cmp ")) last = p;
  if (!last) return false;
  const char *opnd = strchr(last + 7, '%'); /* "cmp lt %7, %12" */
  if (!opnd) return false;
  char id[32];
  size_t n = 0;
  while ((opnd[n] == '%' || (opnd[n] >= '0' && opnd[n] <= '9')) && n + 1 < sizeof id) n++;
  memcpy(id, opnd, n);
  id[n] = 0;
  return tir_value_type(tir, id, out, cap);
}

static int ncases, verbose;

/* Compiles one case and compares with `want`; prints a line on mismatch (or always when
 * PROMO_VERBOSE is set). Returns whether it matched. */
static bool run_case(const char *label, const char *xt, const char *yt, const char *st, const char *tt, const char *expr,
                     const char *want, const char *why) {
  bool is_cmp = !strncmp(want, "cmp:", 4);
  const char *value = NULL;
  char valbuf[128], kind[16] = "";
  if (want[0] == '=') { /* "=VALUE:KIND" */
    const char *colon = strrchr(want, ':');
    snprintf(valbuf, sizeof valbuf, "%.*s", (int)(colon - want - 1), want + 1);
    snprintf(kind, sizeof kind, "%s", colon + 1);
    value = valbuf;
  }
  char *src = case_source(xt, yt, expr, is_cmp, value);
  char sig[128];
  snprintf(sig, sizeof sig, "*%s, *%s, *i8, %s, %s", xt && strcmp(xt, "i1") ? xt : xt ? "i8" : "fp32",
           yt && strcmp(yt, "i1") ? yt : yt ? "i8" : "fp32", st ? st : "i32", tt ? tt : "i32");
  liger_constexpr consts[2] = {{"C", "16"}, {"F", "0.5"}};
  liger_compile_options o;
  memset(&o, 0, sizeof o);
  o.source = src;
  o.filename = "promo.py";
  o.kernel = "k";
  o.target = "cpu";
  o.signature = sig;
  o.consts = consts;
  o.nconsts = 2;
  o.emit = LIGER_EMIT_TIR;
  char *out = NULL;
  size_t len = 0;
  liger_status status = liger_compile(&o, &out, &len);
  const char *msg = status == LIGER_OK ? "" : liger_last_error();

  /* what happened, in the same notation as `want` */
  char got[256];
  const char *dt = strstr(msg, "dtype=");
  if (status == LIGER_OK && is_cmp) {
    char t[32];
    snprintf(got, sizeof got, "cmp:%s", last_cmp_type(out, t, sizeof t) ? t : "?");
  } else if (status == LIGER_OK) {
    snprintf(got, sizeof got, "compiled without reporting a dtype");
  } else if (dt && !strstr(msg, "\"value\"") && !strstr(msg, "failed: value")) {
    size_t n = strcspn(dt + 6, "\n \"");
    snprintf(got, sizeof got, "%s%.*s", value ? "=:" : "", (int)n, dt + 6);
  } else {
    const char *line = strstr(msg, "error: ");
    line = line ? line + 7 : msg;
    snprintf(got, sizeof got, "!%.*s", (int)strcspn(line, "\n"), line);
  }

  bool ok;
  if (want[0] == '!') ok = got[0] == '!' && strstr(got, want + 1) != NULL;
  else if (value) ok = !strncmp(got, "=:", 2) && !strcmp(got + 2, kind);
  else ok = !strcmp(got, want);
  ncases++;
  if (!ok || verbose)
    printf("%s %-6s %-48s x=%-4s y=%-4s s=%-4s t=%-4s want %-14s got %s%s%s\n", ok ? "ok:  " : "FAIL:", label, expr,
           xt ? xt : "-", yt ? yt : "-", st ? st : "-", tt ? tt : "-", want, got, why && why[0] ? "   # " : "",
           why ? why : "");
  liger_free_host(out);
  free(src);
  return ok;
}

/* Splits a table row into NT (or NLF) cells. */
static int row_cells(const char *row, char cells[][8], int max) {
  int n = 0;
  while (*row && n < max) {
    while (*row == ' ') row++;
    if (!*row) break;
    size_t len = strcspn(row, " ");
    snprintf(cells[n++], 8, "%.*s", (int)len, row);
    row += len;
  }
  return n;
}

static void table_tt(void) {
  static const struct { const char *op; int table; bool floats_err, cmp; } ops[] = {
      {"+", 0, false, false}, {"-", 0, false, false}, {"*", 0, false, false}, {"/", 1, false, false},
      {"%", 2, false, false}, {"//", 2, true, false}, {"&", 0, true, false},  {"|", 0, true, false},
      {"^", 0, true, false},  {"<<", 0, true, false}, {">>", 0, true, false}, {"<", 0, false, true},
      {"==", 0, false, true},
  };
  const char *const *tables[3] = {ADD, DIV, MOD};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
    int bad = 0;
    for (int a = 0; a < NT; a++) {
      char cells[NT][8];
      if (row_cells(tables[ops[o].table][a], cells, NT) != NT) {
        CHECK(0, "table row %s of the %s table has %d cells", tname[a], ops[o].op, NT);
        continue;
      }
      for (int b = 0; b < NT; b++) {
        char expr[32], want[160];
        snprintf(expr, sizeof expr, "x %s y", ops[o].op);
        int c = type_index(cells[b]);
        bool err = cells[b][0] == 'E' || (ops[o].floats_err && (a >= F16 || b >= F16));
        if (err) snprintf(want, sizeof want, "!");
        else if (c < 0) snprintf(want, sizeof want, "?bad cell %s", cells[b]);
        else snprintf(want, sizeof want, "%s%s", ops[o].cmp ? "cmp:" : "", tname[c]);
        bad += !run_case("tt", tname[a], tname[b], NULL, NULL, expr, want, "");
      }
    }
    CHECK(bad == 0, "tensor %s tensor: %d type pairs as the table says (%d differ)", ops[o].op, NT * NT, bad);
  }
}

static void table_lit(void) {
  int bad = 0;
  for (int a = 0; a < NT; a++) {
    char cells[NLF][8];
    if (row_cells(LIT[a], cells, NLF) != NLF) {
      CHECK(0, "literal table row %s has %d cells", tname[a], NLF);
      continue;
    }
    for (int f = 0; f < NLF; f++) {
      char want[160];
      if (cells[f][0] == 'E') snprintf(want, sizeof want, "!");
      else snprintf(want, sizeof want, "%s%s", lit_is_cmp[f] ? "cmp:" : "", cells[f]);
      bad += !run_case("lit", tname[a], NULL, NULL, NULL, lit_form[f], want, "");
    }
  }
  CHECK(bad == 0, "tensor with literal, unary: %d cells as the table says (%d differ)", NT * NLF, bad);
}

static void table_cases(void) {
  int bad = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const Case *c = &cases[i];
    bad += !run_case("case", c->x ? c->x : "fp32", c->y, c->s, c->t, c->expr, c->want, c->why);
  }
  CHECK(bad == 0, "single cases (literals, scalars, where, maximum, reductions, math, casts, constexpr): %d (%d differ)",
        (int)(sizeof cases / sizeof cases[0]), bad);
}

int main(void) {
  verbose = getenv("PROMO_VERBOSE") && getenv("PROMO_VERBOSE")[0] == '1';
  table_tt();
  table_lit();
  table_cases();
  printf("%d cases compiled\n", ncases);
  return check_summary();
}
