/*
 * builtins.c — the triton.language surface, Python builtins and libdevice, as one table.
 *
 * Each entry names its module, its Python signature (parameter names and defaults, as in
 * Triton) and a handler; call_builtin binds positional and keyword arguments to that
 * signature generically, so handlers see their arguments in declaration order.
 */
#include "sema_val.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 12

/* ---- helpers ----------------------------------------------------------------------------- */

bool want_int(Sema *S, SrcLoc loc, SVal v, const char *what, int64_t *out) {
  if (v.kind == SV_INT || v.kind == SV_BOOL) {
    *out = v.i;
    return true;
  }
  if (v.kind != SV_ERR) {
    diag_error(S->d, loc, "%s must be a compile-time int, got %s", what, sv_kind_name(v));
    diag_hint(S->d, "use a literal, a tl.constexpr parameter, or a value computed from them");
  }
  return false;
}

bool want_tensor(Sema *S, SrcLoc loc, SVal v, const char *what, IrValue **out) {
  if (v.kind == SV_ERR) return false;
  IrValue *x = to_ir(S, loc, v);
  if (!x) {
    diag_hint(S->d, "%s must be a tensor or a number", what);
    return false;
  }
  *out = x;
  return true;
}

bool want_dtype(Sema *S, SrcLoc loc, SVal v, const IrType **out) {
  if (v.kind == SV_DTYPE) {
    *out = v.dt;
    return true;
  }
  if (v.kind != SV_ERR) diag_error(S->d, loc, "expected a dtype (e.g. tl.float32), got %s", sv_kind_name(v));
  return false;
}

static bool want_shape(Sema *S, SrcLoc loc, SVal v, int *rank, int64_t *shape) {
  if (v.kind == SV_INT) {
    *rank = 1;
    shape[0] = v.i;
  } else if (v.kind == SV_TUPLE) {
    if (v.n > IR_MAX_RANK) {
      diag_unsupported(S->d, loc, "tensors of rank above %d are not supported", IR_MAX_RANK);
      diag_hint(S->d, "merge dimensions: a block has at most %d", IR_MAX_RANK);
      return false;
    }
    *rank = v.n;
    for (int i = 0; i < v.n; i++)
      if (!want_int(S, loc, v.items[i], "a shape dimension", &shape[i])) return false;
  } else {
    if (v.kind != SV_ERR) {
      diag_error(S->d, loc, "a shape must be a tuple of compile-time ints, got %s", sv_kind_name(v));
      diag_hint(S->d, "e.g. (BLOCK_M, BLOCK_N) with tl.constexpr parameters");
    }
    return false;
  }
  int64_t numel = 1;
  for (int i = 0; i < *rank; i++) {
    if (shape[i] <= 0 || (shape[i] & (shape[i] - 1))) {
      diag_error(S->d, loc, "shape dimension %lld is not a power of two (Triton requires power-of-two block shapes)", (long long)shape[i]);
      diag_hint(S->d, "round up with triton.next_power_of_2 and mask the tail");
      return false;
    }
    numel *= shape[i];
  }
  if (numel > (1 << 20)) {
    diag_error(S->d, loc, "a block of %lld elements exceeds Triton's limit of 1048576 (2^20)", (long long)numel);
    diag_hint(S->d, "use smaller blocks and loop over the data");
    return false;
  }
  return true;
}

const char *want_str(Sema *S, SrcLoc loc, SVal v, const char *what) {
  if (v.kind == SV_STR) return v.s;
  if (v.kind == SV_NONE) return "";
  if (v.kind != SV_ERR) {
    diag_error(S->d, loc, "%s must be a string, got %s", what, sv_kind_name(v));
    diag_hint(S->d, "pass a string literal");
  }
  return NULL;
}

/* ---- programs and creation ---------------------------------------------------------------- */

static SVal b_program_id(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  int64_t axis;
  if (!want_int(S, call->loc, a[0], "axis", &axis)) return sv_err();
  if (axis < 0 || axis > 2) {
    diag_error(S->d, call->loc, "program axis must be 0, 1 or 2, got %lld", (long long)axis);
    diag_hint(S->d, "grids have at most 3 dimensions");
    return sv_err();
  }
  IrOp *op = ir_build(&S->b, (IrOpKind)b->op, ir_scalar(S->m, DT_I32), 0, NULL);
  op->i = axis;
  return sv_val(op->res[0]);
}

static SVal b_arange(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  int64_t lo, hi;
  if (!want_int(S, call->loc, a[0], "arange start", &lo) || !want_int(S, call->loc, a[1], "arange end", &hi)) return sv_err();
  if (lo < INT32_MIN || lo > INT32_MAX || hi < INT32_MIN || hi > INT32_MAX) {
    diag_error(S->d, call->loc, "arange bounds must fit in int32, got %lld and %lld", (long long)lo, (long long)hi);
    diag_hint(S->d, "arange from 0 and add a 64-bit offset: base + tl.arange(0, BLOCK)");
    return sv_err();
  }
  int64_t n = hi - lo;
  if (hi <= lo) {
    diag_error(S->d, call->loc, "arange's end (%lld) must be greater than its start (%lld)", (long long)hi, (long long)lo);
    diag_hint(S->d, "write tl.arange(start, end) with start < end");
    return sv_err();
  }
  if (n & (n - 1)) {
    diag_error(S->d, call->loc, "arange's range must be a power of two, got %lld", (long long)n);
    diag_hint(S->d, "use tl.arange(0, triton.next_power_of_2(n)) with a mask");
    return sv_err();
  }
  if (n > (1 << 20) || lo < INT32_MIN || hi > INT32_MAX) {
    diag_error(S->d, call->loc, "arange of %lld elements exceeds Triton's limit of 1048576", (long long)n);
    diag_hint(S->d, "use smaller blocks and loop over the data");
    return sv_err();
  }
  IrOp *op = ir_build(&S->b, OP_ARANGE, ir_block(S->m, ir_scalar(S->m, DT_I32), 1, &n), 0, NULL);
  op->i = lo;
  op->i2 = hi;
  return sv_val(op->res[0]);
}

static SVal make_full(Sema *S, SrcLoc loc, int rank, const int64_t *shape, SVal value, const IrType *dt) {
  IrValue *v;
  if (value.kind == SV_VAL) {
    if (value.v->type->rank) {
      diag_error(S->d, loc, "tl.full's value must be a scalar");
      diag_hint(S->d, "to fill a block from a tensor, use tl.broadcast_to(x, shape)");
      return sv_err();
    }
    v = cast_to(S, loc, value.v, dt);
  } else if (sv_is_const(value)) {
    v = dtype_is_float(dt->dt) ? ir_const_float(&S->b, dt, value.kind == SV_FLOAT ? value.f : (double)value.i)
                               : ir_const_int(&S->b, dt, value.kind == SV_FLOAT ? (int64_t)value.f : value.i);
  } else {
    if (value.kind != SV_ERR) {
      diag_error(S->d, loc, "tl.full's value must be a number, got %s", sv_kind_name(value));
      diag_hint(S->d, "e.g. tl.full((BLOCK,), 0.0, tl.float32)");
    }
    return sv_err();
  }
  if (!rank) return sv_val(v);
  return sv_val(ir_build1(&S->b, OP_SPLAT, ir_block(S->m, dt, rank, shape), v));
}

static SVal b_full(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  int rank = 0;
  int64_t shape[IR_MAX_RANK];
  const IrType *dt;
  bool zeros = b->op == 0;
  if (a[0].kind == SV_TUPLE && a[0].n == 0) rank = 0;
  else if (!want_shape(S, call->loc, a[0], &rank, shape)) return sv_err();
  if (!want_dtype(S, call->loc, zeros ? a[1] : a[2], &dt)) return sv_err();
  return make_full(S, call->loc, rank, shape, zeros ? sv_int(0) : a[1], dt);
}

static SVal b_zeros_like(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  return make_full(S, call->loc, x->type->rank, x->type->shape, sv_int(0), ir_elem(S->m, x->type));
}

/* ---- memory --------------------------------------------------------------------------------- */

static bool parse_cache(Sema *S, SrcLoc loc, SVal v, bool store, int *out) {
  const char *s = want_str(S, loc, v, "cache_modifier");
  if (!s) return false;
  if (*s == '.') s++;
  static const char *const names[] = {"", "ca", "cg", "cv", "wb", "cs", "wt"};
  for (int i = 0; i < 7; i++)
    if (!strcmp(s, names[i])) {
      bool ok = i == 0 || i == CACHE_CG || (store ? i >= CACHE_WB : i <= CACHE_CV);
      if (ok) {
        *out = i;
        return true;
      }
    }
  diag_error(S->d, loc, "unsupported cache_modifier '%s' for %s", s, store ? "a store (use .wb, .cg, .cs or .wt)" : "a load (use .ca, .cg or .cv)");
  return false;
}

