/*
 * sema_ops.c — Triton's typing rules for operators: literal typing, the promotion table
 * (spec/triton.md §1.9), broadcasting, casts, and Python semantics for constexpr operands.
 */
#include "sema_val.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const char *op_text(int op) {
  if (op == CMP_NOT_IN) return "not in";
  if (op == CMP_IS_NOT) return "is not";
  return tok_name((TokKind)op);
}

/* The dtype Triton gives a Python literal when it becomes a tensor (semantic.to_tensor). */
static DType literal_dtype(SVal v) {
  if (v.kind == SV_BOOL) return DT_I1;
  if (v.kind == SV_FLOAT) {
    double a = fabs(v.f);
    if (isinf(v.f) || isnan(v.f) || a == 0.0 || (a >= FLT_MIN && a <= FLT_MAX)) return DT_F32;
    return DT_F64;
  }
  if (v.i >= INT32_MIN && v.i <= INT32_MAX) return DT_I32;
  if (v.i >= 0 && v.i <= (int64_t)UINT32_MAX) return DT_U32;
  return DT_I64;
}

IrValue *to_ir(Sema *S, SrcLoc loc, SVal v) {
  switch (v.kind) {
  case SV_VAL: return v.v;
  case SV_ERR: return NULL;
  case SV_INT: case SV_BOOL:
    return ir_const_int(&S->b, ir_scalar(S->m, literal_dtype(v)), v.i);
  case SV_FLOAT:
    return ir_const_float(&S->b, ir_scalar(S->m, literal_dtype(v)), v.f);
  default:
    diag_error(S->d, loc, "expected a tensor or a number, got %s", sv_kind_name(v));
    return NULL;
  }
}

IrValue *cast_to(Sema *S, SrcLoc loc, IrValue *v, const IrType *elem) {
  (void)loc;
  const IrType *src = ir_elem(S->m, v->type);
  if (src == elem) return v;
  const IrType *t = ir_with_elem(S->m, v->type, elem);
  if (elem->dt == DT_I1) {
    /* to bool: x != 0 */
    IrValue *zero = ir_const_int(&S->b, src, 0);
    if (dtype_is_float(src->dt)) zero->def->f = 0.0;
    if (v->type->rank) zero = ir_build1(&S->b, OP_SPLAT, v->type, zero);
    IrOp *op = ir_build(&S->b, OP_CMP, t, 2, (IrValue *[]){v, zero});
    op->i = CMP_NE;
    return op->res[0];
  }
  return ir_build1(&S->b, OP_CAST, t, v);
}

IrValue *expand_dims(Sema *S, SrcLoc loc, IrValue *v, int axis) {
  const IrType *t = v->type;
  if (axis < 0) axis += t->rank + 1;
  if (axis < 0 || axis > t->rank) {
    diag_error(S->d, loc, "expand_dims axis %d is out of range for rank %d", axis, t->rank);
    diag_hint(S->d, "the new axis goes at a position from 0 to %d (or -%d to -1)", t->rank, t->rank + 1);
    return NULL;
  }
  if (t->rank + 1 > IR_MAX_RANK) {
    diag_unsupported(S->d, loc, "tensors of rank above %d are not supported", IR_MAX_RANK);
    diag_hint(S->d, "merge dimensions with tl.reshape first");
    return NULL;
  }
  if (t->rank == 0) {
    int64_t one = 1;
    return ir_build1(&S->b, OP_SPLAT, ir_block(S->m, ir_elem(S->m, t), 1, &one), v);
  }
  int64_t shape[IR_MAX_RANK];
  for (int i = 0, j = 0; i <= t->rank; i++) shape[i] = i == axis ? 1 : t->shape[j++];
  IrOp *op = ir_build(&S->b, OP_EXPAND_DIMS, ir_block(S->m, ir_elem(S->m, t), t->rank + 1, shape), 1, &v);
  op->i = axis;
  return op->res[0];
}

