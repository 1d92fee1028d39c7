/*
 * sema_cf.c — statements with regions: `if` (compile-time or runtime), `for` over range /
 * tl.range / tl.static_range, and `while`.
 *
 * Runtime control flow follows Triton: names assigned in a loop body that exist before the
 * loop are carried through it (their types must stay the same, except that a Python number
 * becomes a tensor of the type the body gives it); names assigned in the branches of a
 * runtime `if` are merged into its results. A `return` ending one branch of a runtime `if`
 * at the top level of a function is handled by making the rest of the function the other
 * branch.
 */
#include "sema_val.h"

#include <string.h>

/* ---- helpers -------------------------------------------------------------------------------- */

static void names_assigned_in(Arena *a, const Node *t, PtrVec *out);

static void add_name(Arena *a, PtrVec *out, const char *name) {
  for (int i = 0; i < out->n; i++)
    if (!strcmp(out->items[i], name)) return;
  vec_push(a, out, (void *)name);
}

static void target_names(Arena *a, const Node *t, PtrVec *out) {
  if (t->kind == ND_NAME) add_name(a, out, t->name);
  else if (t->kind == ND_TUPLE || t->kind == ND_LIST)
    for (int i = 0; i < t->args.n; i++) target_names(a, t->args.items[i], out);
}

static void names_in_list(Arena *a, const NodeList *l, PtrVec *out) {
  for (int i = 0; i < l->n; i++) names_assigned_in(a, l->items[i], out);
}

/* Every name a statement may bind (assignment targets, loop variables, nested blocks). */
static void names_assigned_in(Arena *a, const Node *n, PtrVec *out) {
  switch (n->kind) {
  case ND_ASSIGN:
    for (int i = 0; i < n->args.n; i++) target_names(a, n->args.items[i], out);
    break;
  case ND_AUGASSIGN: case ND_ANNASSIGN: target_names(a, n->b, out); break;
  case ND_FOR: target_names(a, n->b, out); /* fallthrough */
  case ND_IF: case ND_WHILE:
    names_in_list(a, &n->body, out);
    names_in_list(a, &n->orelse, out);
    break;
  default: break;
  }
}

/* After an error in a statement with a body, the names it would have bound are poisoned:
 * their later uses stay silent instead of reporting follow-on errors ("not defined"). */
static void poison_names(Sema *S, const PtrVec *names) {
  for (int i = 0; i < names->n; i++) bind(S, S->scope, names->items[i], sv_err());
}

static void poison_assigned(Sema *S, const Node *n) {
  PtrVec names = {0};
  names_assigned_in(S->a, n, &names);
  poison_names(S, &names);
}

static bool ends_in_return(const NodeList *l) { return l->n && l->items[l->n - 1]->kind == ND_RETURN; }

static bool returns_at_end(const Node *n) {
  if (ends_in_return(&n->body)) return true;
  if (n->orelse.n == 1 && n->orelse.items[0]->kind == ND_IF) return false; /* elif chains: not handled */
  return ends_in_return(&n->orelse);
}

static bool has_return(const NodeList *l) {
  for (int i = 0; i < l->n; i++) {
    const Node *s = l->items[i];
    if (s->kind == ND_RETURN) return true;
    if (s->kind == ND_IF && (has_return(&s->body) || has_return(&s->orelse))) return true;
  }
  return false;
}

/* A branch ends in `return`, or an if nested in a branch has a return: that if may sit in
 * a compile-time branch (`if HAS_LABEL:` around `if label == ignore: ... return`, as Liger's
 * JSD writes it), which exec_if splices into the function's top level. */
bool branch_returns(const Node *n) { return returns_at_end(n) || has_return(&n->body) || has_return(&n->orelse); }

/* Runs `l` as the continuation of the statement list exec_block is running (one level up
 * from exec_if), so that an if-with-return in it can still take the rest of the function. */
static void exec_same_level(Sema *S, const NodeList *l) {
  S->block_depth--;
  exec_block(S, l);
  S->block_depth++;
}

/* The scope before a region, to restore after it: bindings created inside are dropped
 * (they are prepended to the list) and old ones get their values back. */
typedef struct Snapshot {
  Binding *head;
  SVal *vals;
  int n;
} Snapshot;

