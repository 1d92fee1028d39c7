/*
 * sema.c — third stage of the front end: syntax tree → tile IR.
 *
 * Walks a kernel like Triton's code generator: Python values (constexprs) are computed at
 * compile time, everything else becomes typed IR. Jit helpers are inlined at their calls,
 * `if` on a constexpr keeps one branch, and module globals are evaluated on first use.
 * Typing rules live in sema_ops.c, the triton.language surface in builtins.c.
 */
#include "sema_val.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

SVal sv_err(void) { return (SVal){.kind = SV_ERR}; }
SVal sv_int(int64_t i) { return (SVal){.kind = SV_INT, .i = i}; }
SVal sv_float(double f) { return (SVal){.kind = SV_FLOAT, .f = f}; }
SVal sv_bool(bool b) { return (SVal){.kind = SV_BOOL, .i = b}; }
SVal sv_val(IrValue *v) { return (SVal){.kind = SV_VAL, .v = v}; }
SVal sv_dtype(const IrType *t) { return (SVal){.kind = SV_DTYPE, .dt = t}; }
bool sv_is_const(SVal v) { return v.kind == SV_INT || v.kind == SV_FLOAT || v.kind == SV_BOOL; }

const char *sv_kind_name(SVal v) {
  switch (v.kind) {
  case SV_ERR: return "an invalid value";
  case SV_VAL: return v.v->type->rank ? "a tensor" : "a runtime scalar";
  case SV_INT: return "an int";
  case SV_FLOAT: return "a float";
  case SV_BOOL: return "a bool";
  case SV_STR: return "a string";
  case SV_NONE: return "None";
  case SV_DTYPE: return "a dtype";
  case SV_TUPLE: return "a tuple";
  case SV_SLICE: return "a slice";
  case SV_FUNC: return "a jit function";
  case SV_MODULE: return "a module";
  case SV_USERMOD: return "an imported kernel file";
  case SV_BUILTIN: case SV_METHOD: return "a function";
  case SV_DICT: return "a dict";
  }
  return "?";
}

/* ---- scopes ---------------------------------------------------------------------------- */

Binding *find(Scope *s, const char *name) {
  for (Binding *b = s->head; b; b = b->next)
    if (!strcmp(b->name, name)) return b;
  return NULL;
}

void bind(Sema *S, Scope *s, const char *name, SVal v) {
  Binding *b = find(s, name);
  if (!b) {
    b = arena_alloc(S->a, sizeof(Binding));
    b->name = name;
    b->next = s->head;
    s->head = b;
  }
  b->v = v;
  b->lazy = NULL;
}

static ModScope *mod_scope(Sema *S, const Module *m);

/* Triton reads a module global from a kernel only if it is a tl.constexpr object (or a
 * dtype, module, jit function, builtin, None). `X = tl.constexpr(3)` is one, and so is
 * arithmetic on one; `X = 3` and the annotated `X: tl.constexpr = 3` are not. */
static bool wrapped_expr(Sema *S, const Node *e) {
  switch (e->kind) {
  case ND_CALL: {
    const Node *f = e->a;
    return (f->kind == ND_ATTR || f->kind == ND_NAME) && f->name && !strcmp(f->name, "constexpr");
  }
  case ND_NAME: {
    Binding *b = find(S->gl, e->name);
    return b && !b->lazy && !b->from && b->wrapped;
  }
  case ND_BINOP: return wrapped_expr(S, e->a) || wrapped_expr(S, e->b);
  case ND_UNOP: return wrapped_expr(S, e->a);
  default: return false;
  }
}

static bool always_global_ok(SVal v) {
  switch (v.kind) {
  case SV_DTYPE: case SV_FUNC: case SV_MODULE: case SV_USERMOD: case SV_BUILTIN: case SV_METHOD: case SV_NONE:
  case SV_ERR:
    return true;
  default:
    return false;
  }
}

/* The value of global `g` of file scope `home`, evaluated there on first use. */
static SVal eval_global(Sema *S, Scope *home, Binding *g, SrcLoc use) {
  if (g->from) {
    Binding *t = find(&g->from->scope, g->from_name);
    if (!t || t->unresolved) {
      diag_error(S->d, use, "cannot import name '%s' from '%s'", g->from_name, g->from->mod->file->name);
      diag_hint(S->d, "define '%s' at the top level of %s", g->from_name, g->from->mod->file->name);
      return sv_err();
    }
    return eval_global(S, &g->from->scope, t, use);
  }
  if (g->unresolved) {
    diag_error(S->d, use, "'%s' is imported from a kernel file that was not found (looked for %s)", g->name,
               g->unresolved->tried);
    diag_hint(S->d, "put the file with the jit helpers next to the kernel file that imports it");
    return sv_err();
  }
  if (!g->lazy) return g->v;
  if (g->busy) {
    diag_error(S->d, use, "global '%s' is defined in terms of itself", g->name);
    diag_hint(S->d, "give it a value that does not use its own name");
    return sv_err();
  }
  g->busy = true;
  Scope *saved = S->scope, *saved_gl = S->gl;
  bool saved_default = S->in_default;
  S->scope = S->gl = home;
  S->in_default = false;
  const Node *n = g->lazy;
  SVal v = eval(S, n->a);
  g->wrapped = wrapped_expr(S, n->a);
  S->scope = saved;
  S->gl = saved_gl;
  S->in_default = saved_default;
  g->busy = false;
  g->lazy = NULL;
  if (v.kind == SV_VAL) {
    diag_error(S->d, n->kind == ND_ASSIGN && n->args.n ? n->args.items[0]->loc : n->loc,
               "global '%s' must be a compile-time value (tl.constexpr)", g->name);
    diag_hint(S->d, "give it a constant value, `%s = tl.constexpr(...)`, or compute it inside the kernel", g->name);
    v = sv_err();
  }
  g->v = v;
  return v;
}

static SVal lookup(Sema *S, const Node *n) {
  Binding *b = find(S->scope, n->name);
  if (b && S->scope != S->gl) return b->v;
  b = find(S->gl, n->name);
  if (b) {
    SVal v = eval_global(S, S->gl, b, n->loc);
    Binding *def = b;
    while (def->from && (def = find(&def->from->scope, def->from_name)) != NULL) {}
    if (!S->in_default && def && !always_global_ok(v) && !def->wrapped) {
      diag_error(S->d, n->loc, "cannot access global variable %s from within a @triton.jit function", n->name);
      diag_hint(S->d, "Triton kernels can only read globals made with tl.constexpr, e.g. `%s = tl.constexpr(...)`; "
                      "annotating the global (`%s: tl.constexpr = ...`) is not enough",
                n->name, n->name);
      return sv_err();
    }
    return v;
  }
  const Builtin *bi = builtin_find("builtins", n->name);
  if (bi) return (SVal){.kind = SV_BUILTIN, .b = bi};
  diag_error(S->d, n->loc, "name '%s' is not defined", n->name);
  diag_hint(S->d, "assign it before this line, import it at module level, or pass it as an argument");
  return sv_err();
}