IrValue *broadcast_to(Sema *S, SrcLoc loc, IrValue *v, const IrType *shape_of) {
  const IrType *t = v->type;
  if (!shape_of->rank || ir_same_shape(t, shape_of)) return v;
  const IrType *target = ir_with_elem(S->m, shape_of, ir_elem(S->m, t));
  if (!t->rank) return ir_build1(&S->b, OP_SPLAT, target, v);
  while (v->type->rank < shape_of->rank) {
    v = expand_dims(S, loc, v, 0);
    if (!v) return NULL;
  }
  t = v->type;
  for (int i = 0; i < t->rank; i++)
    if (t->shape[i] != shape_of->shape[i] && t->shape[i] != 1) {
      StrBuf a = {0}, b = {0};
      ir_type_str(&a, t);
      ir_type_str(&b, shape_of);
      diag_error(S->d, loc, "cannot broadcast %s to the shape of %s", a.s, b.s);
      diag_hint(S->d, "only dimensions of size 1 stretch; add them with x[:, None] or tl.expand_dims");
      sb_free(&a);
      sb_free(&b);
      return NULL;
    }
  if (ir_same_shape(t, shape_of)) return v;
  return ir_build1(&S->b, OP_BROADCAST, target, v);
}

/* numpy rules: ranks are aligned on the right; size-1 dimensions stretch. */
bool broadcast_pair(Sema *S, SrcLoc loc, IrValue **x, IrValue **y) {
  const IrType *a = (*x)->type, *b = (*y)->type;
  if (ir_same_shape(a, b)) return true;
  if (!a->rank) { *x = broadcast_to(S, loc, *x, b); return *x != NULL; }
  if (!b->rank) { *y = broadcast_to(S, loc, *y, a); return *y != NULL; }
  while ((*x)->type->rank < (*y)->type->rank) if (!(*x = expand_dims(S, loc, *x, 0))) return false;
  while ((*y)->type->rank < (*x)->type->rank) if (!(*y = expand_dims(S, loc, *y, 0))) return false;
  a = (*x)->type;
  b = (*y)->type;
  int64_t shape[IR_MAX_RANK];
  for (int i = 0; i < a->rank; i++) {
    if (a->shape[i] == b->shape[i] || b->shape[i] == 1) shape[i] = a->shape[i];
    else if (a->shape[i] == 1) shape[i] = b->shape[i];
    else {
      StrBuf sa = {0}, sb = {0};
      ir_type_str(&sa, a);
      ir_type_str(&sb, b);
      diag_error(S->d, loc, "incompatible shapes %s and %s at dimension %d", sa.s, sb.s, i);
      diag_hint(S->d, "line the dimensions up with [:, None] / [None, :], or use blocks of the same size");
      sb_free(&sa);
      sb_free(&sb);
      return false;
    }
  }
  const IrType *full = ir_block(S->m, ir_scalar(S->m, DT_I32), a->rank, shape);
  *x = broadcast_to(S, loc, *x, full);
  *y = broadcast_to(S, loc, *y, full);
  return *x && *y;
}

/* Triton's computation type for two typed operands (semantic.computation_type_impl). */
static bool computation_type(Sema *S, SrcLoc loc, DType a, DType b, bool div_or_mod, DType *out) {
  if (a == DT_PTR || b == DT_PTR) {
    diag_error(S->d, loc, "pointers cannot take part in this operation");
    diag_hint(S->d, "pointers take + and - with integer offsets; compare or select the offsets instead");
    return false;
  }
  if (a == DT_F64 || b == DT_F64) { *out = DT_F64; return true; }
  if (a == DT_F32 || b == DT_F32) { *out = DT_F32; return true; }
  /* fp16 is tested before bf16, as in Triton: fp16 with bf16 is fp16 */
  if (a == DT_F16 || b == DT_F16) { *out = div_or_mod ? DT_F32 : DT_F16; return true; }
  if (a == DT_BF16 || b == DT_BF16) {
    *out = (!div_or_mod && a == DT_BF16 && b == DT_BF16) ? DT_BF16 : DT_F32;
    return true;
  }
  /* integers: the wider wins; at equal width unsigned wins. i1 is unsigned (Triton's int1
   * is in UINT_TYPES), so i1 / i32 mixes signedness too. */
  bool sa = dtype_is_signed(a), sb = dtype_is_signed(b);
  int wa = dtype_bits(a), wb = dtype_bits(b);
  if (div_or_mod && sa != sb) {
    diag_error(S->d, loc, "cannot use /, // or %% on %s and %s: they differ in signedness", dtype_name(a), dtype_name(b));
    diag_hint(S->d, "cast one operand with .to() first");
    return false;
  }
  if (sa == sb) *out = wa > wb ? a : b;
  else if (!sa) *out = wa >= wb ? a : b;
  else *out = wb >= wa ? b : a;
  return true;
}