static bool parse_evict(Sema *S, SrcLoc loc, SVal v, int *out) {
  const char *s = want_str(S, loc, v, "eviction_policy");
  if (!s) return false;
  if (!*s || !strcmp(s, "evict_normal")) *out = EVICT_NONE;
  else if (!strcmp(s, "evict_first")) *out = EVICT_FIRST;
  else if (!strcmp(s, "evict_last")) *out = EVICT_LAST;
  else {
    diag_error(S->d, loc, "unsupported eviction_policy '%s' (use evict_first or evict_last)", s);
    return false;
  }
  return true;
}

static bool check_pointer(Sema *S, SrcLoc loc, SVal p, IrValue **out) {
  if (p.kind == SV_ERR) return false;
  if (p.kind != SV_VAL || p.v->type->dt != DT_PTR) {
    diag_error(S->d, loc, "expected a pointer or a tensor of pointers, got %s", sv_kind_name(p));
    diag_hint(S->d, "pass a pointer argument plus offsets, e.g. x_ptr + offs");
    return false;
  }
  *out = p.v;
  return true;
}

/* Bool tensors are bytes in memory (as in Triton): an int1 pointer is used as an int8 one. */
static IrValue *bool_as_bytes(Sema *S, SrcLoc loc, IrValue *ptr) {
  return ptr->type->pointee->dt == DT_I1 ? cast_to(S, loc, ptr, ir_ptr(S->m, ir_scalar(S->m, DT_I8))) : ptr;
}

static bool check_mask(Sema *S, SrcLoc loc, SVal m, IrValue **ptr, IrValue **mask) {
  IrValue *mv;
  if (!want_tensor(S, loc, m, "mask", &mv)) return false;
  if (!(*ptr)->type->rank && mv->type->rank) {
    diag_error(S->d, loc, "the mask cannot be a tensor when the pointer is a single pointer (as in Triton)");
    diag_hint(S->d, "add offsets to the pointer (ptr + tl.arange(...)) so that it is a block like the mask");
    return false;
  }
  mv = cast_to(S, loc, mv, ir_scalar(S->m, DT_I1));
  if (!(*ptr)->type->rank && mv->type->rank) *ptr = broadcast_to(S, loc, *ptr, mv->type);
  else mv = broadcast_to(S, loc, mv, (*ptr)->type);
  if (!*ptr || !mv) return false;
  *mask = mv;
  return true;
}

static SVal b_load(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *ptr, *mask = NULL, *other = NULL;
  if (!check_pointer(S, call->loc, a[0], &ptr)) return sv_err();
  if (a[3].kind == SV_TUPLE ? a[3].n : a[3].kind != SV_NONE) {
    diag_unsupported(S->d, call->loc, "block pointers (boundary_check) are not supported yet");
    diag_hint(S->d, "compute the offsets and a mask from tl.arange instead");
    return sv_err();
  }
  bool is_bool = ptr->type->pointee->dt == DT_I1; /* loaded as bytes, then != 0 */
  ptr = bool_as_bytes(S, call->loc, ptr);
  if (a[1].kind != SV_NONE && !check_mask(S, call->loc, a[1], &ptr, &mask)) return sv_err();
  if (a[2].kind != SV_NONE) {
    if (!mask) {
      diag_error(S->d, call->loc, "'other' can only be given together with 'mask'");
      diag_hint(S->d, "add mask=..., or drop other");
      return sv_err();
    }
    const IrType *elem = ptr->type->pointee;
    if (sv_is_const(a[2])) other = dtype_is_float(elem->dt) ? ir_const_float(&S->b, elem, a[2].kind == SV_FLOAT ? a[2].f : (double)a[2].i)
                                                              : ir_const_int(&S->b, elem, a[2].kind == SV_FLOAT ? (int64_t)a[2].f : a[2].i);
    else if (!want_tensor(S, call->loc, a[2], "other", &other)) return sv_err();
    other = broadcast_to(S, call->loc, cast_to(S, call->loc, other, elem), ptr->type);
    if (!other) return sv_err();
  }
  int cache = 0, evict = 0;
  if (!parse_cache(S, call->loc, a[5], false, &cache) || !parse_evict(S, call->loc, a[6], &evict)) return sv_err();
  bool vol;
  if (!py_truthy(S, call->loc, a[7], &vol)) return sv_err();
  IrValue *ops[3] = {ptr, mask, other};
  const IrType *t = ir_with_elem(S->m, ptr->type, ptr->type->pointee);
  IrOp *op = ir_build(&S->b, OP_LOAD, t, 1 + !!mask + !!other, ops);
  op->flags = (mask ? MEM_MASK : 0) | (other ? MEM_OTHER : 0) | (vol ? MEM_VOLATILE : 0);
  op->i = cache;
  op->i2 = evict;
  return sv_val(is_bool ? cast_to(S, call->loc, op->res[0], ir_scalar(S->m, DT_I1)) : op->res[0]);
}

static SVal b_store(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *ptr, *val, *mask = NULL;
  if (!check_pointer(S, call->loc, a[0], &ptr) || !want_tensor(S, call->loc, a[1], "value", &val)) return sv_err();
  if (a[3].kind == SV_TUPLE ? a[3].n : a[3].kind != SV_NONE) {
    diag_unsupported(S->d, call->loc, "block pointers (boundary_check) are not supported yet");
    diag_hint(S->d, "compute the offsets and a mask from tl.arange instead");
    return sv_err();
  }
  if (!ptr->type->rank && val->type->rank) {
    diag_error(S->d, call->loc, "cannot store a tensor through a single pointer (as in Triton)");
    diag_hint(S->d, "add offsets to the pointer: ptr + tl.arange(...)");
    return sv_err();
  }
  if (ptr->type->pointee->dt == DT_I1) { /* stored as bytes 0 / 1 */
    val = cast_to(S, call->loc, val, ir_scalar(S->m, DT_I1));
    ptr = bool_as_bytes(S, call->loc, ptr);
  }
  if (a[2].kind != SV_NONE && !check_mask(S, call->loc, a[2], &ptr, &mask)) return sv_err();
  val = broadcast_to(S, call->loc, cast_to(S, call->loc, val, ptr->type->pointee), ptr->type);
  if (!val) return sv_err();
  int cache = 0, evict = 0;
  if (!parse_cache(S, call->loc, a[4], true, &cache) || !parse_evict(S, call->loc, a[5], &evict)) return sv_err();
  IrValue *ops[3] = {ptr, val, mask};
  IrOp *op = ir_build(&S->b, OP_STORE, NULL, 2 + !!mask, ops);
  op->flags = mask ? MEM_MASK : 0;
  op->i = cache;
  op->i2 = evict;
  return (SVal){.kind = SV_NONE};
}

/* ---- dot -------------------------------------------------------------------------------------- */

/* tl.dot: same-dtype inputs; int8/uint8 accumulate in int32, 16-bit floats in out_dtype
 * (fp32 by default; fp16 allowed for fp16 inputs), fp32 in fp32. fp32 inputs are multiplied
 * in full IEEE precision on every target (Triton's NVIDIA default is tf32). */