SVal module_attr(Sema *S, const Node *n, ModScope *m, const char *name) {
  Binding *b = find(&m->scope, name);
  if (!b) {
    diag_error(S->d, n->loc, "module '%s' has no attribute '%s'", m->mod->file->name, name);
    diag_hint(S->d, "define '%s' at the top level of %s, or check the name", name, m->mod->file->name);
    return sv_err();
  }
  SVal v = eval_global(S, &m->scope, b, n->loc);
  if (!always_global_ok(v) && !b->wrapped) {
    diag_error(S->d, n->loc, "cannot access global variable %s from within a @triton.jit function", name);
    diag_hint(S->d, "make it `%s = tl.constexpr(...)` in %s", name, m->mod->file->name);
    return sv_err();
  }
  return v;
}

static bool decorated_jit(const Node *fn);
static Scope *fn_home(Sema *S, const Node *fn);

/* ---- expressions ------------------------------------------------------------------------ */

static SVal eval_call(Sema *S, const Node *n) {
  SVal fn = eval(S, n->a);
  int nargs = 0;
  SVal *args = arena_alloc(S->a, sizeof(SVal) * (size_t)(n->args.n + 1));
  for (int i = 0; i < n->args.n; i++) {
    const Node *x = n->args.items[i];
    if (x->kind == ND_STARRED) {
      SVal t = eval(S, x->a);
      if (t.kind != SV_TUPLE) {
        if (t.kind != SV_ERR) {
          diag_error(S->d, x->loc, "'*' needs a tuple, got %s", sv_kind_name(t));
          diag_hint(S->d, "only a tuple can be unpacked into arguments; pass the value without '*'");
        }
        return sv_err();
      }
      SVal *grown = arena_alloc(S->a, sizeof(SVal) * (size_t)(n->args.n + t.n + 1));
      memcpy(grown, args, sizeof(SVal) * (size_t)nargs);
      args = grown;
      for (int j = 0; j < t.n; j++) args[nargs++] = t.items[j];
    } else {
      args[nargs++] = eval(S, x);
    }
  }
  int nkw = n->kwargs.n;
  SVal *kw = arena_alloc(S->a, sizeof(SVal) * (size_t)(nkw + 1));
  const Node **kwn = arena_alloc(S->a, sizeof(Node *) * (size_t)(nkw + 1));
  for (int i = 0; i < nkw; i++) {
    kwn[i] = n->kwargs.items[i];
    kw[i] = eval(S, kwn[i]->a);
  }
  switch (fn.kind) {
  case SV_ERR:
    return sv_err();
  case SV_BUILTIN:
    return call_builtin(S, n, fn.b, NULL, args, nargs, kwn, kw, nkw);
  case SV_METHOD:
    return call_builtin(S, n, fn.b, fn.self, args, nargs, kwn, kw, nkw);
  case SV_FUNC:
    return call_jit(S, n, fn.fn, args, nargs, kwn, kw, nkw);
  case SV_DTYPE: {
    /* tl.float32(x): a dtype used as a constructor casts */
    if (nargs != 1 || nkw) {
      diag_error(S->d, n->loc, "a dtype called as a function takes exactly one argument");
      diag_hint(S->d, "write tl.float32(x), or x.to(tl.float32)");
      return sv_err();
    }
    if (args[0].kind == SV_ERR) return sv_err();
    IrValue *v = to_ir(S, n->loc, args[0]);
    return v ? sv_val(cast_to(S, n->loc, v, fn.dt)) : sv_err();
  }
  default:
    diag_error(S->d, n->loc, "%s is not callable", sv_kind_name(fn));
    diag_hint(S->d, "only tl functions, @triton.jit functions and dtypes can be called");
    return sv_err();
  }
}

static SVal eval_subscript(Sema *S, const Node *n) {
  SVal obj = eval(S, n->a);
  if (obj.kind == SV_ERR) return obj;
  const Node *idx = n->b;
  if (obj.kind == SV_DICT) {
    SVal key = eval(S, idx);
    if (key.kind == SV_ERR) return key;
    if (key.kind != SV_STR) {
      diag_error(S->d, idx->loc, "args[...] takes an argument name as a string");
      diag_hint(S->d, "write args[\"NAME\"]");
      return sv_err();
    }
    for (int i = 0; i < obj.n; i++)
      if (!strcmp(obj.keys[i], key.s)) return obj.items[i];
    diag_error(S->d, idx->loc, "the kernel has no argument named '%s'", key.s);
    diag_hint(S->d, "args holds the kernel's arguments by their parameter names");
    return sv_err();
  }
  if (obj.kind == SV_TUPLE) {
    SVal i = eval(S, idx);
    if (i.kind == SV_ERR) return i;
    if (i.kind != SV_INT) {
      diag_error(S->d, idx->loc, "tuple index must be a compile-time int, got %s", sv_kind_name(i));
      diag_hint(S->d, "index tuples with constants or tl.static_range loop variables");
      return sv_err();
    }
    int64_t k = i.i < 0 ? i.i + obj.n : i.i;
    if (k < 0 || k >= obj.n) {
      diag_error(S->d, idx->loc, "tuple index %lld out of range (length %d)", (long long)i.i, obj.n);
      diag_hint(S->d, "valid indices are 0 to %d, or -%d to -1", obj.n - 1, obj.n);
      return sv_err();
    }
    return obj.items[k];
  }
  if (obj.kind != SV_VAL) {
    diag_error(S->d, n->a->loc, "%s cannot be subscripted", sv_kind_name(obj));
    diag_hint(S->d, "only tensors (with None and ':') and tuples can be indexed");
    return sv_err();
  }
  /* tensor[None, :]: only None (new axis) and full slices are allowed, as in Triton */
  const NodeList *items = idx->kind == ND_TUPLE ? &idx->args : NULL;
  int count = items ? items->n : 1;
  IrValue *v = obj.v;
  int src_dim = 0, out_dim = 0;
  for (int i = 0; i < count; i++) {
    const Node *it = items ? items->items[i] : idx;
    if (it->kind == ND_NONE) {
      v = expand_dims(S, it->loc, v, out_dim);
      if (!v) return sv_err();
      out_dim++;
    } else if (it->kind == ND_SLICE && !it->a && !it->b && !it->c) {
      if (src_dim >= obj.v->type->rank) {
        diag_error(S->d, it->loc, "too many indices for a tensor of rank %d", obj.v->type->rank);
        diag_hint(S->d, "write one ':' per dimension of the tensor, and None for each new one");
        return sv_err();
      }
      src_dim++;
      out_dim++;
    } else {
      diag_error(S->d, it->loc, "unsupported tensor index: only None and ':' are allowed (as in Triton)");
      diag_hint(S->d, "use tl.load with computed offsets to pick elements");
      return sv_err();
    }
  }
  return sv_val(v);
}