static int kind_rank(SVal v, DType tensor_dt) {
  if (v.kind == SV_BOOL) return 0;
  if (v.kind == SV_INT) return 1;
  if (v.kind == SV_FLOAT) return 2;
  return tensor_dt == DT_I1 ? 0 : dtype_is_int(tensor_dt) ? 1 : 2;
}

static bool int_fits(int64_t v, DType dt) {
  switch (dt) {
  case DT_I8: return v >= INT8_MIN && v <= INT8_MAX;
  case DT_I16: return v >= INT16_MIN && v <= INT16_MAX;
  case DT_I32: return v >= INT32_MIN && v <= INT32_MAX;
  case DT_U8: return v >= 0 && v <= UINT8_MAX;
  case DT_U16: return v >= 0 && v <= UINT16_MAX;
  case DT_U32: return v >= 0 && v <= (int64_t)UINT32_MAX;
  case DT_U64: return v >= 0;
  default: return true;
  }
}

/* A Python literal next to a tensor of a kind at least as high keeps the tensor's dtype. */
static IrValue *literal_as(Sema *S, SrcLoc loc, SVal lit, const IrType *elem) {
  if (lit.kind == SV_INT && dtype_is_int(elem->dt) && elem->dt != DT_I1 && !int_fits(lit.i, elem->dt)) {
    diag_error(S->d, loc, "value %lld is out of range for type %s", (long long)lit.i, dtype_name(elem->dt));
    diag_hint(S->d, "convert the tensor to a wider type first, e.g. x.to(tl.int32)");
    return NULL;
  }
  if (dtype_is_float(elem->dt)) return ir_const_float(&S->b, elem, lit.kind == SV_FLOAT ? lit.f : (double)lit.i);
  return ir_const_int(&S->b, elem, lit.i);
}

bool promote_pair(Sema *S, SrcLoc loc, SVal l, SVal r, bool div_or_mod, bool arith, IrValue **x, IrValue **y) {
  (void)arith;
  if (l.kind == SV_ERR || r.kind == SV_ERR) return false;
  IrValue *lv = NULL, *rv = NULL;
  /* the literal rule */
  if (sv_is_const(l) && r.kind == SV_VAL) {
    const IrType *e = ir_elem(S->m, r.v->type);
    if (e->dt != DT_PTR && kind_rank(l, DT_I1) <= kind_rank((SVal){.kind = SV_VAL}, e->dt)) lv = literal_as(S, loc, l, e);
    else lv = to_ir(S, loc, l);
    if (!lv) return false;
    rv = r.v;
  } else if (sv_is_const(r) && l.kind == SV_VAL) {
    const IrType *e = ir_elem(S->m, l.v->type);
    if (e->dt != DT_PTR && kind_rank(r, DT_I1) <= kind_rank((SVal){.kind = SV_VAL}, e->dt)) rv = literal_as(S, loc, r, e);
    else rv = to_ir(S, loc, r);
    if (!rv) return false;
    lv = l.v;
  } else {
    lv = to_ir(S, loc, l);
    rv = to_ir(S, loc, r);
    if (!lv || !rv) return false;
  }
  DType ct;
  if (!computation_type(S, loc, lv->type->dt, rv->type->dt, div_or_mod, &ct)) return false;
  lv = cast_to(S, loc, lv, ir_scalar(S->m, ct));
  rv = cast_to(S, loc, rv, ir_scalar(S->m, ct));
  if (!broadcast_pair(S, loc, &lv, &rv)) return false;
  *x = lv;
  *y = rv;
  return true;
}