static Snapshot snapshot(Sema *S) {
  Snapshot s = {.head = S->scope->head};
  for (Binding *b = s.head; b; b = b->next) s.n++;
  s.vals = arena_alloc(S->a, sizeof(SVal) * (size_t)(s.n + 1));
  int i = 0;
  for (Binding *b = s.head; b; b = b->next) s.vals[i++] = b->v;
  return s;
}

static void restore(Sema *S, const Snapshot *s) {
  S->scope->head = s->head;
  int i = 0;
  for (Binding *b = s->head; b; b = b->next) b->v = s->vals[i++];
}

static bool numeric_const(SVal v) { return v.kind == SV_INT || v.kind == SV_FLOAT || v.kind == SV_BOOL; }

/* A value as IR of element type `elem` and v's shape (constexpr numbers become constants). */
static IrValue *as_ir_of(Sema *S, SrcLoc loc, SVal v, const IrType *t) {
  const IrType *elem = ir_elem(S->m, t);
  IrValue *x;
  if (numeric_const(v)) {
    x = dtype_is_float(elem->dt) ? ir_const_float(&S->b, elem, v.kind == SV_FLOAT ? v.f : (double)v.i)
                                 : ir_const_int(&S->b, elem, v.kind == SV_FLOAT ? (int64_t)v.f : v.i);
  } else {
    x = to_ir(S, loc, v);
    if (!x) return NULL;
    x = cast_to(S, loc, x, elem);
  }
  return broadcast_to(S, loc, x, t);
}

/* A value whose type differs between the two branches of an if (in_if) or before and after
 * a loop body. */
static void type_mismatch(Sema *S, SrcLoc loc, bool in_if, const char *name, const IrType *a, const IrType *b) {
  StrBuf sa = {0}, sb = {0};
  ir_type_str(&sa, a);
  ir_type_str(&sb, b);
  if (in_if) {
    diag_error(S->d, loc, "'%s' is %s in the then branch and %s in the else branch; it needs one type after the if", name,
               sa.s, sb.s);
    diag_hint(S->d, "convert one of them with .to(...), or give it the same shape in both branches");
  } else {
    diag_error(S->d, loc, "loop-carried variable '%s' is %s before the loop and %s after its body; its type must stay the same",
               name, sa.s, sb.s);
    diag_hint(S->d, "initialise it with the final type, e.g. tl.zeros(..., dtype=...) or x.to(...)");
  }
  sb_free(&sa);
  sb_free(&sb);
}

/* ---- if ------------------------------------------------------------------------------------------ */

typedef struct Branch {
  IrBlock *block;
  SVal *vals; /* per merged name, its value at the end of the branch */
  bool returned;
  SVal ret;
} Branch;

/* `tail`: the branch runs to the end of the function (the if took the rest of it), so a
 * `return` at its top level, or an if-with-return there, ends the function correctly. A
 * branch of any other runtime if must not return: statements after the if would still run. */
static void run_branch(Sema *S, const NodeList *a, const NodeList *b, bool tail, PtrVec *names, Branch *out) {
  Snapshot snap = snapshot(S);
  IrBlock *saved = S->b.block;
  bool saved_ret = S->returned;
  out->block = ir_block_new(S->m);
  S->b.block = out->block;
  S->returned = false;
  S->runtime_if++;
  int depth = S->block_depth;
  if (tail) S->block_depth = 0; /* the branch is the new top level for the rest-of-function rewrite */
  else if (S->block_depth < 1) S->block_depth = 1; /* a nested return is then refused */
  NodeList all = {0};
  for (int i = 0; a && i < a->n; i++) nl_push(S->a, &all, a->items[i]);
  for (int i = 0; b && i < b->n; i++) nl_push(S->a, &all, b->items[i]);
  exec_block(S, &all);
  S->block_depth = depth;
  S->runtime_if--;
  out->returned = S->returned || b; /* running the rest of the function reaches its end */
  out->ret = S->ret;
  out->vals = arena_alloc(S->a, sizeof(SVal) * (size_t)(names->n + 1));
  for (int i = 0; i < names->n; i++) {
    Binding *bd = find(S->scope, names->items[i]);
    out->vals[i] = bd ? bd->v : (SVal){.kind = SV_ERR, .s = "unbound"};
  }
  S->returned = saved_ret;
  S->b.block = saved;
  restore(S, &snap);
}

/* The condition of an if failed: neither branch runs, what they bind is poisoned, and the
 * rest of the function (when the if took it) still runs for its own errors. */