static SVal b_dot(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x, *y, *acc = NULL;
  if (!want_tensor(S, call->loc, a[0], "a", &x) || !want_tensor(S, call->loc, a[1], "b", &y)) return sv_err();
  const IrType *tx = x->type, *ty = y->type;
  if (tx->rank == 3 || ty->rank == 3) {
    diag_unsupported(S->d, call->loc, "batched (3-D) tl.dot is not supported yet");
    diag_hint(S->d, "loop over the batch with 2-D tl.dot calls");
    return sv_err();
  }
  if (tx->rank != 2 || ty->rank != 2) {
    diag_error(S->d, call->loc, "tl.dot needs 2-D tensors, got ranks %d and %d", tx->rank, ty->rank);
    diag_hint(S->d, "make the inputs 2-D, e.g. x[None, :] or tl.reshape(x, (M, K))");
    return sv_err();
  }
  if (tx->shape[1] != ty->shape[0]) {
    diag_error(S->d, call->loc, "tl.dot: the inner dimensions differ (%lld and %lld)", (long long)tx->shape[1], (long long)ty->shape[0]);
    diag_hint(S->d, "a is M x K and b must be K x N; transpose b with tl.trans if needed");
    return sv_err();
  }
  DType dt = tx->dt;
  if (dt != ty->dt) {
    diag_error(S->d, call->loc, "tl.dot needs both inputs of one dtype, got %s and %s", dtype_name(dt), dtype_name(ty->dt));
    diag_hint(S->d, "cast one of them with .to()");
    return sv_err();
  }
  DType out;
  if (dt == DT_I8 || dt == DT_U8) out = DT_I32;
  else if (dt == DT_F16 || dt == DT_BF16 || dt == DT_F32 || dt == DT_F64) out = dt == DT_F64 ? DT_F64 : DT_F32;
  else {
    diag_error(S->d, call->loc, "tl.dot does not support %s inputs (int8, uint8, fp16, bf16, fp32, fp64)", dtype_name(dt));
    diag_hint(S->d, "convert the inputs first, e.g. with .to(tl.float32)");
    return sv_err();
  }
  const IrType *od = NULL;
  if (a[6].kind != SV_NONE && !want_dtype(S, call->loc, a[6], &od)) return sv_err();
  if (od) {
    if (od->dt == DT_BF16) {
      diag_error(S->d, call->loc, "tl.dot does not accept out_dtype=bfloat16 (as Triton); use float32 and .to(tl.bfloat16)");
      return sv_err();
    }
    if (od->dt == DT_F16 && dt == DT_F16) out = DT_F16;
    else if (od->dt != out) {
      diag_error(S->d, call->loc, "out_dtype %s does not fit %s inputs", dtype_name(od->dt), dtype_name(dt));
      diag_hint(S->d, "int8 inputs give int32, fp16 inputs fp32 or fp16, bf16 and fp32 inputs fp32, fp64 inputs fp64");
      return sv_err();
    }
  }
  if (a[3].kind == SV_STR && strcmp(a[3].s, "ieee") && strcmp(a[3].s, "tf32") && strcmp(a[3].s, "tf32x3")) {
    diag_error(S->d, call->loc, "unknown input_precision '%s' (ieee, tf32, tf32x3)", a[3].s);
    return sv_err();
  }
  int64_t shape[2] = {tx->shape[0], ty->shape[1]};
  const IrType *rt = ir_block(S->m, ir_scalar(S->m, out), 2, shape);
  if (a[2].kind != SV_NONE) {
    if (!want_tensor(S, call->loc, a[2], "acc", &acc)) return sv_err();
    acc = broadcast_to(S, call->loc, cast_to(S, call->loc, acc, ir_scalar(S->m, out)), rt);
    if (!acc) return sv_err();
  } else {
    acc = ir_build1(&S->b, OP_SPLAT, rt, dtype_is_float(out) ? ir_const_float(&S->b, ir_scalar(S->m, out), 0) : ir_const_int(&S->b, ir_scalar(S->m, out), 0));
  }
  IrValue *ops[3] = {x, y, acc};
  return sv_val(ir_build(&S->b, OP_DOT, rt, 3, ops)->res[0]);
}

/* ---- atomics ---------------------------------------------------------------------------------- */

static bool parse_sem_scope(Sema *S, SrcLoc loc, SVal sem, SVal scope, int *sem_out, int *scope_out) {
  const char *s = want_str(S, loc, sem, "sem"), *c = want_str(S, loc, scope, "scope");
  if (!s || !c) return false;
  static const char *const sems[] = {"acq_rel", "acquire", "release", "relaxed"};
  static const char *const scopes[] = {"gpu", "cta", "sys"};
  *sem_out = -1;
  *scope_out = -1;
  if (!*s) *sem_out = SEM_ACQ_REL;
  for (int i = 0; i < 4; i++)
    if (!strcmp(s, sems[i])) *sem_out = i;
  if (!*c) *scope_out = SCOPE_GPU;
  for (int i = 0; i < 3; i++)
    if (!strcmp(c, scopes[i])) *scope_out = i;
  if (*sem_out < 0) diag_error(S->d, loc, "unknown sem '%s' (use acq_rel, acquire, release or relaxed)", s);
  if (*scope_out < 0) diag_error(S->d, loc, "unknown scope '%s' (use gpu, cta or sys)", c);
  return *sem_out >= 0 && *scope_out >= 0;
}

/* Which element types each atomic accepts (Triton's rules, plus bf16 add as in Triton 3.4+). */
static bool atomic_type_ok(AtomicOp k, DType dt) {
  int bits = dtype_bits(dt);
  switch (k) {
  case ATOM_ADD: return (dtype_is_int(dt) && bits >= 32) || dtype_is_float(dt);
  case ATOM_MAX: case ATOM_MIN: return (dtype_is_int(dt) && bits >= 32) || dt == DT_F32 || dt == DT_F64;
  case ATOM_XCHG: return bits >= 32 && dt != DT_PTR;
  default: return dtype_is_int(dt) && bits >= 32;
  }
}

static SVal b_atomic(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  bool cas = b->op < 0;
  IrValue *ptr, *val, *cmp = NULL, *mask = NULL;
  if (!check_pointer(S, call->loc, a[0], &ptr)) return sv_err();
  const IrType *elem = ptr->type->pointee;
  if (!atomic_type_ok(cas ? ATOM_XCHG : (AtomicOp)b->op, elem->dt) || (cas && dtype_bits(elem->dt) < 16)) {
    diag_error(S->d, call->loc, "tl.%s does not support %s pointers", b->name, dtype_name(elem->dt));
    diag_hint(S->d, "%s", cas ? "atomic_cas works on 16-, 32- and 64-bit values"
                        : b->op == ATOM_ADD ? "atomic_add works on 32- and 64-bit ints and on floats"
                        : b->op == ATOM_MAX || b->op == ATOM_MIN ? "atomic_max/min work on 32- and 64-bit ints, fp32 and fp64"
                        : b->op == ATOM_XCHG ? "atomic_xchg works on 32- and 64-bit values"
                                             : "atomic_and/or/xor work on 32- and 64-bit ints");
    return sv_err();
  }
  int vi = cas ? 2 : 1;
  if (!want_tensor(S, call->loc, a[vi], "val", &val)) return sv_err();
  if (cas && !want_tensor(S, call->loc, a[1], "cmp", &cmp)) return sv_err();
  if (!ptr->type->rank && val->type->rank) ptr = broadcast_to(S, call->loc, ptr, val->type);
  if (ptr && cmp && !ptr->type->rank && cmp->type->rank) ptr = broadcast_to(S, call->loc, ptr, cmp->type);
  if (!ptr) return sv_err();
  if (!cas && a[2].kind != SV_NONE && !check_mask(S, call->loc, a[2], &ptr, &mask)) return sv_err();
  val = broadcast_to(S, call->loc, cast_to(S, call->loc, val, elem), ptr->type);
  if (cmp) cmp = broadcast_to(S, call->loc, cast_to(S, call->loc, cmp, elem), ptr->type);
  if (!val || (cas && !cmp)) return sv_err();
  int sem, scope;
  if (!parse_sem_scope(S, call->loc, a[3], a[4] /* sem, scope: same places for both */, &sem, &scope)) return sv_err();
  IrValue *ops[3] = {ptr, cas ? cmp : val, cas ? val : mask};
  int nops = cas ? 3 : 2 + !!mask;
  IrOp *op = ir_build(&S->b, cas ? OP_ATOMIC_CAS : OP_ATOMIC_RMW, ir_with_elem(S->m, ptr->type, elem), nops, ops);
  op->i = cas ? 0 : b->op;
  op->i2 = sem;
  op->flags = (mask ? MEM_MASK : 0) | scope << MEM_SCOPE_SHIFT;
  return sv_val(op->res[0]);
}

/* ---- elementwise ---------------------------------------------------------------------------- */

static SVal b_where(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *c, *x, *y;
  if (!want_tensor(S, call->loc, a[0], "condition", &c)) return sv_err();
  c = cast_to(S, call->loc, c, ir_scalar(S->m, DT_I1));
  bool px = a[1].kind == SV_VAL && a[1].v->type->dt == DT_PTR, py = a[2].kind == SV_VAL && a[2].v->type->dt == DT_PTR;
  if (px || py) { /* pointers are selected as they are, when both have one type (as Triton) */
    if (!px || !py || a[1].v->type->pointee->dt != a[2].v->type->pointee->dt) {
      diag_error(S->d, call->loc, "tl.where between a pointer and %s: both values must be pointers to the same type",
                 px && py ? "a pointer of another type" : "a non-pointer");
      diag_hint(S->d, "select offsets instead, or cast one pointer with .to(<pointer type>, bitcast=True)");
      return sv_err();
    }
    x = a[1].v;
    y = a[2].v;
  } else if (!promote_pair(S, call->loc, a[1], a[2], false, false, &x, &y)) {
    return sv_err();
  }
  if (!broadcast_pair(S, call->loc, &c, &x) || !broadcast_pair(S, call->loc, &c, &y) || !broadcast_pair(S, call->loc, &x, &y))
    return sv_err();
  return sv_val(ir_build(&S->b, OP_SELECT, x->type, 3, (IrValue *[]){c, x, y})->res[0]);
}