/* The integer type of the same width and the other signedness (i32 <-> u32). */
static DType flip_signedness(DType dt) {
  switch (dt) {
  case DT_I8: return DT_U8;
  case DT_I16: return DT_U16;
  case DT_I32: return DT_U32;
  case DT_I64: return DT_U64;
  case DT_U8: return DT_I8;
  case DT_U16: return DT_I16;
  case DT_U32: return DT_I32;
  case DT_U64: return DT_I64;
  default: return dt;
  }
}

/* ---- Python semantics on compile-time values ------------------------------------------------ */

static double as_double(SVal v) { return v.kind == SV_FLOAT ? v.f : (double)v.i; }

static int64_t py_floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static SVal overflow(Sema *S, SrcLoc loc) {
  diag_error(S->d, loc, "integer overflow in a compile-time expression (constexpr ints are 64-bit here)");
  diag_hint(S->d, "keep compile-time ints below 2**63, or compute with floats");
  return sv_err();
}

static SVal py_binop(Sema *S, SrcLoc loc, int op, SVal l, SVal r) {
  bool fl = l.kind == SV_FLOAT || r.kind == SV_FLOAT;
  double a = as_double(l), b = as_double(r);
  int64_t x = l.i, y = r.i, z;
  switch (op) {
  case TK_PLUS:
    if (fl) return sv_float(a + b);
    return __builtin_add_overflow(x, y, &z) ? overflow(S, loc) : sv_int(z);
  case TK_MINUS:
    if (fl) return sv_float(a - b);
    return __builtin_sub_overflow(x, y, &z) ? overflow(S, loc) : sv_int(z);
  case TK_STAR:
    if (fl) return sv_float(a * b);
    return __builtin_mul_overflow(x, y, &z) ? overflow(S, loc) : sv_int(z);
  case TK_SLASH:
    if (b == 0) break;
    return sv_float(a / b);
  case TK_DSLASH:
    if (b == 0) break;
    if (fl) return sv_float(floor(a / b));
    if (x == INT64_MIN && y == -1) return overflow(S, loc);
    return sv_int(py_floordiv(x, y));
  case TK_PERCENT:
    if (b == 0) break;
    if (fl) {
      double m = fmod(a, b);
      if (m != 0 && ((m < 0) != (b < 0))) m += b;
      return sv_float(m);
    }
    if (y == -1) return sv_int(0);
    z = x % y; /* the sign of the divisor, as in Python, without overflowing */
    if (z != 0 && ((z < 0) != (y < 0))) z += y;
    return sv_int(z);
  case TK_POW:
    if (!fl && y >= 0) {
      /* by squaring, with overflow checks: 1 ** huge is instant, 3 ** 100 is an error */
      int64_t p = 1, base = x;
      for (int64_t e = y; e; e >>= 1) {
        if ((e & 1) && __builtin_mul_overflow(p, base, &p)) return overflow(S, loc);
        int64_t sq;
        if (e >> 1) {
          if (__builtin_mul_overflow(base, base, &sq)) return overflow(S, loc); /* a later factor needs it */
          base = sq;
        }
      }
      return sv_int(p);
    }
    return sv_float(pow(a, b));
  case TK_SHL: case TK_SHR: case TK_AMP: case TK_PIPE: case TK_CARET:
    if (fl) {
      diag_error(S->d, loc, "unsupported operand types for %s: float", op_text(op));
      diag_hint(S->d, "shifts and bitwise operators take ints: convert with int(...)");
      return sv_err();
    }
    if ((op == TK_SHL || op == TK_SHR) && y < 0) {
      diag_error(S->d, loc, "negative shift count");
      diag_hint(S->d, "shift the other way: x >> n instead of x << -n");
      return sv_err();
    }
    if (op == TK_SHL) {
      if (x == 0) return sv_int(0);
      if (y >= 63 || (x > 0 ? x > (INT64_MAX >> y) : x < (INT64_MIN >> y))) return overflow(S, loc);
      return sv_int((int64_t)((uint64_t)x << y));
    }
    if (op == TK_SHR) return sv_int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y);
    if (l.kind == SV_BOOL && r.kind == SV_BOOL) {
      int64_t v = op == TK_AMP ? (x & y) : op == TK_PIPE ? (x | y) : (x ^ y);
      return sv_bool(v != 0);
    }
    return sv_int(op == TK_AMP ? (x & y) : op == TK_PIPE ? (x | y) : (x ^ y));
  default:
    diag_error(S->d, loc, "unsupported operator %s on compile-time values", op_text(op));
    return sv_err();
  }
  diag_error(S->d, loc, "division by zero in a compile-time expression");
  diag_hint(S->d, "the divisor is a compile-time zero: check the constexpr values");
  return sv_err();
}