static void if_failed(Sema *S, const Node *n, const NodeList *rest) {
  poison_assigned(S, n);
  if (rest) exec_block(S, rest);
}

/* `rest`: the statements after this if at the top level of a function (exec_block passes
 * them when branch_returns says a return may be involved); NULL elsewhere. */
static void if_stmt(Sema *S, const Node *n, SVal c, const NodeList *rest) {
  if (c.kind == SV_ERR) {
    if_failed(S, n, rest);
    return;
  }
  if (c.kind != SV_VAL) {
    bool t;
    if (!py_truthy(S, n->a->loc, c, &t)) {
      if_failed(S, n, rest);
      return;
    }
    const NodeList *chosen = t ? &n->body : &n->orelse;
    if (!rest) {
      exec_block(S, chosen);
      return;
    }
    /* the chosen branch and the rest form one statement list at this level */
    NodeList all = {0};
    for (int i = 0; i < chosen->n; i++) nl_push(S->a, &all, chosen->items[i]);
    for (int i = 0; i < rest->n; i++) nl_push(S->a, &all, rest->items[i]);
    exec_same_level(S, &all);
    return;
  }
  if (c.v->type->rank) {
    diag_error(S->d, n->a->loc, "an 'if' condition must be a scalar, not a tensor");
    diag_hint(S->d, "use tl.where for elementwise choices");
    if_failed(S, n, rest);
    return;
  }
  IrValue *cond = cast_to(S, n->a->loc, c.v, ir_scalar(S->m, DT_I1));
  /* with a `return` at the end of one branch, the rest of the function is the other branch */
  bool then_returns = ends_in_return(&n->body);
  const NodeList *then_rest = rest && !then_returns ? rest : NULL;
  const NodeList *else_rest = rest && then_returns ? rest : NULL;
  PtrVec names = {0};
  names_in_list(S->a, &n->body, &names);
  names_in_list(S->a, &n->orelse, &names);
  if (then_rest) names_in_list(S->a, then_rest, &names);
  if (else_rest) names_in_list(S->a, else_rest, &names);
  int errors = S->d->nerrors;
  Branch br[2];
  run_branch(S, &n->body, then_rest, rest != NULL, &names, &br[0]);
  run_branch(S, &n->orelse, else_rest, rest != NULL, &names, &br[1]);
  if (S->d->nerrors > errors) {
    poison_names(S, &names);
    return;
  }
  /* the merged values: names live after the if, plus the return value of a helper */
  bool want_ret = br[0].returned && br[1].returned && (br[0].ret.kind != SV_NONE || br[1].ret.kind != SV_NONE);
  if (br[0].returned != br[1].returned && (rest || S->depth > 0)) {
    diag_unsupported(S->d, n->loc, "only one branch of this runtime 'if' returns; the other must return too");
    diag_hint(S->d, "end the other branch with a return too, or move the return after the if");
    poison_names(S, &names);
    return;
  }
  int nm = names.n + want_ret;
  const IrType **types = arena_alloc(S->a, sizeof(IrType *) * (size_t)(nm + 1));
  bool *merged = arena_alloc(S->a, sizeof(bool) * (size_t)(nm + 1));
  SVal *outv = arena_alloc(S->a, sizeof(SVal) * (size_t)(nm + 1));
  int nres = 0;
  for (int i = 0; i < nm; i++) {
    SVal a = i < names.n ? br[0].vals[i] : br[0].ret, b = i < names.n ? br[1].vals[i] : br[1].ret;
    const char *name = i < names.n ? names.items[i] : "return value";
    if ((a.kind == SV_ERR && a.s) || (b.kind == SV_ERR && b.s)) continue; /* bound in one branch only: dropped */
    if (a.kind != SV_VAL && b.kind != SV_VAL) {
      /* compile-time on both sides: only equal values survive */
      SVal eq = a.kind == b.kind && numeric_const(a) ? sv_bool(a.i == b.i && a.f == b.f) : sv_bool(a.kind == b.kind && a.kind != SV_ERR);
      if (eq.i) outv[i] = a;
      else if (numeric_const(a) && numeric_const(b)) {
        IrValue *x = to_ir(S, n->loc, a);
        types[i] = x ? x->type : NULL;
        if (x && dtype_is_int(x->type->dt) && (b.kind == SV_FLOAT || a.kind == SV_FLOAT)) types[i] = ir_scalar(S->m, DT_F32);
        merged[i] = types[i] != NULL;
        nres += merged[i];
      } else {
        outv[i] = (SVal){.kind = SV_ERR};
      }
      continue;
    }
    const IrType *ta = a.kind == SV_VAL ? a.v->type : NULL, *tb = b.kind == SV_VAL ? b.v->type : NULL;
    if (ta && tb && ta != tb) {
      type_mismatch(S, n->loc, true, name, ta, tb);
      poison_names(S, &names);
      return;
    }
    types[i] = ta ? ta : tb;
    merged[i] = true;
    nres++;
  }
  IrOp *op = ir_op_new(S->m, OP_IF, 1, nres, 2);
  op->loc = n->loc;
  op->opnds[0] = cond;
  for (int k = 0; k < 2; k++) {
    op->regions[k] = br[k].block;
    br[k].block->parent_op = op;
    IrBlock *saved = S->b.block;
    S->b.block = br[k].block;
    IrValue **ys = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(nres + 1));
    int j = 0;
    for (int i = 0; i < nm; i++) {
      if (!merged[i]) continue;
      SVal v = i < names.n ? br[k].vals[i] : br[k].ret;
      ys[j++] = as_ir_of(S, n->loc, v, types[i]);
      if (!ys[j - 1]) {
        S->b.block = saved;
        poison_names(S, &names);
        return;
      }
    }
    ir_build(&S->b, OP_YIELD, NULL, nres, ys);
    S->b.block = saved;
  }
  for (int i = 0, j = 0; i < nm; i++) {
    SVal v = outv[i];
    if (merged[i]) {
      op->res[j] = ir_value_new(S->m, types[i]);
      op->res[j]->def = op;
      op->res[j]->index = j;
      v = sv_val(op->res[j++]);
    } else if ((i < names.n ? br[0].vals[i] : br[0].ret).kind == SV_ERR) {
      continue;
    }
    if (i < names.n) bind(S, S->scope, names.items[i], v);
    else S->ret = v;
  }
  ir_append(S->b.block, op);
  if (br[0].returned && br[1].returned) {
    S->returned = true;
    if (!want_ret) S->ret = (SVal){.kind = SV_NONE};
  } else if (rest) {
    S->returned = true; /* the rest of the function ran inside the branches */
  }
}