static SVal eval_boolop(Sema *S, const Node *n) {
  SVal acc = eval(S, n->args.items[0]);
  for (int i = 1; i < n->args.n; i++) {
    if (acc.kind == SV_ERR) return acc;
    if (acc.kind != SV_VAL) {
      /* Python short-circuit on compile-time values */
      bool t;
      if (!py_truthy(S, n->loc, acc, &t)) return sv_err();
      if ((n->op == TK_AND && !t) || (n->op == TK_OR && t)) return acc;
      acc = eval(S, n->args.items[i]);
      continue;
    }
    SVal r = eval(S, n->args.items[i]);
    if (r.kind == SV_ERR) return r;
    /* runtime: logical and/or of the truth values */
    SVal l1 = compare(S, n->loc, TK_NE, acc, sv_int(0));
    SVal r1 = compare(S, n->loc, TK_NE, r, sv_int(0));
    acc = binop(S, n->loc, n->op == TK_AND ? TK_AMP : TK_PIPE, l1, r1);
  }
  return acc;
}

static SVal eval_compare(Sema *S, const Node *n) {
  SVal left = eval(S, n->args.items[0]);
  SVal result = sv_bool(true);
  for (int i = 1; i < n->args.n; i++) {
    SVal right = eval(S, n->args.items[i]);
    SVal c = compare(S, n->loc, n->ops[i - 1], left, right);
    if (c.kind == SV_ERR) return c;
    if (i == 1) result = c;
    else result = binop(S, n->loc, TK_AMP, result, c); /* a < b < c == (a < b) & (b < c) */
    left = right;
  }
  return result;
}

/* Limits that keep hostile or runaway sources from exhausting the stack or the time. */
enum { MAX_EVAL_DEPTH = 512, MAX_STEPS = 1000000 }; /* 512 frames stay under 4 MB even in sanitizer builds */

static bool over_budget(Sema *S, const Node *n) {
  if (S->aborted) return true;
  if (S->eval_depth > MAX_EVAL_DEPTH) {
    diag_error(S->d, n->loc, "expressions and calls nest more than %d deep here", MAX_EVAL_DEPTH);
    diag_hint(S->d, "split the expression into statements, or call fewer helpers inside one another");
    S->aborted = true;
  } else if (++S->steps > MAX_STEPS) {
    diag_error(S->d, n->loc, "the kernel takes more than %d steps to expand (unrolled loops, nested runtime loops or recursion?)",
               MAX_STEPS);
    diag_hint(S->d, "use tl.range instead of tl.static_range for long loops");
    S->aborted = true;
  }
  return S->aborted;
}

SVal eval(Sema *S, const Node *n) {
  if (over_budget(S, n)) return sv_err();
  S->eval_depth++;
  SrcLoc saved = S->b.loc;
  S->b.loc = n->loc;
  SVal r;
  switch (n->kind) {
  case ND_NAME: r = lookup(S, n); break;
  case ND_INT: r = sv_int(n->ival); break;
  case ND_FLOAT: r = sv_float(n->fval); break;
  case ND_BOOL: r = sv_bool(n->ival); break;
  case ND_NONE: r = (SVal){.kind = SV_NONE}; break;
  case ND_STR: r = (SVal){.kind = SV_STR, .s = n->name}; break;
  case ND_ATTR: {
    SVal obj = eval(S, n->a);
    r = obj.kind == SV_ERR ? obj : value_attr(S, n, obj, n->name);
    break;
  }
  case ND_CALL: r = eval_call(S, n); break;
  case ND_SUBSCRIPT: r = eval_subscript(S, n); break;
  case ND_TUPLE: case ND_LIST: {
    r = (SVal){.kind = SV_TUPLE, .n = n->args.n};
    r.items = arena_alloc(S->a, sizeof(SVal) * (size_t)(n->args.n + 1));
    for (int i = 0; i < n->args.n; i++) {
      r.items[i] = eval(S, n->args.items[i]);
      if (r.items[i].kind == SV_ERR) { r = sv_err(); break; }
    }
    break;
  }
  case ND_BINOP: {
    SVal l = eval(S, n->a), rr = eval(S, n->b);
    r = binop(S, n->loc, n->op, l, rr);
    break;
  }
  case ND_UNOP: r = unop(S, n->loc, n->op, eval(S, n->a)); break;
  case ND_BOOLOP: r = eval_boolop(S, n); break;
  case ND_COMPARE: r = eval_compare(S, n); break;
  case ND_IFEXP: {
    SVal c = eval(S, n->a);
    if (c.kind == SV_ERR) { r = c; break; }
    if (c.kind != SV_VAL) {
      bool t;
      r = !py_truthy(S, n->loc, c, &t) ? sv_err() : eval(S, t ? n->b : n->c);
      break;
    }
    /* runtime condition: both sides are evaluated (they have no side effects here) */
    SVal x = eval(S, n->b), y = eval(S, n->c);
    IrValue *xv, *yv;
    if (x.kind == SV_ERR || y.kind == SV_ERR || !promote_pair(S, n->loc, x, y, false, false, &xv, &yv)) {
      r = sv_err();
      break;
    }
    IrValue *cv = to_ir(S, n->loc, compare(S, n->loc, TK_NE, c, sv_int(0)));
    if (!cv || !broadcast_pair(S, n->loc, &cv, &xv) || !broadcast_pair(S, n->loc, &cv, &yv) ||
        !broadcast_pair(S, n->loc, &xv, &yv)) {
      r = sv_err();
      break;
    }
    IrValue *o[3] = {cv, xv, yv};
    r = sv_val(ir_build(&S->b, OP_SELECT, xv->type, 3, o)->res[0]);
    break;
  }
  case ND_SLICE: r = (SVal){.kind = SV_SLICE}; break;
  case ND_LAMBDA:
    diag_unsupported(S->d, n->loc, "lambda is only supported inside @triton.heuristics");
    diag_hint(S->d, "define a @triton.jit function at module level instead");
    r = sv_err();
    break;
  case ND_DICT:
    diag_unsupported(S->d, n->loc, "dicts are not supported inside kernels");
    diag_hint(S->d, "use a tuple, or separate values");
    r = sv_err();
    break;
  case ND_STARRED:
    diag_error(S->d, n->loc, "'*' is only allowed in call arguments");
    diag_hint(S->d, "write the tuple itself, or (*t, x) as (t[0], t[1], x)");
    r = sv_err();
    break;
  default:
    diag_error(S->d, n->loc, "internal error: unexpected node in an expression");
    r = sv_err();
  }
  S->b.loc = saved;
  S->eval_depth--;
  return r;
}

/* ---- statements -------------------------------------------------------------------------- */