SVal binop(Sema *S, SrcLoc loc, int op, SVal l, SVal r) {
  if (l.kind == SV_ERR || r.kind == SV_ERR) return sv_err();
  if (sv_is_const(l) && sv_is_const(r)) return py_binop(S, loc, op, l, r);
  if (l.kind == SV_STR && r.kind == SV_STR && op == TK_PLUS)
    return (SVal){.kind = SV_STR, .s = arena_printf(S->a, "%s%s", l.s, r.s)};
  if ((l.kind != SV_VAL && !sv_is_const(l)) || (r.kind != SV_VAL && !sv_is_const(r))) {
    diag_error(S->d, loc, "unsupported operand types for %s: %s and %s", op_text(op), sv_kind_name(l), sv_kind_name(r));
    diag_hint(S->d, "operators take tensors and numbers (and + joins two strings)");
    return sv_err();
  }
  if (op == TK_POW) {
    diag_error(S->d, loc, "'**' is only defined on compile-time values in Triton");
    diag_hint(S->d, "multiply explicitly, or use tl.exp2 / libdevice.pow");
    return sv_err();
  }
  /* pointer arithmetic: ptr + int, int + ptr, ptr - int */
  IrValue *lv0 = l.kind == SV_VAL ? l.v : NULL, *rv0 = r.kind == SV_VAL ? r.v : NULL;
  bool lptr = lv0 && lv0->type->dt == DT_PTR, rptr = rv0 && rv0->type->dt == DT_PTR;
  if (lptr || rptr) {
    if ((op != TK_PLUS && op != TK_MINUS) || (lptr && rptr) || (rptr && op == TK_MINUS)) {
      diag_error(S->d, loc, "unsupported pointer arithmetic: only pointer + int and pointer - int are allowed");
      return sv_err();
    }
    IrValue *p = lptr ? lv0 : rv0;
    IrValue *off = to_ir(S, loc, lptr ? r : l);
    if (!off) return sv_err();
    if (!dtype_is_int(off->type->dt)) {
      diag_error(S->d, loc, "a pointer offset must be an integer, got %s", dtype_name(off->type->dt));
      diag_hint(S->d, "convert the offset with .to(tl.int32)");
      return sv_err();
    }
    if (off->type->dt == DT_I1) off = cast_to(S, loc, off, ir_scalar(S->m, DT_I32));
    if (op == TK_MINUS) off = ir_build1(&S->b, OP_NEG, off->type, off);
    if (!broadcast_pair(S, loc, &p, &off)) return sv_err();
    return sv_val(ir_build2(&S->b, OP_ADDPTR, p->type, p, off));
  }
  bool div_or_mod = op == TK_SLASH || op == TK_PERCENT || op == TK_DSLASH;
  IrValue *x, *y;
  if (!promote_pair(S, loc, l, r, div_or_mod, true, &x, &y)) return sv_err();
  DType dt = x->type->dt;
  IrOpKind k;
  switch (op) {
  case TK_PLUS: k = OP_ADD; break;
  case TK_MINUS: k = OP_SUB; break;
  case TK_STAR: k = OP_MUL; break;
  case TK_SLASH:
    if (dtype_is_int(dt)) {
      /* int / int is true division in fp32 */
      x = cast_to(S, loc, x, ir_scalar(S->m, DT_F32));
      y = cast_to(S, loc, y, ir_scalar(S->m, DT_F32));
    }
    k = OP_DIV;
    break;
  case TK_DSLASH:
    if (!dtype_is_int(dt)) {
      diag_error(S->d, loc, "'//' is only defined on integers in Triton, got %s", dtype_name(dt));
      diag_hint(S->d, "for floats, write tl.floor(x / y)");
      return sv_err();
    }
    k = OP_DIV;
    break;
  case TK_PERCENT: k = OP_REM; break;
  case TK_AMP: case TK_PIPE: case TK_CARET: case TK_SHL: case TK_SHR:
    if (!dtype_is_int(dt)) {
      diag_error(S->d, loc, "bitwise operator %s needs integers, got %s", op_text(op), dtype_name(dt));
      diag_hint(S->d, "work on the bits with x.to(tl.int32, bitcast=True)");
      return sv_err();
    }
    k = op == TK_AMP ? OP_AND : op == TK_PIPE ? OP_OR : op == TK_CARET ? OP_XOR : op == TK_SHL ? OP_SHL : OP_SHR;
    break;
  default:
    diag_error(S->d, loc, "unsupported operator %s on tensors", op_text(op));
    return sv_err();
  }
  if (k == OP_SHR) {
    /* tensor.__rshift__ picks ashr or lshr by the signedness of the tensor it is called on
     * (the left operand, or the right one under a Python number), not of the promoted type:
     * i32_x >> u32_y shifts arithmetically. OP_SHR follows its operand type, so shift in the
     * same-width type of that signedness. */
    DType self = (l.kind == SV_VAL ? l.v : r.v)->type->dt;
    if (dt != DT_I1 && dtype_is_signed(self) != dtype_is_signed(dt)) {
      const IrType *t = ir_scalar(S->m, flip_signedness(dt));
      IrValue *v = ir_build2(&S->b, OP_SHR, ir_with_elem(S->m, x->type, t), cast_to(S, loc, x, t), cast_to(S, loc, y, t));
      return sv_val(cast_to(S, loc, v, ir_elem(S->m, x->type)));
    }
  }
  return sv_val(ir_build2(&S->b, k, x->type, x, y));
}