static SVal b_minmax2(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  bool nan = false;
  if (a[2].kind != SV_NONE && a[2].kind != SV_INT && a[2].kind != SV_BOOL) {
    diag_error(S->d, call->loc, "propagate_nan must be tl.PropagateNan.NONE or ALL");
    return sv_err();
  }
  nan = a[2].kind != SV_NONE && a[2].i != 0;
  return maximum_minimum(S, call->loc, b->op == OP_MAX, a[0], a[1], nan);
}

static SVal b_clamp(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  SVal lo = maximum_minimum(S, call->loc, true, a[0], a[1], false);
  return maximum_minimum(S, call->loc, false, lo, a[2], false);
}

/* Math functions: Triton accepts only fp32/fp64 for most of them. */
static SVal b_math1(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "x", &x)) return sv_err();
  DType dt = x->type->dt;
  bool any_float = b->op == OP_ABS;
  if (b->op == OP_ABS) {
    if (!dtype_is_int(dt) || dtype_is_signed(dt)) return sv_val(ir_build1(&S->b, OP_ABS, x->type, x));
    return sv_val(x); /* |unsigned| */
  }
  if (!any_float && dt != DT_F32 && dt != DT_F64) {
    if (dtype_is_int(dt) && !strcmp(b->module, "libdevice")) {
      diag_error(S->d, call->loc, "libdevice.%s expects a floating-point argument, got %s", b->name, dtype_name(dt));
      diag_hint(S->d, "cast first: x.to(tl.float32)");
      return sv_err();
    }
    diag_error(S->d, call->loc, "Expected dtype ['fp32', 'fp64'] but got %s (tl.%s)", dtype_name(dt), b->name);
    diag_hint(S->d, "cast first: x.to(tl.float32)");
    return sv_err();
  }
  return sv_val(ir_build1(&S->b, (IrOpKind)b->op, x->type, x));
}

static SVal b_fma(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x, *y, *z;
  if (!promote_pair(S, call->loc, a[0], a[1], false, true, &x, &y)) return sv_err();
  if (!want_tensor(S, call->loc, a[2], "z", &z)) return sv_err();
  z = cast_to(S, call->loc, z, ir_elem(S->m, x->type));
  if (!broadcast_pair(S, call->loc, &x, &z) || !broadcast_pair(S, call->loc, &y, &z) || !broadcast_pair(S, call->loc, &x, &y))
    return sv_err();
  return sv_val(ir_build(&S->b, OP_FMA, x->type, 3, (IrValue *[]){x, y, z})->res[0]);
}

/* libdevice functions with a C math library twin (log1p, pow, ...): an EXTERN op named by
 * the C name; fp32/fp64 arguments of one type, as libdevice has them. */
static SVal b_extern(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x[2];
  if (b->op == 1) {
    if (!want_tensor(S, call->loc, a[0], "x", &x[0])) return sv_err();
  } else if (!promote_pair(S, call->loc, a[0], a[1], false, true, &x[0], &x[1])) {
    return sv_err();
  }
  DType dt = x[0]->type->dt;
  if (dt != DT_F32 && dt != DT_F64) {
    diag_error(S->d, call->loc, "libdevice.%s expects fp32 or fp64 arguments, got %s", b->name, dtype_name(dt));
    diag_hint(S->d, "cast first: x.to(tl.float32)");
    return sv_err();
  }
  IrOp *op = ir_build(&S->b, OP_EXTERN, x[0]->type, b->op, x);
  op->str = b->name;
  return sv_val(op->res[0]);
}

/* tl.umulhi(x, y): the high half of the product of two ints; tl.div_rn and
 * tl.fdiv(ieee_rounding=True): IEEE division, rounded to nearest (a `div` op marked ieee);
 * tl.fdiv(ieee_rounding=False) divides as `/` does (on NVIDIA fp32: div.full.f32). */
static SVal b_int_or_float2(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x, *y;
  bool ieee = false;
  if (b->op == OP_DIV && !strcmp(b->name, "fdiv")) {
    if (a[2].kind != SV_BOOL && a[2].kind != SV_INT) {
      diag_error(S->d, call->loc, "tl.fdiv's ieee_rounding must be a constexpr bool");
      diag_hint(S->d, "pass True (IEEE division, as tl.div_rn) or False (as `/`)");
      return sv_err();
    }
    ieee = a[2].i != 0;
  } else if (b->op == OP_DIV) {
    ieee = true; /* div_rn */
  }
  if (!promote_pair(S, call->loc, a[0], a[1], false, true, &x, &y)) return sv_err();
  bool want_int = b->op == OP_UMULHI;
  if (want_int ? !dtype_is_int(x->type->dt) || x->type->dt == DT_I1 : !dtype_is_float(x->type->dt)) {
    diag_error(S->d, call->loc, "tl.%s expects %s arguments, got %s", b->name, want_int ? "integer" : "floating-point",
               dtype_name(x->type->dt));
    diag_hint(S->d, "cast first with .to(...)");
    return sv_err();
  }
  IrOp *op = ir_build(&S->b, (IrOpKind)b->op, x->type, 2, (IrValue *[]){x, y});
  op->i = ieee;
  return sv_val(op->res[0]);
}

static SVal b_sigmoid(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  /* 1 / (1 + exp(-x)), as triton.language.standard computes it */
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "x", &x)) return sv_err();
  SVal e = unop(S, call->loc, TK_MINUS, sv_val(x));
  if (e.kind == SV_ERR) return e;
  Builtin exp_b = {.module = "tl", .name = "exp", .op = OP_EXP};
  e = b_math1(S, call, &exp_b, &e);
  return binop(S, call->loc, TK_SLASH, sv_float(1.0), binop(S, call->loc, TK_PLUS, sv_float(1.0), e));
}

static SVal b_cast(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x;
  const IrType *dt;
  if (!want_tensor(S, call->loc, a[0], "input", &x) || !want_dtype(S, call->loc, a[1], &dt)) return sv_err();
  bool bitcast = false;
  if (!py_truthy(S, call->loc, a[3], &bitcast)) return sv_err();
  if (a[2].kind != SV_NONE) {
    const char *r = want_str(S, call->loc, a[2], "fp_downcast_rounding");
    if (!r) return sv_err();
    if (strcmp(r, "rtne")) {
      diag_unsupported(S->d, call->loc, "fp_downcast_rounding='%s' is not supported yet (only 'rtne')", r);
      return sv_err();
    }
  }
  if (bitcast) {
    if (dtype_bits(x->type->dt) != dtype_bits(dt->dt)) {
      diag_error(S->d, call->loc, "bitcast needs equal bit widths: %s has %d bits, %s has %d", dtype_name(x->type->dt),
                 dtype_bits(x->type->dt), dtype_name(dt->dt), dtype_bits(dt->dt));
      diag_hint(S->d, "bitcast to a dtype of the same width (fp32 and int32, fp16 and int16 ...), or drop bitcast=True to convert");
      return sv_err();
    }
    IrOp *op = ir_build(&S->b, OP_CAST, ir_with_elem(S->m, x->type, dt), 1, &x);
    op->i = 1;
    return sv_val(op->res[0]);
  }
  if ((x->type->dt == DT_PTR) != (dt->dt == DT_PTR) && dtype_bits(x->type->dt == DT_PTR ? dt->dt : x->type->dt) != 64) {
    diag_error(S->d, call->loc, "pointers can only be cast to and from 64-bit integers");
    diag_hint(S->d, "cast to tl.int64 (or tl.uint64)");
    return sv_err();
  }
  return sv_val(cast_to(S, call->loc, x, dt));
}

/* ---- shape ops --------------------------------------------------------------------------------- */

static SVal b_expand_dims(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x;
  int64_t axis;
  if (!want_tensor(S, call->loc, a[0], "input", &x) || !want_int(S, call->loc, a[1], "axis", &axis)) return sv_err();
  x = expand_dims(S, call->loc, x, (int)axis);
  return x ? sv_val(x) : sv_err();
}

static SVal b_broadcast_to(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x;
  int rank;
  int64_t shape[IR_MAX_RANK];
  SVal sh = a[1];
  if (sh.kind == SV_TUPLE && sh.n == 1 && sh.items[0].kind == SV_TUPLE) sh = sh.items[0];
  if (!want_tensor(S, call->loc, a[0], "input", &x) || !want_shape(S, call->loc, sh, &rank, shape)) return sv_err();
  x = broadcast_to(S, call->loc, x, ir_block(S->m, ir_scalar(S->m, DT_I32), rank, shape));
  return x ? sv_val(x) : sv_err();
}

/* dims given as f(x, 1, 0) or f(x, (1, 0)) */
static int dims_arg(Sema *S, SrcLoc loc, SVal *a, int max, int64_t *dims) {
  SVal t = a[0];
  int n = 0;
  if (t.kind == SV_TUPLE && a[1].kind == SV_NONE) {
    for (int i = 0; i < t.n && n < max; i++)
      if (!want_int(S, loc, t.items[i], "a dimension", &dims[n++])) return -1;
    return n;
  }
  for (int i = 0; i < 4 && a[i].kind != SV_NONE && n < max; i++)
    if (!want_int(S, loc, a[i], "a dimension", &dims[n++])) return -1;
  return n;
}