void assign(Sema *S, const Node *target, SVal v) {
  switch (target->kind) {
  case ND_NAME:
    bind(S, S->scope, target->name, v);
    return;
  case ND_TUPLE: case ND_LIST:
    if (v.kind == SV_ERR) {
      for (int i = 0; i < target->args.n; i++) assign(S, target->args.items[i], v);
      return;
    }
    if (v.kind != SV_TUPLE || v.n != target->args.n) {
      diag_error(S->d, target->loc, "cannot unpack %s into %d names", sv_kind_name(v), target->args.n);
      diag_hint(S->d, "the value must be a tuple of %d values", target->args.n);
      return;
    }
    for (int i = 0; i < v.n; i++) assign(S, target->args.items[i], v.items[i]);
    return;
  case ND_SUBSCRIPT:
    diag_unsupported(S->d, target->loc, "assignment to a subscript is not supported (tensors are immutable in Triton)");
    diag_hint(S->d, "use tl.where to build a new tensor, or tl.store to write memory");
    return;
  case ND_ATTR:
    diag_unsupported(S->d, target->loc, "assignment to an attribute is not supported in kernels");
    diag_hint(S->d, "assign the value to a new name instead");
    return;
  default:
    diag_error(S->d, target->loc, "cannot assign to this expression");
    diag_hint(S->d, "assign to a name, or to a tuple of names");
  }
}

static void exec_stmt(Sema *S, const Node *n) {
  if (over_budget(S, n)) return;
  S->b.loc = n->loc;
  switch (n->kind) {
  case ND_EXPR:
    if (n->a->kind == ND_STR) return; /* docstring */
    eval(S, n->a);
    return;
  case ND_ASSIGN: {
    SVal v = eval(S, n->a);
    for (int i = 0; i < n->args.n; i++) assign(S, n->args.items[i], v);
    return;
  }
  case ND_ANNASSIGN:
    if (n->a) assign(S, n->b, eval(S, n->a));
    return;
  case ND_AUGASSIGN: {
    SVal cur = eval(S, n->b);
    SVal rhs = eval(S, n->a);
    assign(S, n->b, binop(S, n->loc, n->op, cur, rhs));
    return;
  }
  case ND_IF: exec_if(S, n, NULL); return;
  case ND_FOR:
    if (n->orelse.n) {
      diag_unsupported(S->d, n->loc, "for ... else is not supported in kernels");
      diag_hint(S->d, "kernels have no break, so move the else block after the loop");
    }
    exec_for(S, n);
    return;
  case ND_WHILE:
    if (n->orelse.n) {
      diag_unsupported(S->d, n->loc, "while ... else is not supported in kernels");
      diag_hint(S->d, "kernels have no break, so move the else block after the loop");
    }
    exec_while(S, n);
    return;
  case ND_RETURN:
    if (S->runtime_loop) {
      diag_unsupported(S->d, n->loc, "'return' inside a runtime loop is not supported (Triton rejects it too)");
      diag_hint(S->d, "let the loop finish (a while loop can test a flag) and return after it");
      return;
    }
    if (S->runtime_if && S->block_depth != 1) {
      diag_unsupported(S->d, n->loc, "this 'return' inside a runtime 'if' is not supported yet");
      diag_hint(S->d, "a 'return' is supported as the last statement of an 'if' branch at the top level of a function");
      return;
    }
    S->ret = n->a ? eval(S, n->a) : (SVal){.kind = SV_NONE};
    S->returned = true;
    return;
  case ND_PASS: return;
  case ND_BREAK: case ND_CONTINUE:
    diag_unsupported(S->d, n->loc, "'%s' is not supported in kernels", n->kind == ND_BREAK ? "break" : "continue");
    diag_hint(S->d, "%s", n->kind == ND_BREAK ? "use a while loop whose condition tests a flag"
                                              : "put the rest of the loop body under an if");
    return;
  case ND_ASSERT: {
    SVal c = eval(S, n->a);
    if (c.kind == SV_ERR || c.kind == SV_VAL) return; /* device_assert: emitted only in debug mode */
    bool t;
    if (py_truthy(S, n->loc, c, &t) && !t) {
      SVal msg = n->b ? eval(S, n->b) : (SVal){.kind = SV_NONE};
      diag_error(S->d, n->loc, "assertion failed%s%s", msg.kind == SV_STR ? ": " : "", msg.kind == SV_STR ? msg.s : "");
      diag_hint(S->d, "its condition is a compile-time value, so it is checked when the kernel is compiled");
    }
    return;
  }
  case ND_FUNCDEF:
    diag_unsupported(S->d, n->loc, "nested function definitions are not supported in kernels");
    diag_hint(S->d, "define it at module level with @triton.jit");
    return;
  case ND_IMPORT: case ND_IMPORTFROM:
    diag_unsupported(S->d, n->loc, "imports inside a kernel are not supported; import at module level");
    return;
  case ND_GLOBAL:
    diag_unsupported(S->d, n->loc, "global/nonlocal declarations are not supported in kernels");
    diag_hint(S->d, "kernels cannot rebind module names; pass the value as an argument");
    return;
  default:
    diag_unsupported(S->d, n->loc, "this statement is not supported in kernels");
  }
}

/* Runs a statement list. A runtime `if` whose branch ends in `return` at the top level of a
 * function takes the rest of the list as its other branch (see exec_if). */
void exec_block(Sema *S, const NodeList *body) {
  S->block_depth++;
  for (int i = 0; i < body->n && !S->returned && !S->aborted; i++) {
    const Node *n = body->items[i];
    if (n->kind == ND_IF && S->block_depth == 1 && branch_returns(n)) {
      NodeList rest = {body->items + i + 1, body->n - i - 1, body->n - i - 1};
      exec_if(S, n, &rest);
      break;
    }
    exec_stmt(S, n);
  }
  S->block_depth--;
}

/* ---- jit functions ------------------------------------------------------------------------ */

static bool is_constexpr_annotation(const Node *ann) {
  if (!ann) return false;
  if (ann->kind == ND_ATTR || ann->kind == ND_NAME) return !strcmp(ann->name, "constexpr");
  if (ann->kind == ND_STR) return strstr(ann->name, "constexpr") != NULL;
  return false;
}

/* "hint: two(a, b) is defined at line 11" under an error about a call of fn. */
static void hint_signature(Sema *S, const Node *fn) {
  StrBuf b = {0};
  for (int i = 0; i < fn->args.n; i++) sb_printf(&b, "%s%s", i ? ", " : "", fn->args.items[i]->name);
  bool here = !fn->loc.file || fn->loc.file == S->mod->file;
  diag_hint(S->d, "%s(%s) is defined at line %d%s%s", fn->name, b.s ? b.s : "", fn->loc.line, here ? "" : " of ",
            here ? "" : fn->loc.file->name);
  sb_free(&b);
}

/* Binds call arguments to a def's parameters (positional, keyword, defaults); stops at the
 * first mistake, as Python does. */