static SVal py_compare(Sema *S, SrcLoc loc, int op, SVal l, SVal r) {
  if (l.kind == SV_STR && r.kind == SV_STR) {
    int c = strcmp(l.s, r.s);
    switch (op) {
    case TK_EQ: return sv_bool(c == 0);
    case TK_NE: return sv_bool(c != 0);
    case TK_LT: return sv_bool(c < 0);
    case TK_GT: return sv_bool(c > 0);
    case TK_LE: return sv_bool(c <= 0);
    case TK_GE: return sv_bool(c >= 0);
    default: break;
    }
  }
  if (op == TK_IS || op == CMP_IS_NOT || ((op == TK_EQ || op == TK_NE) && !(sv_is_const(l) && sv_is_const(r)))) {
    bool same;
    if (l.kind != r.kind && !(sv_is_const(l) && sv_is_const(r))) same = false;
    else if (l.kind == SV_NONE) same = true;
    else if (l.kind == SV_DTYPE) same = l.dt == r.dt;
    else if (l.kind == SV_STR) same = !strcmp(l.s, r.s);
    else if (sv_is_const(l)) same = as_double(l) == as_double(r) && l.i == r.i;
    else same = l.fn == r.fn && l.b == r.b && l.s == r.s;
    bool want_same = op == TK_IS || op == TK_EQ;
    return sv_bool(same == want_same);
  }
  if (op == TK_IN || op == CMP_NOT_IN) {
    if (r.kind != SV_TUPLE) {
      diag_error(S->d, loc, "'in' needs a tuple on the right, got %s", sv_kind_name(r));
      diag_hint(S->d, "write x in (a, b, c)");
      return sv_err();
    }
    bool found = false;
    for (int i = 0; i < r.n && !found; i++) {
      SVal e = py_compare(S, loc, TK_EQ, l, r.items[i]);
      found = e.kind == SV_BOOL && e.i;
    }
    return sv_bool(found == (op == TK_IN));
  }
  if (!sv_is_const(l) || !sv_is_const(r)) {
    diag_error(S->d, loc, "cannot compare %s and %s with %s", sv_kind_name(l), sv_kind_name(r), op_text(op));
    diag_hint(S->d, "compare numbers with numbers and strings with strings");
    return sv_err();
  }
  bool fl = l.kind == SV_FLOAT || r.kind == SV_FLOAT;
  double a = as_double(l), b = as_double(r);
  int64_t x = l.i, y = r.i;
  switch (op) {
  case TK_EQ: return sv_bool(fl ? a == b : x == y);
  case TK_NE: return sv_bool(fl ? a != b : x != y);
  case TK_LT: return sv_bool(fl ? a < b : x < y);
  case TK_LE: return sv_bool(fl ? a <= b : x <= y);
  case TK_GT: return sv_bool(fl ? a > b : x > y);
  case TK_GE: return sv_bool(fl ? a >= b : x >= y);
  default: break;
  }
  diag_error(S->d, loc, "unsupported comparison %s", op_text(op));
  return sv_err();
}