void exec_if(Sema *S, const Node *n, const NodeList *rest) {
  SVal c = eval(S, n->a);
  if (c.kind == SV_VAL && rest && !returns_at_end(n)) {
    /* a runtime if whose return is nested deeper: that return is refused where it stands,
     * and the rest of the function runs after the if */
    if_stmt(S, n, c, NULL);
    if (!S->returned) exec_same_level(S, rest);
    return;
  }
  if_stmt(S, n, c, rest);
}

/* ---- loops ---------------------------------------------------------------------------------------- */

typedef struct Carried {
  PtrVec names;
  SVal *init;
  const IrType **types;
  int n;
} Carried;

/* Names assigned in `body` that are bound before the loop to a tensor or number. */
static void find_carried(Sema *S, const NodeList *body, const Node *target, Carried *c) {
  PtrVec all = {0};
  names_in_list(S->a, body, &all);
  PtrVec skip = {0};
  if (target) target_names(S->a, target, &skip);
  c->init = arena_alloc(S->a, sizeof(SVal) * (size_t)(all.n + 1));
  c->types = arena_alloc(S->a, sizeof(IrType *) * (size_t)(all.n + 1));
  for (int i = 0; i < all.n; i++) {
    bool is_target = false;
    for (int k = 0; k < skip.n; k++) is_target |= !strcmp(skip.items[k], all.items[i]);
    Binding *b = find(S->scope, all.items[i]);
    if (is_target || !b || (b->v.kind != SV_VAL && !numeric_const(b->v))) continue;
    vec_push(S->a, &c->names, all.items[i]);
    c->init[c->n++] = b->v;
  }
}

/* Emits a body once into `block` with the carried names bound to its arguments; returns the
 * carried values at the end of the body (NULL on error). */
