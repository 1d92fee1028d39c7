/*
 * builtins_reduce.c — reductions and scans: tl.sum/max/min/xor_sum, tl.argmax/argmin,
 * tl.max(..., return_indices=True), tl.reduce with a @triton.jit combine function,
 * tl.cumsum/cumprod and tl.associative_scan.
 *
 * A reduction or scan is one REDUCE/SCAN op over n same-shaped inputs. Built-in
 * operations are named by ReduceKind; anything else carries a combine region with 2n scalar
 * arguments, built here either from IR (argmax) or by inlining the user's function.
 */
#include "sema_val.h"

#include <string.h>

/* Element type dtype promotion rules of Triton's sum / max / min / cumsum (standard.py):
 * sum widens ints below 32 bits to i32/u32, max/min widen everything below 32 bits;
 * cumprod widens nothing here (b_scan widens bf16 for both scans). */
static IrValue *promote_for(Sema *S, SrcLoc loc, IrValue *x, ReduceKind k, const IrType *want) {
  DType dt = x->type->dt;
  if (want) return cast_to(S, loc, x, want);
  if (k == RED_SUM) {
    if (dtype_is_int(dt) && dtype_bits(dt) < 32) return cast_to(S, loc, x, ir_scalar(S->m, dtype_is_signed(dt) ? DT_I32 : DT_U32));
    return x;
  }
  if (k == RED_MAX || k == RED_MIN) {
    if (dt == DT_BF16 || dt == DT_F16) return cast_to(S, loc, x, ir_scalar(S->m, DT_F32));
    if (dtype_is_int(dt) && dtype_bits(dt) < 32) return cast_to(S, loc, x, ir_scalar(S->m, DT_I32));
  }
  return x;
}

/* A region block with 2n scalar arguments of the inputs' element types. */
static IrBlock *combine_block(Sema *S, IrValue **in, int n) {
  IrBlock *b = ir_block_new(S->m);
  b->nargs = 2 * n;
  b->args = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(2 * n));
  for (int i = 0; i < 2 * n; i++) {
    b->args[i] = ir_value_new(S->m, ir_elem(S->m, in[i % n]->type));
    b->args[i]->owner = b;
    b->args[i]->index = i;
  }
  return b;
}

/* Builds one REDUCE (drop = true) or SCAN over `axis` of n inputs. */
static IrOp *build_op(Sema *S, SrcLoc loc, IrOpKind kind, IrValue **in, int n, int axis, ReduceKind k, IrBlock *region) {
  IrOp *op = ir_op_new(S->m, kind, n, n, region ? 1 : 0);
  op->loc = loc;
  op->i = axis;
  op->i2 = k;
  for (int j = 0; j < n; j++) {
    op->opnds[j] = in[j];
    const IrType *t = in[j]->type, *rt = t;
    if (kind == OP_REDUCE) {
      int64_t shape[IR_MAX_RANK];
      for (int i = 0, o = 0; i < t->rank; i++)
        if (i != axis) shape[o++] = t->shape[i];
      rt = t->rank == 1 ? ir_elem(S->m, t) : ir_block(S->m, ir_elem(S->m, t), t->rank - 1, shape);
    }
    op->res[j] = ir_value_new(S->m, rt);
    op->res[j]->def = op;
    op->res[j]->index = j;
  }
  if (region) {
    op->regions[0] = region;
    region->parent_op = op;
  }
  ir_append(S->b.block, op);
  return op;
}

static bool check_axis(Sema *S, SrcLoc loc, SVal a, int rank, int *axis) {
  int64_t ax;
  if (!want_int(S, loc, a, "axis", &ax)) return false;
  if (ax < 0) ax += rank;
  if (ax < 0 || ax >= rank) {
    diag_error(S->d, loc, "axis %lld is out of range for a tensor of rank %d", (long long)a.i, rank);
    if (rank == 1) diag_hint(S->d, "a 1-D tensor has only axis 0 (or -1)");
    else diag_hint(S->d, "axes go from 0 to %d (or -%d to -1)", rank - 1, rank);
    return false;
  }
  *axis = (int)ax;
  return true;
}

/* The axis of a reduction: None means the only axis of a 1-D tensor. */
static bool reduce_axis_arg(Sema *S, SrcLoc loc, SVal a, int rank, int *axis) {
  if (a.kind == SV_NONE) {
    if (rank == 1) {
      *axis = 0;
      return true;
    }
    *axis = -1; /* every axis, one after the other */
    return true;
  }
  return check_axis(S, loc, a, rank, axis);
}