SVal compare(Sema *S, SrcLoc loc, int op, SVal l, SVal r) {
  if (l.kind == SV_ERR || r.kind == SV_ERR) return sv_err();
  if (l.kind != SV_VAL && r.kind != SV_VAL) return py_compare(S, loc, op, l, r);
  CmpPred p;
  switch (op) {
  case TK_EQ: p = CMP_EQ; break;
  case TK_NE: p = CMP_NE; break;
  case TK_LT: p = CMP_LT; break;
  case TK_LE: p = CMP_LE; break;
  case TK_GT: p = CMP_GT; break;
  case TK_GE: p = CMP_GE; break;
  default:
    diag_error(S->d, loc, "'%s' cannot be applied to tensors", op_text(op));
    diag_hint(S->d, "compare elements with == and combine the results with |");
    return sv_err();
  }
  /* tensor.__lt__ and the other comparisons call to_tensor on a Python number first, so
   * the literal rule does not apply: fp16_x < 0.5 compares in fp32, u32_x < -1 in u32. */
  IrValue *x = to_ir(S, loc, l), *y = to_ir(S, loc, r);
  if (!x || !y || !promote_pair(S, loc, sv_val(x), sv_val(y), false, false, &x, &y)) return sv_err();
  IrOp *c = ir_build(&S->b, OP_CMP, ir_with_elem(S->m, x->type, ir_scalar(S->m, DT_I1)), 2, (IrValue *[]){x, y});
  c->i = p;
  return sv_val(c->res[0]);
}

bool py_truthy(Sema *S, SrcLoc loc, SVal v, bool *out) {
  switch (v.kind) {
  case SV_INT: case SV_BOOL: *out = v.i != 0; return true;
  case SV_FLOAT: *out = v.f != 0; return true;
  case SV_NONE: *out = false; return true;
  case SV_STR: *out = v.s[0] != 0; return true;
  case SV_TUPLE: *out = v.n != 0; return true;
  case SV_DTYPE: case SV_FUNC: case SV_MODULE: case SV_USERMOD: case SV_BUILTIN: *out = true; return true;
  case SV_ERR: return false;
  default:
    diag_error(S->d, loc, "the truth value of %s is not known at compile time", sv_kind_name(v));
    diag_hint(S->d, "a compile-time True or False is needed here");
    return false;
  }
}