static SVal *run_body(Sema *S, IrBlock *block, Carried *c, const NodeList *body, int first_arg) {
  IrBlock *saved = S->b.block;
  S->b.block = block;
  for (int i = 0; i < c->n; i++) bind(S, S->scope, c->names.items[i], sv_val(block->args[first_arg + i]));
  S->runtime_loop++;
  exec_block(S, body);
  S->runtime_loop--;
  SVal *out = arena_alloc(S->a, sizeof(SVal) * (size_t)(c->n + 1));
  for (int i = 0; i < c->n; i++) out[i] = find(S->scope, c->names.items[i])->v;
  S->b.block = saved;
  return out;
}

static IrBlock *block_with_args(Sema *S, int nargs, const IrType *const *types) {
  IrBlock *b = ir_block_new(S->m);
  b->nargs = nargs;
  b->args = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(nargs + 1));
  for (int i = 0; i < nargs; i++) {
    b->args[i] = ir_value_new(S->m, types[i]);
    b->args[i]->owner = b;
    b->args[i]->index = i;
  }
  return b;
}

/* First pass: find the types the body gives the carried names, so that a Python number
 * initialising an accumulator becomes a tensor of the right type. The pass's IR is thrown
 * away. Returns false on an error. */
static bool settle_types(Sema *S, SrcLoc loc, Carried *c, const NodeList *body, int nlead, const IrType *const *lead,
                         const Node *target) {
  for (int i = 0; i < c->n; i++) {
    IrValue *x = c->init[i].kind == SV_VAL ? c->init[i].v : NULL;
    if (!x) {
      IrBlock *saved = S->b.block;
      S->b.block = ir_block_new(S->m); /* scratch: the constant is rebuilt later */
      x = to_ir(S, loc, c->init[i]);
      S->b.block = saved;
    }
    c->types[i] = x->type;
  }
  /* only Python numbers can change type (into the body's tensors); without them the types
   * are the initial ones, and the real pass checks the body keeps them */
  bool numbers = false;
  for (int i = 0; i < c->n; i++) numbers |= numeric_const(c->init[i]);
  if (!numbers) return true;
  const IrType **all = arena_alloc(S->a, sizeof(IrType *) * (size_t)(nlead + c->n + 1));
  for (int i = 0; i < nlead; i++) all[i] = lead[i];
  for (int i = 0; i < c->n; i++) all[nlead + i] = c->types[i];
  Snapshot snap = snapshot(S);
  int errors = S->d->nerrors;
  IrBlock *scratch = block_with_args(S, nlead + c->n, all);
  if (target) bind(S, S->scope, target->name, sv_val(scratch->args[0]));
  SVal *after = run_body(S, scratch, c, body, nlead);
  restore(S, &snap);
  if (S->d->nerrors > errors) return false;
  for (int i = 0; i < c->n; i++) {
    IrValue *x = after[i].kind == SV_VAL ? after[i].v : NULL;
    if (!x || x->type == c->types[i]) continue;
    if (numeric_const(c->init[i]) && x->type->rank == 0) c->types[i] = x->type;
    else {
      type_mismatch(S, loc, false, c->names.items[i], c->types[i], x->type);
      return false;
    }
  }
  return true;
}

static void bind_results(Sema *S, IrOp *op, Carried *c) {
  for (int i = 0; i < c->n; i++) {
    op->res[i] = ir_value_new(S->m, c->types[i]);
    op->res[i]->def = op;
    op->res[i]->index = i;
    bind(S, S->scope, c->names.items[i], sv_val(op->res[i]));
  }
}

static bool yield_carried(Sema *S, SrcLoc loc, IrBlock *block, Carried *c, SVal *after) {
  for (int i = 0; i < c->n; i++)
    if (after[i].kind == SV_VAL && after[i].v->type != c->types[i]) {
      type_mismatch(S, loc, false, c->names.items[i], c->types[i], after[i].v->type);
      return false;
    }
  IrBlock *saved = S->b.block;
  S->b.block = block;
  IrValue **ys = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(c->n + 1));
  bool ok = true;
  for (int i = 0; i < c->n && ok; i++) {
    ys[i] = as_ir_of(S, loc, after[i], c->types[i]);
    ok = ys[i] != NULL;
  }
  if (ok) ir_build(&S->b, OP_YIELD, NULL, c->n, ys);
  S->b.block = saved;
  return ok;
}