SVal b_reduce(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  ReduceKind k = (ReduceKind)b->op;
  bool keep = false, indices = false;
  int keep_idx = k == RED_SUM || k == RED_XOR ? 2 : 4;
  if (!py_truthy(S, call->loc, a[keep_idx], &keep)) return sv_err();
  if ((k == RED_MAX || k == RED_MIN) && !py_truthy(S, call->loc, a[2], &indices)) return sv_err();
  if (indices) {
    /* tl.max(x, axis, return_indices=True) == (max, argmax) */
    SVal args[4] = {a[0], a[1], a[3], a[4]};
    Builtin am = {.module = "tl", .name = b->name, .op = k};
    return b_argminmax(S, call, &am, args);
  }
  const IrType *want = NULL;
  if (k == RED_SUM && a[3].kind != SV_NONE && !want_dtype(S, call->loc, a[3], &want)) return sv_err();
  if (k == RED_XOR && !dtype_is_int(x->type->dt)) {
    diag_error(S->d, call->loc, "xor_sum needs integers, got %s", dtype_name(x->type->dt));
    diag_hint(S->d, "reduce the bits with x.to(tl.int32, bitcast=True)");
    return sv_err();
  }
  if (x->type->dt == DT_PTR) {
    diag_error(S->d, call->loc, "cannot reduce pointers");
    diag_hint(S->d, "reduce the offsets, or the values loaded through the pointers");
    return sv_err();
  }
  x = promote_for(S, call->loc, x, k, want);
  if (!x->type->rank) return sv_val(x);
  int rank = x->type->rank, axis;
  if (!reduce_axis_arg(S, call->loc, a[1], rank, &axis)) return sv_err();
  if (axis < 0) {
    for (int ax = rank - 1; ax >= 0; ax--) x = build_op(S, call->loc, OP_REDUCE, &x, 1, ax, k, NULL)->res[0];
    for (int i = 0; keep && i < rank; i++) x = expand_dims(S, call->loc, x, 0);
    return sv_val(x);
  }
  x = build_op(S, call->loc, OP_REDUCE, &x, 1, axis, k, NULL)->res[0];
  if (keep) x = expand_dims(S, call->loc, x, axis);
  return x ? sv_val(x) : sv_err();
}

/* argmax/argmin: reduce (value, index) pairs. The pair of `a` wins when its value is
 * strictly better, when it is NaN (NaN is the max and the min, as in Triton), or on a tie
 * when it has the smaller index (tie_break_left) / larger index. */