static bool bind_params(Sema *S, const Node *call, const Node *fn, Scope *scope, SVal *args, int nargs,
                        const Node *const *kwn, SVal *kw, int nkw) {
  const NodeList *ps = &fn->args;
  if (nargs > ps->n) {
    diag_error(S->d, call->loc, "%s() takes %d arguments but %d were given", fn->name, ps->n, nargs);
    hint_signature(S, fn);
    return false;
  }
  for (int i = 0; i < ps->n; i++) {
    const Node *p = ps->items[i];
    SVal v = {.kind = SV_ERR};
    bool have = false;
    if (i < nargs) { v = args[i]; have = true; }
    for (int k = 0; k < nkw; k++)
      if (!strcmp(kwn[k]->name, p->name)) {
        if (have) {
          diag_error(S->d, kwn[k]->loc, "%s() got multiple values for argument '%s'", fn->name, p->name);
          hint_signature(S, fn);
          return false;
        }
        v = kw[k];
        have = true;
      }
    if (!have && p->a) {
      Scope *saved = S->scope;
      bool saved_default = S->in_default;
      S->scope = S->gl;
      S->in_default = true;
      v = eval(S, p->a);
      S->scope = saved;
      S->in_default = saved_default;
      have = true;
    }
    if (!have) {
      diag_error(S->d, call->loc, "%s() missing required argument '%s'", fn->name, p->name);
      hint_signature(S, fn);
      return false;
    }
    if (is_constexpr_annotation(p->c) && v.kind == SV_VAL) {
      diag_error(S->d, call->loc, "argument '%s' of %s() is a tl.constexpr but got a runtime value", p->name, fn->name);
      diag_hint(S->d, "pass a compile-time value: a literal, a tl.constexpr parameter or a tl.constexpr global");
      return false;
    }
    bind(S, scope, p->name, v);
  }
  for (int k = 0; k < nkw; k++) {
    bool found = false;
    for (int i = 0; i < ps->n; i++) found |= !strcmp(kwn[k]->name, ps->items[i]->name);
    if (!found) {
      diag_error(S->d, kwn[k]->loc, "%s() got an unexpected keyword argument '%s'", fn->name, kwn[k]->name);
      hint_signature(S, fn);
      return false;
    }
  }
  return true;
}

SVal call_jit(Sema *S, const Node *call, const Node *fn, SVal *args, int nargs, const Node *const *kwn, SVal *kw,
              int nkw) {
  if (!decorated_jit(fn)) {
    diag_error(S->d, call->loc, "'%s' is not a @triton.jit function and cannot be called from a kernel", fn->name);
    diag_hint(S->d, "decorate it with @triton.jit");
    return sv_err();
  }
  if (S->depth > 64) {
    diag_error(S->d, call->loc, "jit function calls nest more than 64 deep (recursion is not supported)");
    diag_hint(S->d, "write the recursion as a loop");
    return sv_err();
  }
  /* the body and the defaults see the globals of the file that defines the function */
  Scope *saved_gl = S->gl;
  S->gl = fn_home(S, fn);
  Scope local = {0};
  if (!bind_params(S, call, fn, &local, args, nargs, kwn, kw, nkw)) {
    S->gl = saved_gl;
    return sv_err();
  }
  Scope *saved_scope = S->scope;
  bool saved_ret = S->returned;
  SVal saved_val = S->ret;
  S->scope = &local;
  S->returned = false;
  S->ret = (SVal){.kind = SV_NONE};
  int saved_depth = S->block_depth, saved_if = S->runtime_if, saved_loop = S->runtime_loop;
  S->block_depth = 0;
  S->runtime_if = S->runtime_loop = 0;
  S->depth++;
  int shown = S->d->nshown;
  exec_block(S, &fn->body);
  /* an error inside a helper says which call of it led there (nested helpers: each level) */
  if (S->d->nshown > shown && call->loc.file)
    diag_note(S->d, "in %s(), called from %s:%d:%d", fn->name, call->loc.file->name, call->loc.line, call->loc.col);
  S->depth--;
  S->block_depth = saved_depth;
  S->runtime_if = saved_if;
  S->runtime_loop = saved_loop;
  SVal r = S->ret;
  S->scope = saved_scope;
  S->gl = saved_gl;
  S->returned = saved_ret;
  S->ret = saved_val;
  return r;
}

/* ---- module scope ---------------------------------------------------------------------------- */

static void bind_module(Sema *S, Scope *g, const char *name, const char *path) {
  bind(S, g, name, (SVal){.kind = SV_MODULE, .s = module_canonical(path)});
}

static void bind_usermod(Sema *S, Scope *g, const char *name, const ModImport *im) {
  if (im->mod) bind(S, g, name, (SVal){.kind = SV_USERMOD, .s = im->mod->file->name, .mod = mod_scope(S, im->mod)});
  else {
    bind(S, g, name, sv_err());
    find(g, name)->unresolved = im;
  }
}

/* `from m import a as b` where m is a kernel file: b refers to m's global a. */
static void bind_from(Sema *S, Scope *g, const char *as, const ModImport *im, const char *name) {
  bind(S, g, as, sv_err());
  Binding *b = find(g, as);
  if (im->mod) {
    b->from = mod_scope(S, im->mod);
    b->from_name = name;
  } else {
    b->unresolved = im;
  }
}

static void load_module_scope(Sema *S, ModScope *ms) {
  const Module *mod = ms->mod;
  Scope *g = &ms->scope;
  for (int i = 0; i < mod->body.n; i++) {
    const Node *n = mod->body.items[i];
    switch (n->kind) {
    case ND_IMPORT: {
      const ModImport *im = module_import(mod, n, NULL);
      const char *dot = strchr(n->name, '.');
      if (im && (im->mod || !module_known(n->name))) {
        /* a kernel file: `import helpers`, `import helpers as h` */
        if (n->alias || !dot) bind_usermod(S, g, n->alias ? n->alias : n->name, im);
      } else if (n->alias) {
        bind_module(S, g, n->alias, n->name);
      } else {
        /* "import triton.language" binds "triton" */
        const char *head = dot ? arena_strndup(S->a, n->name, (size_t)(dot - n->name)) : n->name;
        bind_module(S, g, head, head);
      }
      break;
    }
    case ND_IMPORTFROM: {
      const ModImport *file = module_import(mod, n, NULL);
      for (int k = 0; k < n->args.n; k++) {
        const Node *al = n->args.items[k];
        const char *as = al->alias ? al->alias : al->name;
        const char *full = arena_printf(S->a, "%s.%s", n->name, al->name);
        const ModImport *sub = module_import(mod, n, al->name);
        if (sub) bind_usermod(S, g, as, sub);
        else if (file && file->mod) bind_from(S, g, as, file, al->name);
        else if (module_known(full)) bind_module(S, g, as, full);
        else if (builtin_find(module_canonical(n->name), al->name))
          bind(S, g, as, (SVal){.kind = SV_BUILTIN, .b = builtin_find(module_canonical(n->name), al->name)});
        else if (module_known(n->name)) {
          SVal d = dtype_by_name(S, al->name);
          if (d.kind == SV_DTYPE) bind(S, g, as, d);
        } else if (file && strcmp(al->name, "*")) {
          bind_from(S, g, as, file, al->name); /* not found: an error only if a kernel uses it */
        }
        /* other imports (torch, host code) stay unbound: using them in a kernel reports
         * "not defined" */
      }
      break;
    }
    case ND_FUNCDEF:
      bind(S, g, n->name, (SVal){.kind = SV_FUNC, .fn = n});
      break;
    case ND_ASSIGN:
      for (int k = 0; k < n->args.n; k++)
        if (n->args.items[k]->kind == ND_NAME) {
          bind(S, g, n->args.items[k]->name, sv_err());
          find(g, n->args.items[k]->name)->lazy = n;
        }
      break;
    case ND_ANNASSIGN:
      if (n->b->kind == ND_NAME && n->a) {
        bind(S, g, n->b->name, sv_err());
        find(g, n->b->name)->lazy = n;
      }
      break;
    default:
      break;
    }
  }
  /* constexpr values written back as text ("triton.language.float32") must resolve even when
   * the file only imported triton.language under another name */
  if (!find(g, "triton")) bind_module(S, g, "triton", "triton");
}