/* Emits a runtime for loop; false after an error. */
static bool runtime_for(Sema *S, const Node *n, SVal *bounds) {
  /* the induction variable: i32 unless a bound needs i64 */
  IrValue *bv[3];
  DType ivt = DT_I32;
  for (int i = 0; i < 3; i++) {
    bv[i] = to_ir(S, n->a->loc, bounds[i]);
    if (!bv[i]) return false;
    if (bv[i]->type->rank || !dtype_is_int(bv[i]->type->dt)) {
      StrBuf t = {0};
      ir_type_str(&t, bv[i]->type);
      diag_error(S->d, n->a->loc, "range bounds must be integer scalars, got %s", t.s);
      diag_hint(S->d, "convert the bound with .to(tl.int32)%s", bv[i]->type->rank ? ", or reduce the tensor to a scalar" : "");
      sb_free(&t);
      return false;
    }
    if (dtype_bits(bv[i]->type->dt) == 64) ivt = DT_I64;
  }
  const IrType *it = ir_scalar(S->m, ivt);
  for (int i = 0; i < 3; i++) bv[i] = cast_to(S, n->a->loc, bv[i], it);
  if (bounds[2].kind == SV_INT && bounds[2].i == 0) {
    diag_error(S->d, n->a->loc, "range step must not be zero");
    diag_hint(S->d, "use a positive step to count up, a negative one to count down");
    return false;
  }
  if (n->b->kind != ND_NAME) {
    diag_unsupported(S->d, n->b->loc, "a runtime loop variable must be a single name");
    diag_hint(S->d, "loop over one index and compute the others from it");
    return false;
  }
  Carried c = {0};
  find_carried(S, &n->body, n->b, &c);
  if (!settle_types(S, n->loc, &c, &n->body, 1, &it, n->b)) return false;
  IrValue **inits = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(c.n + 1));
  for (int i = 0; i < c.n; i++)
    if (!(inits[i] = as_ir_of(S, n->loc, c.init[i], c.types[i]))) return false;
  const IrType **argt = arena_alloc(S->a, sizeof(IrType *) * (size_t)(c.n + 2));
  argt[0] = it;
  for (int i = 0; i < c.n; i++) argt[i + 1] = c.types[i];
  IrBlock *body = block_with_args(S, c.n + 1, argt);
  IrOp *op = ir_op_new(S->m, OP_FOR, 3 + c.n, c.n, 1);
  op->loc = n->loc;
  for (int i = 0; i < 3; i++) op->opnds[i] = bv[i];
  for (int i = 0; i < c.n; i++) op->opnds[3 + i] = inits[i];
  op->regions[0] = body;
  body->parent_op = op;
  Snapshot snap = snapshot(S);
  bind(S, S->scope, n->b->name, sv_val(body->args[0]));
  SVal *after = run_body(S, body, &c, &n->body, 1);
  restore(S, &snap);
  if (!yield_carried(S, n->loc, body, &c, after)) return false;
  ir_append(S->b.block, op);
  bind_results(S, op, &c);
  return true;
}