SVal b_argminmax(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  bool left = true, keep = false;
  if (!py_truthy(S, call->loc, a[2], &left) || !py_truthy(S, call->loc, a[3], &keep)) return sv_err();
  if (!x->type->rank) {
    diag_error(S->d, call->loc, "tl.%s needs a tensor", b->name);
    diag_hint(S->d, "the input is a scalar: there is nothing to reduce");
    return sv_err();
  }
  int axis;
  if (!reduce_axis_arg(S, call->loc, a[1], x->type->rank, &axis)) return sv_err();
  if (axis < 0) {
    diag_unsupported(S->d, call->loc, "tl.%s with axis=None on a tensor of rank %d is not supported yet (it needs reshape)", b->name,
                     x->type->rank);
    diag_hint(S->d, "flatten it first: tl.%s(tl.ravel(x), 0)", b->name);
    return sv_err();
  }
  bool is_max = b->op == RED_MAX;
  /* with indices Triton widens only bf16 (fp16 and small ints keep their type) */
  if (x->type->dt == DT_BF16) x = cast_to(S, call->loc, x, ir_scalar(S->m, DT_F32));
  /* indices along the axis, broadcast to the input's shape */
  int64_t len = x->type->shape[axis];
  IrOp *ar = ir_build(&S->b, OP_ARANGE, ir_block(S->m, ir_scalar(S->m, DT_I32), 1, &len), 0, NULL);
  ar->i = 0;
  ar->i2 = len;
  IrValue *idx = ar->res[0];
  for (int d = 0; d < axis; d++) idx = expand_dims(S, call->loc, idx, 0);
  for (int d = axis + 1; d < x->type->rank; d++) idx = expand_dims(S, call->loc, idx, idx->type->rank);
  idx = broadcast_to(S, call->loc, idx, x->type);
  if (!idx) return sv_err();
  IrValue *in[2] = {x, idx};
  IrBlock *r = combine_block(S, in, 2);
  IrBlock *saved = S->b.block;
  S->b.block = r;
  IrValue *av = r->args[0], *ai = r->args[1], *bv = r->args[2], *bi = r->args[3];
  const IrType *i1 = ir_scalar(S->m, DT_I1);
  IrOp *better = ir_build(&S->b, OP_CMP, i1, 2, (IrValue *[]){av, bv});
  better->i = is_max ? CMP_GT : CMP_LT;
  IrValue *win = better->res[0];
  if (dtype_is_float(av->type->dt)) {
    IrOp *nan = ir_build(&S->b, OP_CMP, i1, 2, (IrValue *[]){av, av});
    nan->i = CMP_NE;
    win = ir_build2(&S->b, OP_OR, i1, win, nan->res[0]);
  }
  IrOp *eq = ir_build(&S->b, OP_CMP, i1, 2, (IrValue *[]){av, bv});
  eq->i = CMP_EQ;
  IrOp *first = ir_build(&S->b, OP_CMP, i1, 2, (IrValue *[]){ai, bi});
  first->i = left ? CMP_LT : CMP_GT;
  win = ir_build2(&S->b, OP_OR, i1, win, ir_build2(&S->b, OP_AND, i1, eq->res[0], first->res[0]));
  IrValue *rv = ir_build(&S->b, OP_SELECT, av->type, 3, (IrValue *[]){win, av, bv})->res[0];
  IrValue *ri = ir_build(&S->b, OP_SELECT, ai->type, 3, (IrValue *[]){win, ai, bi})->res[0];
  ir_build(&S->b, OP_YIELD, NULL, 2, (IrValue *[]){rv, ri});
  S->b.block = saved;
  IrOp *op = build_op(S, call->loc, OP_REDUCE, in, 2, axis, RED_CUSTOM, r);
  IrValue *val = op->res[0], *ix = op->res[1];
  if (keep) {
    val = expand_dims(S, call->loc, val, axis);
    ix = expand_dims(S, call->loc, ix, axis);
  }
  if (!strcmp(b->name, "argmax") || !strcmp(b->name, "argmin")) return sv_val(ix);
  SVal t = {.kind = SV_TUPLE, .n = 2};
  t.items = arena_alloc(S->a, sizeof(SVal) * 2);
  t.items[0] = sv_val(val);
  t.items[1] = sv_val(ix);
  return t;
}

/* Inputs of tl.reduce / tl.associative_scan: a tensor or a tuple of same-shaped tensors. */
static int gather_inputs(Sema *S, SrcLoc loc, SVal v, IrValue **in, bool *tuple) {
  *tuple = v.kind == SV_TUPLE;
  int n = *tuple ? v.n : 1;
  if (n < 1 || n > 8) {
    diag_error(S->d, loc, "a reduction takes 1 to 8 inputs, got %d", n);
    diag_hint(S->d, "split it into several reductions");
    return 0;
  }
  for (int i = 0; i < n; i++) {
    if (!want_tensor(S, loc, *tuple ? v.items[i] : v, "input", &in[i])) return 0;
    if (!in[i]->type->rank || !ir_same_shape(in[i]->type, in[0]->type)) {
      diag_error(S->d, loc, "the inputs of a reduction must be tensors of one shape");
      diag_hint(S->d, "broadcast them to one shape first, e.g. with tl.broadcast_to");
      return 0;
    }
  }
  return n;
}

/* Inlines `fn` into a combine region over the n inputs' element types. */
static IrBlock *user_combine(Sema *S, const Node *call, SVal fn, IrValue **in, int n) {
  if (fn.kind != SV_FUNC) {
    if (fn.kind != SV_ERR) {
      diag_error(S->d, call->loc, "combine_fn must be a @triton.jit function, got %s", sv_kind_name(fn));
      diag_hint(S->d, "pass the name of a @triton.jit function of two scalars per input");
    }
    return NULL;
  }
  IrBlock *r = combine_block(S, in, n);
  SVal args[16];
  for (int i = 0; i < 2 * n; i++) args[i] = sv_val(r->args[i]);
  IrBlock *saved = S->b.block;
  S->b.block = r;
  int errors = S->d->nerrors;
  SVal res = call_jit(S, call, fn.fn, args, 2 * n, NULL, NULL, 0);
  IrValue *ys[8];
  int got = res.kind == SV_TUPLE ? res.n : 1;
  bool ok = S->d->nerrors == errors;
  if (ok && got != n) {
    diag_error(S->d, call->loc, "combine_fn returns %d value(s) for %d input(s)", got, n);
    diag_hint(S->d, "it takes 2 x %d scalars and returns %d (a tuple for more than one)", n, n);
    ok = false;
  }
  for (int i = 0; ok && i < n; i++) {
    SVal v = res.kind == SV_TUPLE ? res.items[i] : res;
    IrValue *x = to_ir(S, call->loc, v);
    ok = x && !x->type->rank;
    if (!ok) {
      diag_error(S->d, call->loc, "combine_fn must return scalars");
      diag_hint(S->d, "it combines two elements at a time: compute on its scalar arguments only");
      break;
    }
    ys[i] = cast_to(S, call->loc, x, ir_elem(S->m, in[i]->type));
  }
  if (ok) ir_build(&S->b, OP_YIELD, NULL, n, ys);
  S->b.block = saved;
  return ok ? r : NULL;
}