/* The globals of kernel file `m`, loaded on first use. */
static ModScope *mod_scope(Sema *S, const Module *m) {
  ModScope **tail = &S->mods;
  for (; *tail; tail = &(*tail)->next)
    if ((*tail)->mod == m) return *tail;
  ModScope *ms = arena_alloc(S->a, sizeof *ms);
  ms->mod = m;
  *tail = ms; /* before loading: imports that cycle back find it */
  load_module_scope(S, ms);
  return ms;
}

/* The globals of the file that defines jit function `fn`. */
static Scope *fn_home(Sema *S, const Node *fn) {
  for (ModScope *ms = S->mods; ms; ms = ms->next)
    for (int i = 0; i < ms->mod->body.n; i++)
      if (ms->mod->body.items[i] == fn) return &ms->scope;
  return S->gl;
}

/* A Sema over the main file `mod`, its globals loaded. */
static Sema sema_new(Arena *a, Diag *d, const Module *mod) {
  Sema S = {.a = a, .d = d, .mod = mod};
  S.gl = &mod_scope(&S, mod)->scope;
  S.scope = S.gl;
  return S;
}

/* ---- entry points ------------------------------------------------------------------------------- */

static bool decorated_jit(const Node *fn) {
  for (int i = 0; i < fn->decorators.n; i++) {
    const Node *d = fn->decorators.items[i];
    if (d->kind == ND_CALL) d = d->a;
    if ((d->kind == ND_ATTR || d->kind == ND_NAME) && !strcmp(d->name, "jit")) return true;
  }
  return false;
}

static const Node *find_kernel(Diag *d, const Module *mod, const char **name) {
  const Node *found = NULL;
  for (int i = 0; i < mod->body.n; i++) {
    const Node *n = mod->body.items[i];
    if (n->kind != ND_FUNCDEF || !decorated_jit(n)) continue;
    if (*name ? !strcmp(n->name, *name) : true) found = n;
  }
  if (!found) {
    if (*name) {
      diag_error(d, (SrcLoc){mod->file, 0, 0}, "no @triton.jit function named '%s'", *name);
      StrBuf b = {0};
      for (int i = 0; i < mod->body.n; i++) {
        const Node *n = mod->body.items[i];
        if (n->kind == ND_FUNCDEF && decorated_jit(n)) sb_printf(&b, "%s%s", b.len ? ", " : "", n->name);
      }
      if (b.s) diag_hint(d, "the file's @triton.jit functions are: %s", b.s);
      else diag_hint(d, "the file has no @triton.jit function");
      sb_free(&b);
    } else {
      diag_error(d, (SrcLoc){mod->file, 0, 0}, "no @triton.jit function in this file");
      diag_hint(d, "decorate the kernel with @triton.jit (after `import triton`)");
    }
    return NULL;
  }
  *name = found->name;
  return found;
}

int sema_kernel_params(Arena *a, Diag *d, const Module *mod, const char **name, KernelParam **out) {
  const Node *fn = find_kernel(d, mod, name);
  if (!fn) return -1;
  KernelParam *ps = arena_alloc(a, sizeof(KernelParam) * (size_t)(fn->args.n + 1));
  for (int i = 0; i < fn->args.n; i++) {
    const Node *p = fn->args.items[i];
    ps[i].name = p->name;
    ps[i].constexpr_ = is_constexpr_annotation(p->c);
    ps[i].has_default = p->a != NULL;
  }
  *out = ps;
  return fn->args.n;
}

/* Evaluates a constexpr given as text ("1024", "tl.float32") in the module's scope. */
static SVal eval_text(Sema *S, const char *name, const char *text) {
  SrcFile *f = arena_alloc(S->a, sizeof(SrcFile));
  f->name = arena_printf(S->a, "<constexpr %s>", name);
  f->text = arena_printf(S->a, "%s\n", text);
  f->len = strlen(f->text);
  const Node *e = parse_expression(S->a, S->d, f);
  if (!e) return sv_err();
  Scope *saved = S->scope;
  S->scope = S->gl;
  S->in_default = true; /* host-side text: any global of the file may be named */
  SVal v = eval(S, e);
  S->in_default = false;
  S->scope = saved;
  if (v.kind == SV_VAL) {
    diag_error(S->d, (SrcLoc){f, 1, 1}, "the value of constexpr '%s' must be a compile-time value", name);
    diag_hint(S->d, "give a literal (128, 1e-6, True, \"str\") or an expression of constants (tl.float16, 2 ** 7)");
    return sv_err();
  }
  return v;
}

static const IrType *arg_type(IrModule *m, const ArgSpec *spec) {
  if (spec->dt == DT_PTR) return ir_ptr(m, ir_scalar(m, spec->elem));
  return ir_scalar(m, spec->dt);
}

/* Debug build of a kernel (device_assert checked): @triton.jit(debug=True), or the
 * environment's LIGER_KERNEL_DEBUG=1 (part of the binary cache key). */
static bool kernel_debug(Sema *S, const Node *fn) {
  const char *env = getenv("LIGER_KERNEL_DEBUG");
  if (env && *env && strcmp(env, "0")) return true;
  for (int i = 0; i < fn->decorators.n; i++) {
    const Node *dc = fn->decorators.items[i];
    if (dc->kind != ND_CALL || strcmp(dc->a->name ? dc->a->name : "", "jit")) continue;
    for (int k = 0; k < dc->kwargs.n; k++) {
      bool on = false;
      if (!strcmp(dc->kwargs.items[k]->name, "debug") && py_truthy(S, dc->loc, eval(S, dc->kwargs.items[k]->a), &on) && on)
        return true;
    }
  }
  return false;
}