static SVal permute(Sema *S, SrcLoc loc, IrValue *x, const int64_t *perm) {
  const IrType *t = x->type;
  int64_t shape[IR_MAX_RANK];
  bool seen[IR_MAX_RANK] = {0};
  int64_t packed = 0;
  for (int d = 0; d < t->rank; d++) {
    if (perm[d] < 0 || perm[d] >= t->rank || seen[perm[d]]) {
      diag_error(S->d, loc, "the dimensions must be a permutation of 0..%d", t->rank - 1);
      diag_hint(S->d, "name each dimension once, e.g. tl.permute(x, (1, 0))");
      return sv_err();
    }
    seen[perm[d]] = true;
    shape[d] = t->shape[perm[d]];
    packed |= perm[d] << (4 * d);
  }
  bool identity = true;
  for (int d = 0; d < t->rank; d++) identity &= perm[d] == d;
  if (identity) return sv_val(x);
  IrOp *op = ir_build(&S->b, OP_TRANS, ir_block(S->m, ir_elem(S->m, t), t->rank, shape), 1, &x);
  op->i = packed;
  return sv_val(op->res[0]);
}

/* tl.trans(x, *dims) (no dims: reverse them) and tl.permute(x, *dims). */
static SVal b_trans(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  if (x->type->rank < 1) {
    diag_error(S->d, call->loc, "tl.%s needs a tensor", b->name);
    diag_hint(S->d, "the input is a scalar: it has no dimensions to reorder");
    return sv_err();
  }
  int64_t perm[IR_MAX_RANK];
  int n = dims_arg(S, call->loc, a + 1, IR_MAX_RANK, perm);
  if (n < 0) return sv_err();
  if (n == 0 && b->op == 0)
    for (int d = 0; d < x->type->rank; d++) perm[d] = x->type->rank - 1 - d, n++;
  if (n != x->type->rank) {
    diag_error(S->d, call->loc, "tl.%s needs %d dimensions, got %d", b->name, x->type->rank, n);
    diag_hint(S->d, "give one dimension per axis of the input");
    return sv_err();
  }
  return permute(S, call->loc, x, perm);
}

/* tl.reshape(x, shape) keeps the row-major element order; tl.view and can_reorder=True
 * allow any order, and keeping it is one valid choice. */
static SVal b_reshape(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  int rank;
  int64_t shape[IR_MAX_RANK];
  SVal sh = a[1];
  if (sh.kind == SV_INT) {
    int64_t dims[IR_MAX_RANK];
    int n = dims_arg(S, call->loc, a + 1, IR_MAX_RANK, dims);
    if (n < 0) return sv_err();
    sh = (SVal){.kind = SV_TUPLE, .n = n};
    sh.items = arena_alloc(S->a, sizeof(SVal) * (size_t)n);
    for (int i = 0; i < n; i++) sh.items[i] = sv_int(dims[i]);
  }
  if (!want_shape(S, call->loc, sh, &rank, shape)) return sv_err();
  int64_t numel = 1;
  for (int i = 0; i < rank; i++) numel *= shape[i];
  if (numel != x->type->numel) {
    diag_error(S->d, call->loc, "cannot reshape %lld elements into %lld", (long long)x->type->numel, (long long)numel);
    diag_hint(S->d, "the new shape must hold the same number of elements");
    return sv_err();
  }
  if (x->type->rank == rank && !memcmp(x->type->shape, shape, sizeof(int64_t) * (size_t)rank)) return sv_val(x);
  return sv_val(ir_build1(&S->b, OP_RESHAPE, ir_block(S->m, ir_elem(S->m, x->type), rank, shape), x));
}

static SVal b_ravel(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  SVal none = {.kind = SV_NONE};
  SVal args[6] = {a[0], sv_int(x->type->numel), none, none, none, none};
  return b_reshape(S, call, b, args);
}

/* ---- compile-time helpers ------------------------------------------------------------------------ */

static SVal b_cdiv(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  /* (x + div - 1) // div: Python on constexprs, Triton's integer division on tensors */
  SVal num = binop(S, call->loc, TK_MINUS, binop(S, call->loc, TK_PLUS, a[0], a[1]), sv_int(1));
  return binop(S, call->loc, TK_DSLASH, num, a[1]);
}

static SVal b_next_pow2(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  int64_t n;
  if (!want_int(S, call->loc, a[0], "n", &n)) return sv_err();
  int64_t p = 1;
  while (p < n) p <<= 1;
  return sv_int(p);
}

static SVal b_constexpr(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  if (a[0].kind == SV_VAL) {
    diag_error(S->d, call->loc, "tl.constexpr needs a compile-time value");
    diag_hint(S->d, "runtime values (loads, program ids, arguments) cannot become constexprs");
    return sv_err();
  }
  return a[0];
}

static SVal b_static_assert(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  bool t;
  if (a[0].kind == SV_VAL) {
    diag_error(S->d, call->loc, "tl.static_assert needs a compile-time condition");
    diag_hint(S->d, "use assert for a condition known only at run time");
    return sv_err();
  }
  if (py_truthy(S, call->loc, a[0], &t) && !t)
  {
    diag_error(S->d, call->loc, "static assertion failed%s%s", a[1].kind == SV_STR ? ": " : "", a[1].kind == SV_STR ? a[1].s : "");
    diag_hint(S->d, "the condition is false for these constexpr values");
  }
  return (SVal){.kind = SV_NONE};
}

static SVal b_nop(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)S; (void)call; (void)b; (void)a;
  return (SVal){.kind = SV_NONE};
}

/* tl.multiple_of / max_contiguous / max_constancy(input, values): the user's promise about
 * the values, one value per dim (an int for 1-D and scalars). Each becomes a HINT op that the
 * axis analysis takes as a fact; a constexpr input has nothing to promise. */
static SVal b_hint(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  if (a[0].kind != SV_VAL) return a[0];
  IrValue *v = a[0].v;
  int rank = v->type->rank ? v->type->rank : 1;
  int n = a[1].kind == SV_TUPLE ? a[1].n : 1;
  if (n != rank) {
    diag_error(S->d, call->loc, "tl.%s needs one value per dimension: %d given for a %d-D value", b->name, n, rank);
    diag_hint(S->d, "an int for a 1-D value, a tuple such as (16, 1) for a 2-D one");
    return sv_err();
  }
  for (int d = 0; d < rank; d++) {
    int64_t k;
    if (!want_int(S, call->loc, a[1].kind == SV_TUPLE ? a[1].items[d] : a[1], "a hint value", &k)) return sv_err();
    if (k < 1) {
      diag_error(S->d, call->loc, "tl.%s values must be positive, got %" PRId64, b->name, k);
      diag_hint(S->d, "1 promises nothing; larger values promise divisibility, contiguity or constancy");
      return sv_err();
    }
    if (k == 1) continue; /* promises nothing */
    IrOp *op = ir_build(&S->b, OP_HINT, v->type, 1, &v);
    op->i = b->op | (int64_t)d << 8;
    op->i2 = k;
    v = op->res[0];
  }
  return sv_val(v);
}

/* tl.device_print(prefix, *values, hex=False), and print() in a kernel, which Triton maps to
 * it: one PRINT op per value (constexprs become constants). */
static SVal b_device_print(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  const char *prefix = want_str(S, call->loc, a[0], "the first argument of device_print (the prefix)");
  bool hex = false;
  if (!prefix || !py_truthy(S, call->loc, a[9], &hex)) return sv_err();
  for (int i = 1; i <= 8; i++) {
    if (a[i].kind == SV_NONE) continue;
    IrValue *v = a[i].kind == SV_VAL ? a[i].v : to_ir(S, call->loc, a[i]);
    if (!v) return sv_err();
    if (hex && dtype_is_float(v->type->dt)) {
      diag_error(S->d, call->loc, "device_print(hex=True) prints integers; value %d is %s", i, dtype_name(v->type->dt));
      diag_hint(S->d, "print floats without hex=True, or their bits with x.to(tl.int32, bitcast=True)");
      return sv_err();
    }
    IrOp *op = ir_build(&S->b, OP_PRINT, NULL, 1, &v);
    op->str = prefix;
    op->i = hex;
  }
  return (SVal){.kind = SV_NONE};
}

/* tl.device_assert(cond, msg='', mask=None): checked at run time in debug builds only
 * (@triton.jit(debug=True) or LIGER_KERNEL_DEBUG=1), as Triton does; otherwise a no-op. */