/* Runs a for statement; after an error, what its body binds is poisoned. */
static bool exec_for_checked(Sema *S, const Node *n) {
  const Node *it = n->a;
  const char *fname = NULL;
  if (it->kind == ND_CALL && (it->a->kind == ND_ATTR || it->a->kind == ND_NAME)) fname = it->a->name;
  if (!fname || (strcmp(fname, "static_range") && strcmp(fname, "range"))) {
    diag_unsupported(S->d, it->loc, "a for loop must iterate over range, tl.range or tl.static_range");
    diag_hint(S->d, "loop over indices: for i in range(n) (or tl.static_range(n) to unroll) and pick the element with them");
    return false;
  }
  bool is_static = !strcmp(fname, "static_range");
  SVal bounds[3] = {sv_int(0), sv_int(0), sv_int(1)};
  int nb = it->args.n;
  if (nb < 1 || nb > 3) {
    diag_error(S->d, it->loc, "%s takes 1 to 3 positional arguments", fname);
    diag_hint(S->d, "%s(end), %s(start, end) or %s(start, end, step)", fname, fname, fname);
    return false;
  }
  for (int i = 0; i < it->kwargs.n; i++) {
    const char *k = it->kwargs.items[i]->name;
    if (strcmp(k, "num_stages") && strcmp(k, "loop_unroll_factor") && strcmp(k, "flatten") &&
        strcmp(k, "disallow_acc_multi_buffer") && strcmp(k, "warp_specialize")) {
      diag_error(S->d, it->kwargs.items[i]->loc, "%s() got an unexpected keyword argument '%s'", fname, k);
      diag_hint(S->d, "tl.range takes num_stages, loop_unroll_factor, flatten, disallow_acc_multi_buffer and warp_specialize");
      return false;
    }
  }
  bool all_const = true;
  for (int i = 0; i < nb; i++) {
    SVal v = eval(S, it->args.items[i]);
    if (v.kind == SV_ERR) return false;
    bounds[nb == 1 ? 1 : i] = v;
    all_const &= v.kind == SV_INT || v.kind == SV_BOOL;
  }
  if (is_static && !all_const) {
    diag_error(S->d, it->loc, "tl.static_range bounds must be compile-time ints");
    diag_hint(S->d, "use tl.range (or range) for a loop with runtime bounds");
    return false;
  }
  if (!is_static) return runtime_for(S, n, bounds);
  int64_t lo = bounds[0].i, hi = bounds[1].i, step = bounds[2].i;
  if (step == 0) {
    diag_error(S->d, it->loc, "range step must not be zero");
    diag_hint(S->d, "use a positive step to count up, a negative one to count down");
    return false;
  }
  int64_t trips = 0;
  for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step) {
    if (++trips > 4096) {
      diag_error(S->d, it->loc, "tl.static_range unrolls more than 4096 iterations");
      diag_hint(S->d, "use tl.range (or range) for long loops: it is not unrolled");
      return false;
    }
    assign(S, n->b, sv_int(i));
    exec_block(S, &n->body);
    if (S->returned || S->aborted) return true;
  }
  return true;
}

void exec_for(Sema *S, const Node *n) {
  if (!exec_for_checked(S, n)) poison_assigned(S, n);
}

/* Emits a while loop; false after an error. */
static bool exec_while_checked(Sema *S, const Node *n) {
  Carried c = {0};
  find_carried(S, &n->body, NULL, &c);
  if (!settle_types(S, n->loc, &c, &n->body, 0, NULL, NULL)) return false;
  IrValue **inits = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(c.n + 1));
  for (int i = 0; i < c.n; i++)
    if (!(inits[i] = as_ir_of(S, n->loc, c.init[i], c.types[i]))) return false;
  IrOp *op = ir_op_new(S->m, OP_WHILE, c.n, c.n, 2);
  op->loc = n->loc;
  for (int i = 0; i < c.n; i++) op->opnds[i] = inits[i];
  Snapshot snap = snapshot(S);
  /* before: the condition over the carried values */
  IrBlock *before = block_with_args(S, c.n, c.types);
  IrBlock *saved = S->b.block;
  S->b.block = before;
  for (int i = 0; i < c.n; i++) bind(S, S->scope, c.names.items[i], sv_val(before->args[i]));
  SVal cv = eval(S, n->a);
  IrValue *cond = cv.kind == SV_ERR ? NULL : to_ir(S, n->a->loc, cv);
  if (cond && cond->type->rank) {
    diag_error(S->d, n->a->loc, "a 'while' condition must be a scalar, not a tensor");
    diag_hint(S->d, "reduce it to a scalar, e.g. tl.max(x, 0) > 0");
    cond = NULL;
  }
  if (cond) {
    IrValue **ops = arena_alloc(S->a, sizeof(IrValue *) * (size_t)(c.n + 2));
    ops[0] = cast_to(S, n->a->loc, cond, ir_scalar(S->m, DT_I1));
    for (int i = 0; i < c.n; i++) ops[i + 1] = before->args[i];
    ir_build(&S->b, OP_CONDITION, NULL, c.n + 1, ops);
  }
  S->b.block = saved;
  restore(S, &snap);
  if (!cond) return false;
  IrBlock *after_b = block_with_args(S, c.n, c.types);
  SVal *after = run_body(S, after_b, &c, &n->body, 0);
  restore(S, &snap);
  if (!yield_carried(S, n->loc, after_b, &c, after)) return false;
  op->regions[0] = before;
  op->regions[1] = after_b;
  before->parent_op = after_b->parent_op = op;
  ir_append(S->b.block, op);
  bind_results(S, op, &c);
  return true;
}

void exec_while(Sema *S, const Node *n) {
  if (!exec_while_checked(S, n)) poison_assigned(S, n);
}