IrModule *sema_build(Arena *a, Diag *d, const Module *mod, const char *name, const char *const *cnames,
                     const char *const *cvalues, int nconsts, const ArgSpec *args, int nargs, int num_warps) {
  const Node *fn = find_kernel(d, mod, &name);
  if (!fn) return NULL;
  Sema S = sema_new(a, d, mod);
  S.m = ir_module_new(a);
  S.debug = kernel_debug(&S, fn);

  IrFunc *f = arena_alloc(a, sizeof(IrFunc));
  f->name = fn->name;
  f->num_warps = num_warps > 0 ? num_warps : 4;
  f->body = ir_block_new(S.m);
  f->params = arena_alloc(a, sizeof(IrValue *) * (size_t)(fn->args.n + 1));
  f->param_names = arena_alloc(a, sizeof(char *) * (size_t)(fn->args.n + 1));
  S.m->func = f;
  S.b = (IrBuilder){.m = S.m, .block = f->body};

  Scope local = {0};
  int errors = d->nerrors;
  for (int k = 0; k < nconsts; k++) {
    bool found = false;
    for (int i = 0; i < fn->args.n; i++) {
      const Node *p = fn->args.items[i];
      if (strcmp(p->name, cnames[k])) continue;
      found = true;
      if (!is_constexpr_annotation(p->c)) {
        diag_error(d, p->loc, "'%s' is given as a constexpr but is not annotated tl.constexpr", p->name);
        diag_hint(d, "annotate it (`%s: tl.constexpr`), or give its type with --signature instead", p->name);
      }
    }
    if (!found) {
      diag_error(d, fn->loc, "%s() has no parameter named '%s'", fn->name, cnames[k]);
      StrBuf b = {0};
      for (int i = 0; i < fn->args.n; i++)
        if (is_constexpr_annotation(fn->args.items[i]->c)) sb_printf(&b, "%s%s", b.len ? ", " : "", fn->args.items[i]->name);
      diag_hint(d, "its tl.constexpr parameters are: %s", b.s ? b.s : "(none)");
      sb_free(&b);
    }
  }
  int next_arg = 0;
  for (int i = 0; i < fn->args.n; i++) {
    const Node *p = fn->args.items[i];
    if (is_constexpr_annotation(p->c)) {
      SVal v = sv_err();
      bool have = false;
      for (int k = 0; k < nconsts; k++)
        if (!strcmp(cnames[k], p->name)) {
          v = eval_text(&S, p->name, cvalues[k]);
          have = true;
        }
      if (!have && p->a) {
        S.in_default = true; /* Triton: a default may name any global */
        v = eval(&S, p->a);
        S.in_default = false;
        have = true;
      }
      if (!have) diag_error(d, p->loc, "constexpr parameter '%s' has no value: pass it with -D %s=VALUE", p->name, p->name);
      bind(&S, &local, p->name, v);
      continue;
    }
    if (next_arg >= nargs) {
      diag_error(d, p->loc, "no argument type was given for parameter '%s' (%d given)", p->name, nargs);
      diag_hint(d, "--signature lists the types of the runtime arguments in order, e.g. \"*fp32:16, i32\"");
      bind(&S, &local, p->name, sv_err());
      continue;
    }
    const ArgSpec *spec = &args[next_arg++];
    if (spec->equal_to_one) {
      bind(&S, &local, p->name, sv_int(1));
      continue;
    }
    IrValue *v = ir_value_new(S.m, arg_type(S.m, spec));
    v->index = f->nparams;
    v->divisibility = spec->divisibility > 0 ? spec->divisibility : 1;
    f->param_names[f->nparams] = p->name;
    f->params[f->nparams++] = v;
    bind(&S, &local, p->name, sv_val(v));
  }
  if (next_arg < nargs) {
    diag_error(d, fn->loc, "%s() takes %d runtime arguments but %d argument types were given", fn->name, next_arg, nargs);
    diag_hint(d, "--signature lists the types of the runtime arguments in order (tl.constexpr parameters are not in it)");
  }
  /* the body is analysed even after a parameter error: the parameters without a value are
   * poisoned, so only the body's own errors are added */
  S.scope = &local;
  exec_block(&S, &fn->body);
  if (d->nerrors > errors) return NULL;
  if (S.returned && S.ret.kind != SV_NONE) {
    diag_error(d, fn->loc, "a kernel cannot return a value");
    diag_hint(d, "store the result through a pointer argument with tl.store");
  }
  S.b.loc = fn->loc;
  ir_build(&S.b, OP_RETURN, NULL, 0, NULL);
  ir_dce(f);
  if (!ir_verify(f, d)) return NULL;
  return d->nerrors > errors ? NULL : S.m;
}

/* ---- decorators: @triton.autotune, @triton.heuristics ------------------------------------------ */

static const char *decorator_name(const Node *d) {
  if (d->kind == ND_CALL) d = d->a;
  return d->kind == ND_ATTR || d->kind == ND_NAME ? d->name : "";
}

/* A compile-time value as the Python literal that evaluates back to it. */
static bool literal_text(Sema *S, SrcLoc loc, SVal v, const char **out) {
  switch (v.kind) {
  case SV_INT: *out = arena_printf(S->a, "%lld", (long long)v.i); return true;
  case SV_BOOL: *out = v.i ? "True" : "False"; return true;
  case SV_NONE: *out = "None"; return true;
  case SV_FLOAT:
    if (isinf(v.f)) *out = v.f > 0 ? "float('inf')" : "-float('inf')";
    else if (isnan(v.f)) *out = "float('nan')";
    else {
      char *t = arena_printf(S->a, "%.17g", v.f);
      *out = strpbrk(t, ".en") ? t : arena_printf(S->a, "%s.0", t);
    }
    return true;
  case SV_STR: {
    StrBuf b = {0};
    sb_puts(&b, "'");
    for (const char *p = v.s; *p; p++) sb_printf(&b, *p == '\'' || *p == '\\' ? "\\%c" : "%c", *p);
    sb_puts(&b, "'");
    *out = arena_strdup(S->a, b.s);
    sb_free(&b);
    return true;
  }
  case SV_DTYPE:
    if (v.dt->dt != DT_PTR) {
      static const char *const names[] = {"int1", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                          "float16", "bfloat16", "float32", "float64"};
      *out = arena_printf(S->a, "triton.language.%s", names[v.dt->dt]);
      return true;
    }
    break;
  default:
    break;
  }
  if (v.kind != SV_ERR) {
    diag_unsupported(S->d, loc, "%s cannot be used as a constexpr value here", sv_kind_name(v));
    diag_hint(S->d, "use an int, a float, a bool, a string, None or a dtype");
  }
  return false;
}

static Sema module_sema(Arena *a, Diag *d, const Module *mod) {
  Sema S = sema_new(a, d, mod);
  S.m = ir_module_new(a);
  S.b = (IrBuilder){.m = S.m, .block = ir_block_new(S.m)};
  return S;
}