static SVal b_device_assert(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  const char *msg = want_str(S, call->loc, a[1], "the message of device_assert");
  if (!msg) return sv_err();
  if (!S->debug) return (SVal){.kind = SV_NONE};
  IrValue *c = a[0].kind == SV_VAL ? a[0].v : to_ir(S, call->loc, a[0]);
  if (!c) return sv_err();
  SVal cond = sv_val(c);
  if (c->type->dt != DT_I1) cond = compare(S, call->loc, TK_NE, cond, sv_int(0));
  if (a[2].kind != SV_NONE) cond = binop(S, call->loc, TK_PIPE, cond, unop(S, call->loc, TK_TILDE, a[2]));
  if (cond.kind != SV_VAL) return cond.kind == SV_ERR ? sv_err() : (SVal){.kind = SV_NONE};
  IrOp *op = ir_build(&S->b, OP_ASSERT, NULL, 1, &cond.v);
  op->str = msg;
  return (SVal){.kind = SV_NONE};
}

static SVal b_barrier(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)call; (void)b; (void)a;
  ir_build(&S->b, OP_BARRIER, NULL, 0, NULL);
  return (SVal){.kind = SV_NONE};
}

static SVal b_pointer_type(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  const IrType *e;
  if (!want_dtype(S, call->loc, a[0], &e)) return sv_err();
  return sv_dtype(ir_ptr(S->m, e));
}

/* Python builtins min(a, b, ...) / max(...) */
static SVal b_py_minmax(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  SVal acc = a[0];
  if (acc.kind == SV_TUPLE && a[1].kind == SV_NONE) {
    if (!acc.n) {
      diag_error(S->d, call->loc, "%s() of an empty tuple", b->name);
      diag_hint(S->d, "give it at least one value");
      return sv_err();
    }
    SVal t = acc;
    acc = t.items[0];
    for (int i = 1; i < t.n; i++) acc = maximum_minimum(S, call->loc, b->op == OP_MAX, acc, t.items[i], false);
    return acc;
  }
  for (int i = 1; i < 4 && a[i].kind != SV_NONE; i++) acc = maximum_minimum(S, call->loc, b->op == OP_MAX, acc, a[i], false);
  return acc;
}

static SVal b_len(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  if (a[0].kind == SV_TUPLE) return sv_int(a[0].n);
  if (a[0].kind == SV_STR) return sv_int((int64_t)strlen(a[0].s));
  if (a[0].kind != SV_ERR) {
    diag_error(S->d, call->loc, "len() needs a tuple, got %s", sv_kind_name(a[0]));
    diag_hint(S->d, "for a tensor, use x.numel or x.shape[i]");
  }
  return sv_err();
}

static SVal b_py_float(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  if (sv_is_const(a[0])) return sv_float(a[0].kind == SV_FLOAT ? a[0].f : (double)a[0].i);
  if (a[0].kind == SV_STR) {
    const char *s = a[0].s;
    while (*s == ' ') s++;
    char *end;
    double v = strtod(s, &end);
    if (end != s && !*end) return sv_float(v);
  }
  if (a[0].kind == SV_VAL) return sv_val(cast_to(S, call->loc, a[0].v, ir_scalar(S->m, DT_F32)));
  if (a[0].kind != SV_ERR) {
    diag_error(S->d, call->loc, "float() cannot convert %s", sv_kind_name(a[0]));
    diag_hint(S->d, "float() takes a number, a numeric string or a scalar tensor");
  }
  return sv_err();
}

static SVal b_py_int(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  if (sv_is_const(a[0])) return sv_int(a[0].kind == SV_FLOAT ? (int64_t)a[0].f : a[0].i);
  if (a[0].kind == SV_VAL) return sv_val(cast_to(S, call->loc, a[0].v, ir_scalar(S->m, DT_I32)));
  if (a[0].kind != SV_ERR) {
    diag_error(S->d, call->loc, "int() cannot convert %s", sv_kind_name(a[0]));
    diag_hint(S->d, "int() takes a number or a scalar tensor");
  }
  return sv_err();
}

static SVal b_range_outside_for(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)a;
  diag_error(S->d, call->loc, "%s() can only be used as the iterable of a for loop", b->name);
  diag_hint(S->d, "write for i in %s(...):", b->name);
  return sv_err();
}

static SVal b_dtype_attr(Sema *S, const Node *call, const Builtin *b, SVal *a);

/* ---- the table ---------------------------------------------------------------------------------- */

#define X_POINTER "pointer,mask=None,other=None,boundary_check=(),padding_option='',cache_modifier='',eviction_policy='',volatile=False"