static SVal results(Sema *S, IrOp *op, bool tuple, bool keep, int axis) {
  if (!tuple) {
    IrValue *x = op->res[0];
    if (keep) x = expand_dims(S, op->loc, x, axis);
    return x ? sv_val(x) : sv_err();
  }
  SVal t = {.kind = SV_TUPLE, .n = op->nres};
  t.items = arena_alloc(S->a, sizeof(SVal) * (size_t)op->nres);
  for (int i = 0; i < op->nres; i++) {
    IrValue *x = op->res[i];
    if (keep) x = expand_dims(S, op->loc, x, axis);
    t.items[i] = sv_val(x);
  }
  return t;
}

SVal b_tl_reduce(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *in[8];
  bool tuple, keep;
  int n = gather_inputs(S, call->loc, a[0], in, &tuple);
  if (!n || !py_truthy(S, call->loc, a[3], &keep)) return sv_err();
  int axis;
  if (!reduce_axis_arg(S, call->loc, a[1], in[0]->type->rank, &axis)) return sv_err();
  if (axis < 0) {
    diag_unsupported(S->d, call->loc, "tl.reduce with axis=None on a tensor of rank %d is not supported yet (it needs reshape)",
                     in[0]->type->rank);
    diag_hint(S->d, "flatten it first: tl.reduce(tl.ravel(x), 0, fn)");
    return sv_err();
  }
  IrBlock *r = user_combine(S, call, a[2], in, n);
  if (!r) return sv_err();
  return results(S, build_op(S, call->loc, OP_REDUCE, in, n, axis, RED_CUSTOM, r), tuple, keep, axis);
}

SVal b_scan(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  IrValue *x;
  if (!want_tensor(S, call->loc, a[0], "input", &x)) return sv_err();
  bool reverse;
  if (!py_truthy(S, call->loc, a[2], &reverse)) return sv_err();
  ReduceKind k = (ReduceKind)b->op;
  const IrType *want = NULL;
  if (k == RED_SUM && a[3].kind != SV_NONE && !want_dtype(S, call->loc, a[3], &want)) return sv_err();
  if (!x->type->rank) {
    diag_error(S->d, call->loc, "tl.%s needs a tensor", b->name);
    diag_hint(S->d, "the input is a scalar: there is nothing to scan");
    return sv_err();
  }
  if (!want && x->type->dt == DT_BF16) want = ir_scalar(S->m, DT_F32); /* Triton scans bf16 in fp32 */
  x = promote_for(S, call->loc, x, k, want);
  int axis;
  if (!check_axis(S, call->loc, a[1], x->type->rank, &axis)) return sv_err();
  IrOp *op = build_op(S, call->loc, OP_SCAN, &x, 1, axis, k, NULL);
  op->flags = reverse;
  return sv_val(op->res[0]);
}

SVal b_assoc_scan(Sema *S, const Node *call, const Builtin *b, SVal *a) {
  (void)b;
  IrValue *in[8];
  bool tuple, reverse;
  int n = gather_inputs(S, call->loc, a[0], in, &tuple);
  if (!n || !py_truthy(S, call->loc, a[3], &reverse)) return sv_err();
  int axis;
  if (!check_axis(S, call->loc, a[1], in[0]->type->rank, &axis)) return sv_err();
  IrBlock *r = user_combine(S, call, a[2], in, n);
  if (!r) return sv_err();
  IrOp *op = build_op(S, call->loc, OP_SCAN, in, n, axis, RED_CUSTOM, r);
  op->flags = reverse;
  return results(S, op, tuple, false, axis);
}