static bool read_config(Sema *S, const Node *c, TuneConfig *out) {
  memset(out, 0, sizeof *out);
  if (c->kind != ND_CALL || strcmp(decorator_name(c), "Config")) {
    diag_error(S->d, c->loc, "autotune configs must be triton.Config(...) calls");
    diag_hint(S->d, "e.g. configs=[triton.Config({'BLOCK': 128}, num_warps=4)]");
    return false;
  }
  const Node *kv = c->args.n ? c->args.items[0] : NULL;
  for (int i = 0; i < c->kwargs.n; i++)
    if (!strcmp(c->kwargs.items[i]->name, "kwargs")) kv = c->kwargs.items[i]->a;
  if (kv && kv->kind != ND_DICT) {
    diag_error(S->d, kv->loc, "triton.Config takes a dict of constexpr values");
    diag_hint(S->d, "e.g. triton.Config({'BLOCK': 128}, num_warps=4)");
    return false;
  }
  if (kv) {
    out->n = kv->args.n;
    out->names = arena_alloc(S->a, sizeof(char *) * (size_t)(out->n + 1));
    out->values = arena_alloc(S->a, sizeof(char *) * (size_t)(out->n + 1));
    for (int i = 0; i < kv->args.n; i++) {
      SVal key = eval(S, kv->args.items[i]), val = eval(S, kv->kwargs.items[i]);
      if (key.kind != SV_STR) {
        diag_error(S->d, kv->args.items[i]->loc, "triton.Config keys must be argument names");
        diag_hint(S->d, "write each key as a string: {'BLOCK': 128}");
        return false;
      }
      out->names[i] = key.s;
      if (!literal_text(S, kv->kwargs.items[i]->loc, val, &out->values[i])) return false;
    }
  }
  for (int i = 0; i < c->kwargs.n; i++) {
    const Node *k = c->kwargs.items[i];
    bool warps = !strcmp(k->name, "num_warps");
    if (!warps && strcmp(k->name, "num_stages")) continue; /* num_ctas, maxnreg, pre_hook: not used yet */
    SVal x = eval(S, k->a);
    if (x.kind != SV_INT) {
      diag_error(S->d, k->loc, "%s must be an int", k->name);
      diag_hint(S->d, "e.g. %s=4", k->name);
      return false;
    }
    if (warps) out->num_warps = (int)x.i;
    else out->num_stages = (int)x.i;
  }
  return true;
}

bool sema_kernel_decor(Arena *a, Diag *d, const Module *mod, const char *name, KernelDecor *out) {
  memset(out, 0, sizeof *out);
  const Node *fn = find_kernel(d, mod, &name);
  if (!fn) return false;
  Sema S = module_sema(a, d, mod);
  int errors = d->nerrors;
  for (int i = 0; i < fn->decorators.n; i++) {
    const Node *dec = fn->decorators.items[i];
    const char *dn = decorator_name(dec);
    if (!strcmp(dn, "autotune") && dec->kind == ND_CALL) {
      const Node *configs = dec->args.n ? dec->args.items[0] : NULL, *key = dec->args.n > 1 ? dec->args.items[1] : NULL;
      for (int k = 0; k < dec->kwargs.n; k++) {
        if (!strcmp(dec->kwargs.items[k]->name, "configs")) configs = dec->kwargs.items[k]->a;
        if (!strcmp(dec->kwargs.items[k]->name, "key")) key = dec->kwargs.items[k]->a;
      }
      if (!configs || (configs->kind != ND_LIST && configs->kind != ND_TUPLE)) {
        diag_error(d, dec->loc, "@triton.autotune needs configs=[triton.Config(...), ...]");
        continue;
      }
      out->nconfigs = configs->args.n;
      out->configs = arena_alloc(a, sizeof(TuneConfig) * (size_t)(out->nconfigs + 1));
      for (int k = 0; k < configs->args.n; k++) read_config(&S, configs->args.items[k], &out->configs[k]);
      if (key && (key->kind == ND_LIST || key->kind == ND_TUPLE)) {
        out->nkeys = key->args.n;
        out->keys = arena_alloc(a, sizeof(char *) * (size_t)(out->nkeys + 1));
        for (int k = 0; k < key->args.n; k++) out->keys[k] = key->args.items[k]->kind == ND_STR ? key->args.items[k]->name : "?";
      }
    } else if (!strcmp(dn, "heuristics") && dec->kind == ND_CALL) {
      const Node *values = dec->args.n ? dec->args.items[0] : NULL;
      for (int k = 0; k < dec->kwargs.n; k++)
        if (!strcmp(dec->kwargs.items[k]->name, "values")) values = dec->kwargs.items[k]->a;
      if (!values || values->kind != ND_DICT) {
        diag_error(d, dec->loc, "@triton.heuristics needs a dict {name: lambda args: ...}");
        continue;
      }
      int n = out->nheur + values->args.n;
      const char **names = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
      const Node **lams = arena_alloc(a, sizeof(Node *) * (size_t)(n + 1));
      for (int k = 0; k < out->nheur; k++) names[k] = out->heur_names[k], lams[k] = out->heur_lambdas[k];
      for (int k = 0; k < values->args.n; k++) {
        const Node *kn = values->args.items[k], *vn = values->kwargs.items[k];
        if (kn->kind != ND_STR || vn->kind != ND_LAMBDA || vn->args.n != 1) {
          diag_error(d, vn->loc, "each heuristic must be \"NAME\": lambda args: ...");
          continue;
        }
        names[out->nheur] = kn->name;
        lams[out->nheur++] = vn;
      }
      out->heur_names = names;
      out->heur_lambdas = lams;
    } else if (strcmp(dn, "jit")) {
      diag_unsupported(d, dec->loc, "the decorator '%s' is not supported on kernels", dn);
      diag_hint(d, "kernels take @triton.jit, @triton.autotune and @triton.heuristics");
    }
  }
  return d->nerrors == errors;
}

bool sema_eval_heuristic(Arena *a, Diag *d, const Module *mod, const Node *lambda, const LaunchArg *args, int nargs,
                         char *out, size_t n) {
  Sema S = module_sema(a, d, mod);
  int errors = d->nerrors;
  SVal dict = {.kind = SV_DICT, .n = nargs};
  dict.keys = arena_alloc(a, sizeof(char *) * (size_t)(nargs + 1));
  dict.items = arena_alloc(a, sizeof(SVal) * (size_t)(nargs + 1));
  for (int i = 0; i < nargs; i++) {
    dict.keys[i] = args[i].name;
    switch (args[i].kind) {
    case LA_INT: dict.items[i] = sv_int(args[i].i); break;
    case LA_FLOAT: dict.items[i] = sv_float(args[i].f); break;
    case LA_BOOL: dict.items[i] = sv_bool(args[i].i); break;
    case LA_LITERAL: dict.items[i] = eval_text(&S, args[i].name, args[i].text); break;
    default: dict.items[i] = (SVal){.kind = SV_NONE}; break; /* pointers: no value at compile time */
    }
  }
  Scope local = {0};
  S.scope = &local;
  bind(&S, &local, lambda->args.items[0]->name, dict);
  SVal v = eval(&S, lambda->a);
  const char *text = NULL;
  if (d->nerrors == errors && literal_text(&S, lambda->loc, v, &text)) snprintf(out, n, "%s", text);
  return d->nerrors == errors && text;
}