#define PRINT_PARAMS "prefix,a=None,b=None,c=None,d=None,e=None,f=None,g=None,h=None,hex=False"
static const Builtin builtins[] = {
    {"tl", "program_id", "axis", b_program_id, OP_PROGRAM_ID, false},
    {"tl", "num_programs", "axis", b_program_id, OP_NUM_PROGRAMS, false},
    {"tl", "arange", "start,end", b_arange, 0, false},
    {"tl", "zeros", "shape,dtype", b_full, 0, false},
    {"tl", "full", "shape,value,dtype", b_full, 1, false},
    {"tl", "zeros_like", "input", b_zeros_like, 0, true},
    {"tl", "load", X_POINTER, b_load, 0, false},
    {"tl", "store", "pointer,value,mask=None,boundary_check=(),cache_modifier='',eviction_policy=''", b_store, 0, false},
    {"tl", "atomic_add", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_ADD, false},
    {"tl", "atomic_max", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_MAX, false},
    {"tl", "atomic_min", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_MIN, false},
    {"tl", "atomic_and", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_AND, false},
    {"tl", "atomic_or", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_OR, false},
    {"tl", "atomic_xor", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_XOR, false},
    {"tl", "atomic_xchg", "pointer,val,mask=None,sem=None,scope=None", b_atomic, ATOM_XCHG, false},
    {"tl", "atomic_cas", "pointer,cmp,val,sem=None,scope=None", b_atomic, -1, false},
    {"tl", "dot", "input,other,acc=None,input_precision=None,allow_tf32=None,max_num_imprecise_acc=None,out_dtype=None", b_dot, 0, false},
    {"tl", "where", "condition,x,y", b_where, 0, false},
    {"tl", "maximum", "x,y,propagate_nan=None", b_minmax2, OP_MAX, false},
    {"tl", "minimum", "x,y,propagate_nan=None", b_minmax2, OP_MIN, false},
    {"tl", "clamp", "x,min,max,propagate_nan=None", b_clamp, 0, false},
    {"tl", "sum", "input,axis=None,keep_dims=False,dtype=None", b_reduce, RED_SUM, true},
    {"tl", "xor_sum", "input,axis=None,keep_dims=False", b_reduce, RED_XOR, true},
    {"tl", "max", "input,axis=None,return_indices=False,return_indices_tie_break_left=True,keep_dims=False", b_reduce, RED_MAX, true},
    {"tl", "min", "input,axis=None,return_indices=False,return_indices_tie_break_left=True,keep_dims=False", b_reduce, RED_MIN, true},
    {"tl", "argmax", "input,axis,tie_break_left=True,keep_dims=False", b_argminmax, RED_MAX, true},
    {"tl", "argmin", "input,axis,tie_break_left=True,keep_dims=False", b_argminmax, RED_MIN, true},
    {"tl", "reduce", "input,axis,combine_fn,keep_dims=False", b_tl_reduce, 0, true},
    {"tl", "cumsum", "input,axis=0,reverse=False,dtype=None", b_scan, RED_SUM, true},
    {"tl", "cumprod", "input,axis=0,reverse=False", b_scan, RED_PROD, true},
    {"tl", "associative_scan", "input,axis,combine_fn,reverse=False", b_assoc_scan, 0, true},
    {"tl", "exp", "x", b_math1, OP_EXP, true},
    {"tl", "exp2", "x", b_math1, OP_EXP2, true},
    {"tl", "log", "x", b_math1, OP_LOG, true},
    {"tl", "log2", "x", b_math1, OP_LOG2, true},
    {"tl", "sqrt", "x", b_math1, OP_SQRT, true},
    {"tl", "sqrt_rn", "x", b_math1, OP_SQRT_RN, true},
    {"tl", "rsqrt", "x", b_math1, OP_RSQRT, true},
    {"tl", "sin", "x", b_math1, OP_SIN, true},
    {"tl", "cos", "x", b_math1, OP_COS, true},
    {"tl", "erf", "x", b_math1, OP_ERF, true},
    {"tl", "floor", "x", b_math1, OP_FLOOR, true},
    {"tl", "ceil", "x", b_math1, OP_CEIL, true},
    {"tl", "abs", "x", b_math1, OP_ABS, true},
    {"tl", "fma", "x,y,z", b_fma, 0, true},
    {"tl", "sigmoid", "x", b_sigmoid, 0, true},
    {"tl", "cast", "input,dtype,fp_downcast_rounding=None,bitcast=False", b_cast, 0, true},
    {"tl", "to", "input,dtype,fp_downcast_rounding=None,bitcast=False", b_cast, 0, true},
    {"tl", "expand_dims", "input,axis", b_expand_dims, 0, true},
    {"tl", "trans", "input,d0=None,d1=None,d2=None,d3=None", b_trans, 0, true},
    {"tl", "permute", "input,d0=None,d1=None,d2=None,d3=None", b_trans, 1, true},
    {"tl", "reshape", "input,shape,d1=None,d2=None,d3=None,can_reorder=False", b_reshape, 0, true},
    {"tl", "view", "input,shape,d1=None,d2=None,d3=None", b_reshape, 0, true},
    {"tl", "ravel", "input,can_reorder=False", b_ravel, 0, true},
    {"tl", "broadcast_to", "input,shape", b_broadcast_to, 0, true},
    {"tl", "cdiv", "x,div", b_cdiv, 0, false},
    {"tl", "constexpr", "value", b_constexpr, 0, false},
    {"tl", "static_assert", "cond,msg=''", b_static_assert, 0, false},
    {"tl", "static_print", "values", b_nop, 0, false},
    {"tl", "debug_barrier", "", b_barrier, 0, false},
    {"tl", "multiple_of", "input,values", b_hint, HINT_MULTIPLE_OF, false},
    {"tl", "max_contiguous", "input,values", b_hint, HINT_MAX_CONTIGUOUS, false},
    {"tl", "max_constancy", "input,values", b_hint, HINT_MAX_CONSTANCY, false},
    {"tl", "pointer_type", "element_ty,address_space=1,const=False", b_pointer_type, 0, false},
    {"tl", "range", "arg1,arg2=None,step=None,num_stages=None,loop_unroll_factor=None", b_range_outside_for, 0, false},
    {"tl", "static_range", "arg1,arg2=None,step=None", b_range_outside_for, 0, false},
    {"triton", "cdiv", "x,div", b_cdiv, 0, false},
    {"triton", "next_power_of_2", "n", b_next_pow2, 0, false},
    {"libdevice", "exp", "x", b_math1, OP_EXP, false},
    {"libdevice", "exp2", "x", b_math1, OP_EXP2, false},
    {"libdevice", "log", "x", b_math1, OP_LOG, false},
    {"libdevice", "log2", "x", b_math1, OP_LOG2, false},
    {"libdevice", "sqrt", "x", b_math1, OP_SQRT, false},
    {"libdevice", "rsqrt", "x", b_math1, OP_RSQRT, false},
    {"libdevice", "sin", "x", b_math1, OP_SIN, false},
    {"libdevice", "cos", "x", b_math1, OP_COS, false},
    {"libdevice", "tanh", "x", b_math1, OP_TANH, false},
    {"libdevice", "erf", "x", b_math1, OP_ERF, false},
    {"libdevice", "floor", "x", b_math1, OP_FLOOR, false},
    {"libdevice", "ceil", "x", b_math1, OP_CEIL, false},
    {"libdevice", "fabs", "x", b_math1, OP_ABS, false},
    {"libdevice", "fma", "x,y,z", b_fma, 0, false},
#define EXTERN1(n) {"libdevice", n, "x", b_extern, 1, false}
#define EXTERN2(n) {"libdevice", n, "x,y", b_extern, 2, false}
    EXTERN1("log1p"), EXTERN1("expm1"), EXTERN1("exp10"), EXTERN1("log10"), EXTERN1("cbrt"), EXTERN1("tan"),
    EXTERN1("sinh"), EXTERN1("cosh"), EXTERN1("asin"), EXTERN1("acos"), EXTERN1("atan"), EXTERN1("asinh"),
    EXTERN1("acosh"), EXTERN1("atanh"), EXTERN1("erfc"), EXTERN1("lgamma"), EXTERN1("tgamma"), EXTERN1("trunc"),
    EXTERN1("round"), EXTERN1("rint"), EXTERN1("nearbyint"),
    EXTERN2("pow"), EXTERN2("atan2"), EXTERN2("fmod"), EXTERN2("hypot"), EXTERN2("copysign"), EXTERN2("fmin"),
    EXTERN2("fmax"), EXTERN2("fdim"), EXTERN2("remainder"), EXTERN2("nextafter"),
#undef EXTERN1
#undef EXTERN2
    {"tl", "umulhi", "x,y", b_int_or_float2, OP_UMULHI, false},
    {"tl", "div_rn", "x,y", b_int_or_float2, OP_DIV, false},
    {"tl", "fdiv", "x,y,ieee_rounding=False", b_int_or_float2, OP_DIV, false},
    {"builtins", "min", "a,b=None,c=None,d=None", b_py_minmax, OP_MIN, false},
    {"builtins", "max", "a,b=None,c=None,d=None", b_py_minmax, OP_MAX, false},
    {"builtins", "len", "obj", b_len, 0, false},
    {"builtins", "float", "x", b_py_float, 0, false},
    {"builtins", "int", "x", b_py_int, 0, false},
    {"builtins", "range", "arg1,arg2=None,step=None", b_range_outside_for, 0, false},
    {"builtins", "print", PRINT_PARAMS, b_device_print, 0, false},
    {"tl", "device_print", PRINT_PARAMS, b_device_print, 0, false},
    {"tl", "device_assert", "cond,msg='',mask=None", b_device_assert, 0, false},
    {"dtype", "element_ty", "self", b_dtype_attr, 0, false},
    {"dtype", "primitive_bitwidth", "self", b_dtype_attr, 1, false},
    {"dtype", "is_floating", "self", b_dtype_attr, 2, false},
    {"dtype", "is_int", "self", b_dtype_attr, 3, false},
    {"dtype", "is_ptr", "self", b_dtype_attr, 4, false},
    {"dtype", "is_int_signed", "self", b_dtype_attr, 5, false},
    {"dtype", "is_fp16", "self", b_dtype_attr, 6, false},
    {"dtype", "is_bf16", "self", b_dtype_attr, 7, false},
    {"dtype", "is_fp32", "self", b_dtype_attr, 8, false},
    {"dtype", "is_fp64", "self", b_dtype_attr, 9, false},
};

static SVal b_dtype_attr(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  const IrType *t = a[0].dt;
  switch (b->op) {
  case 0:
    if (t->dt != DT_PTR) {
      diag_error(S->d, call->loc, "element_ty is only defined on pointer dtypes, not %s", dtype_name(t->dt));
      diag_hint(S->d, "x_ptr.dtype.element_ty is the type x_ptr points to; x.dtype is already an element type");
      return sv_err();
    }
    return sv_dtype(t->pointee);
  case 1: return sv_int(dtype_bits(t->dt));
  case 2: return sv_bool(dtype_is_float(t->dt));
  case 3: return sv_bool(dtype_is_int(t->dt));
  case 4: return sv_bool(t->dt == DT_PTR);
  case 5: return sv_bool(dtype_is_signed(t->dt));
  case 6: return sv_bool(t->dt == DT_F16);
  case 7: return sv_bool(t->dt == DT_BF16);
  case 8: return sv_bool(t->dt == DT_F32);
  default: return sv_bool(t->dt == DT_F64);
  }
}

const Builtin *builtin_find(const char *module, const char *name) {
  if (!module) return NULL;
  if (!strcmp(module, "tl.math")) module = "tl";
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (!strcmp(builtins[i].module, module) && !strcmp(builtins[i].name, name)) return &builtins[i];
  return NULL;
}

/* ---- modules --------------------------------------------------------------------------------------- */

static const struct { const char *path, *canon; } modules[] = {
    {"triton", "triton"},
    {"triton.language", "tl"},
    {"triton.language.core", "tl"},
    {"triton.language.standard", "tl"},
    {"triton.language.math", "tl.math"},
    {"triton.language.extra", "tl.extra"},
    {"triton.language.extra.cuda", "tl.extra.cuda"},
    {"triton.language.extra.hip", "tl.extra.hip"},
    {"triton.language.extra.libdevice", "libdevice"},
    {"triton.language.extra.cuda.libdevice", "libdevice"},
    {"triton.language.extra.hip.libdevice", "libdevice"},
    {"triton.language.libdevice", "libdevice"},
    {"math", "math"},
};

const char *module_canonical(const char *path) {
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (!strcmp(modules[i].path, path) || !strcmp(modules[i].canon, path)) return modules[i].canon;
  return path;
}

bool module_known(const char *path) {
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (!strcmp(modules[i].path, path)) return true;
  return false;
}

static const char *module_path(const char *canon) {
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
    if (!strcmp(modules[i].canon, canon)) return modules[i].path;
  return canon;
}

/* ---- dtypes ------------------------------------------------------------------------------------------ */