SVal unop(Sema *S, SrcLoc loc, int op, SVal x) {
  if (x.kind == SV_ERR) return x;
  if (x.kind != SV_VAL) {
    if (op == TK_NOT) {
      bool t;
      return py_truthy(S, loc, x, &t) ? sv_bool(!t) : sv_err();
    }
    if (!sv_is_const(x)) {
      diag_error(S->d, loc, "bad operand for unary %s: %s", op_text(op), sv_kind_name(x));
      diag_hint(S->d, "unary operators take tensors and numbers");
      return sv_err();
    }
    if (op == TK_MINUS) {
      if (x.kind == SV_FLOAT) return sv_float(-x.f);
      if (x.i == INT64_MIN) return overflow(S, loc);
      return sv_int(-x.i);
    }
    if (op == TK_PLUS) return x.kind == SV_BOOL ? sv_int(x.i) : x;
    if (x.kind == SV_FLOAT) {
      diag_error(S->d, loc, "bad operand for unary ~: float");
      diag_hint(S->d, "~ takes ints: convert with int(...)");
      return sv_err();
    }
    return sv_int(~x.i);
  }
  IrValue *v = x.v;
  DType dt = v->type->dt;
  if (dt == DT_PTR) {
    diag_error(S->d, loc, "unary %s is not defined on pointers", op_text(op));
    diag_hint(S->d, "apply it to the offsets before adding them to the pointer");
    return sv_err();
  }
  switch (op) {
  case TK_PLUS: return x;
  case TK_MINUS: return sv_val(ir_build1(&S->b, OP_NEG, v->type, v));
  case TK_TILDE:
    if (!dtype_is_int(dt)) {
      diag_error(S->d, loc, "'~' needs an integer or bool tensor, got %s", dtype_name(dt));
      diag_hint(S->d, "for floats, use -x or 1 - x; for the bits, x.to(tl.int32, bitcast=True)");
      return sv_err();
    }
    return sv_val(ir_build1(&S->b, OP_NOT, v->type, v));
  case TK_NOT: {
    IrValue *b = cast_to(S, loc, v, ir_scalar(S->m, DT_I1));
    return sv_val(ir_build1(&S->b, OP_NOT, b->type, b));
  }
  default:
    diag_error(S->d, loc, "unsupported unary operator");
    return sv_err();
  }
}

SVal maximum_minimum(Sema *S, SrcLoc loc, bool is_max, SVal l, SVal r, bool propagate_nan) {
  if (l.kind == SV_ERR || r.kind == SV_ERR) return sv_err();
  if (sv_is_const(l) && sv_is_const(r)) {
    bool gt = as_double(l) > as_double(r) || (as_double(l) == as_double(r) && l.i > r.i);
    return (is_max ? gt : !gt) ? l : r;
  }
  /* core.minimum/maximum call to_tensor on both operands first, so a Python number
   * promotes like a tensor of its literal type (fp16_x with 0.0 is fp32, i8_x with 0 is
   * i32); then each bf16 operand is widened to fp32 before the two are promoted. */
  IrValue *x = to_ir(S, loc, l), *y = to_ir(S, loc, r);
  if (!x || !y) return sv_err();
  if (x->type->dt == DT_BF16) x = cast_to(S, loc, x, ir_scalar(S->m, DT_F32));
  if (y->type->dt == DT_BF16) y = cast_to(S, loc, y, ir_scalar(S->m, DT_F32));
  if (!promote_pair(S, loc, sv_val(x), sv_val(y), false, false, &x, &y)) return sv_err();
  IrOp *op = ir_build(&S->b, is_max ? OP_MAX : OP_MIN, x->type, 2, (IrValue *[]){x, y});
  op->i = propagate_nan;
  return sv_val(op->res[0]);
}