SVal dtype_by_name(Sema *S, const char *name) {
  static const struct { const char *name; DType dt; } names[] = {
      {"float32", DT_F32}, {"float16", DT_F16}, {"bfloat16", DT_BF16}, {"float64", DT_F64},
      {"int1", DT_I1},     {"int8", DT_I8},     {"int16", DT_I16},     {"int32", DT_I32},
      {"int64", DT_I64},   {"uint8", DT_U8},    {"uint16", DT_U16},    {"uint32", DT_U32},
      {"uint64", DT_U64},  {"fp32", DT_F32},    {"fp16", DT_F16},      {"bf16", DT_BF16},
      {"fp64", DT_F64},    {"bool", DT_I1},     {"float", DT_F32},     {"double", DT_F64},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(names[i].name, name)) return sv_dtype(ir_scalar(S->m, names[i].dt));
  return sv_err();
}

/* ---- attribute access ------------------------------------------------------------------------------- */

SVal value_attr(Sema *S, const Node *n, SVal obj, const char *name) {
  if (obj.kind == SV_USERMOD) return module_attr(S, n, obj.mod, name);
  if (obj.kind == SV_MODULE) {
    const char *canon = obj.s;
    const char *full = arena_printf(S->a, "%s.%s", module_path(canon), name);
    if (module_known(full)) return (SVal){.kind = SV_MODULE, .s = module_canonical(full)};
    const Builtin *b = builtin_find(canon, name);
    if (b) return (SVal){.kind = SV_BUILTIN, .b = b};
    if (!strcmp(canon, "tl") || !strcmp(canon, "tl.math")) {
      SVal d = dtype_by_name(S, name);
      if (d.kind == SV_DTYPE) return d;
      if (!strcmp(name, "PropagateNan")) return (SVal){.kind = SV_MODULE, .s = "tl.PropagateNan"};
    }
    if (!strcmp(canon, "tl.PropagateNan")) {
      if (!strcmp(name, "NONE")) return sv_int(0);
      if (!strcmp(name, "ALL")) return sv_int(1);
    }
    if (!strcmp(canon, "math") && !strcmp(name, "inf")) return sv_float(INFINITY);
    if (!strcmp(canon, "math") && !strcmp(name, "pi")) return sv_float(M_PI);
    if (!strcmp(canon, "math") && !strcmp(name, "e")) return sv_float(M_E);
    if (!strcmp(canon, "triton") && !strcmp(name, "jit")) {
      diag_error(S->d, n->loc, "triton.jit is a decorator, not a function to call inside a kernel");
      diag_hint(S->d, "decorate a module-level function with @triton.jit and call it by name");
      return sv_err();
    }
    diag_unsupported(S->d, n->loc, "%s.%s is not supported%s", module_path(canon), name,
                     strcmp(canon, "libdevice") ? "" : " (this libdevice function is not available yet)");
    diag_hint(S->d, "docs/language.md lists what is supported");
    return sv_err();
  }
  if (obj.kind == SV_DTYPE) {
    const Builtin *b = builtin_find("dtype", name);
    if (!b) {
      diag_error(S->d, n->loc, "dtype has no attribute '%s'", name);
      diag_hint(S->d, "dtypes have element_ty, primitive_bitwidth and is_floating(), is_int(), is_ptr() ...");
      return sv_err();
    }
    if (!strncmp(name, "is_", 3)) {
      SVal *self = arena_alloc(S->a, sizeof(SVal));
      *self = obj;
      return (SVal){.kind = SV_METHOD, .b = b, .self = self};
    }
    return b->fn(S, n, b, &obj);
  }
  if (obj.kind == SV_VAL) {
    const IrType *t = obj.v->type;
    if (!strcmp(name, "dtype")) return sv_dtype(ir_elem(S->m, t));
    if (!strcmp(name, "shape")) {
      SVal r = {.kind = SV_TUPLE, .n = t->rank};
      r.items = arena_alloc(S->a, sizeof(SVal) * (size_t)(t->rank + 1));
      for (int i = 0; i < t->rank; i++) r.items[i] = sv_int(t->shape[i]);
      return r;
    }
    if (!strcmp(name, "numel")) return sv_int(t->numel);
    if (!strcmp(name, "T")) {
      const Builtin *tr = builtin_find("tl", "trans");
      SVal args[5] = {obj, {.kind = SV_NONE}, {.kind = SV_NONE}, {.kind = SV_NONE}, {.kind = SV_NONE}};
      return tr->fn(S, n, tr, args);
    }
    const Builtin *b = builtin_find("tl", name);
    if (b && b->member) {
      SVal *self = arena_alloc(S->a, sizeof(SVal));
      *self = obj;
      return (SVal){.kind = SV_METHOD, .b = b, .self = self};
    }
    diag_error(S->d, n->loc, "tensor has no attribute '%s'", name);
    diag_hint(S->d, "tensors have dtype, shape, numel and T, and tl functions as methods (x.to, x.sum ...)");
    return sv_err();
  }
  if (sv_is_const(obj) && !strcmp(name, "to")) {
    /* eps.to(tl.float32) on a constexpr */
    const Builtin *b = builtin_find("tl", "to");
    SVal *self = arena_alloc(S->a, sizeof(SVal));
    *self = obj;
    return (SVal){.kind = SV_METHOD, .b = b, .self = self};
  }
  diag_error(S->d, n->loc, "%s has no attribute '%s'", sv_kind_name(obj), name);
  diag_hint(S->d, "check the name; only modules, dtypes and tensors have attributes here");
  return sv_err();
}

/* ---- calls -------------------------------------------------------------------------------------------- */

/* "hint: the signature is where(condition, x, y)" under an error about a call of b. */
static void hint_signature(Sema *S, const Builtin *b) {
  StrBuf t = {0};
  for (const char *p = b->params; *p; p++) sb_printf(&t, *p == ',' ? ", " : "%c", *p);
  diag_hint(S->d, "the signature is %s(%s)", b->name, t.s ? t.s : "");
  sb_free(&t);
}

static SVal parse_default(const char *s) {
  if (!strcmp(s, "None")) return (SVal){.kind = SV_NONE};
  if (!strcmp(s, "True")) return sv_bool(true);
  if (!strcmp(s, "False")) return sv_bool(false);
  if (!strcmp(s, "()")) return (SVal){.kind = SV_TUPLE};
  if (s[0] == '\'') return (SVal){.kind = SV_STR, .s = ""};
  return sv_int(strtoll(s, NULL, 10));
}

SVal call_builtin(Sema *S, const Node *call, const Builtin *b, SVal *self, SVal *args, int nargs,
                  const Node *const *kwn, SVal *kw, int nkw) {
  char names[MAX_PARAMS][40];
  char defs[MAX_PARAMS][40];
  bool has_def[MAX_PARAMS];
  int np = 0;
  for (const char *p = b->params; *p && np < MAX_PARAMS;) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *name_end = eq ? eq : end;
    snprintf(names[np], sizeof names[np], "%.*s", (int)(name_end - p), p);
    has_def[np] = eq != NULL;
    if (eq) snprintf(defs[np], sizeof defs[np], "%.*s", (int)(end - eq - 1), eq + 1);
    np++;
    p = *end ? end + 1 : end;
  }
  SVal a[MAX_PARAMS];
  bool set[MAX_PARAMS] = {0};
  int pos = 0;
  if (self) {
    a[pos] = *self;
    set[pos++] = true;
  }
  for (int i = 0; i < nargs; i++) {
    if (pos >= np) {
      int most = np - (self != NULL);
      diag_error(S->d, call->loc, "%s() takes at most %d argument%s but %d were given", b->name, most, most == 1 ? "" : "s", nargs);
      hint_signature(S, b);
      return sv_err();
    }
    a[pos] = args[i];
    set[pos++] = true;
  }
  for (int k = 0; k < nkw; k++) {
    int idx = -1;
    for (int i = 0; i < np; i++)
      if (!strcmp(names[i], kwn[k]->name)) idx = i;
    if (idx < 0) {
      diag_error(S->d, kwn[k]->loc, "%s() got an unexpected keyword argument '%s'", b->name, kwn[k]->name);
      hint_signature(S, b);
      return sv_err();
    }
    if (set[idx]) {
      diag_error(S->d, kwn[k]->loc, "%s() got multiple values for argument '%s'", b->name, kwn[k]->name);
      hint_signature(S, b);
      return sv_err();
    }
    a[idx] = kw[k];
    set[idx] = true;
  }
  for (int i = 0; i < np; i++) {
    if (set[i]) {
      if (a[i].kind == SV_ERR) return sv_err();
      continue;
    }
    if (!has_def[i]) {
      diag_error(S->d, call->loc, "%s() missing required argument '%s'", b->name, names[i]);
      hint_signature(S, b);
      return sv_err();
    }
    a[i] = parse_default(defs[i]);
  }
  return b->fn(S, call, b, a);
}
