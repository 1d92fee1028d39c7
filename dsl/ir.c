/*
 * ir.c — the tile IR's data structures: type interning, the builder, the text printer,
 * the verifier and dead-code elimination. The op table in ir.h drives all of them.
 */
#include "ir.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

const IrOpInfo ir_op_info[OP_COUNT] = {
#define X(e, s, c) {s, c},
    IR_OPS(X)
#undef X
};

static const char *const dt_names[DT_COUNT] = {"i1", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
                                               "fp16", "bf16", "fp32", "fp64", "ptr"};
static const int dt_bits[DT_COUNT] = {1, 8, 16, 32, 64, 8, 16, 32, 64, 16, 16, 32, 64, 64};

const char *dtype_name(DType dt) { return dt < DT_COUNT ? dt_names[dt] : "?"; }
int dtype_bits(DType dt) { return dt < DT_COUNT ? dt_bits[dt] : 0; }
bool dtype_is_float(DType dt) { return dt >= DT_F16 && dt <= DT_F64; }
bool dtype_is_int(DType dt) { return dt <= DT_U64; }
bool dtype_is_signed(DType dt) { return dt >= DT_I8 && dt <= DT_I64; }

IrModule *ir_module_new(Arena *a) {
  IrModule *m = arena_alloc(a, sizeof(IrModule));
  m->arena = a;
  return m;
}

static const IrType *intern(IrModule *m, const IrType *t) {
  for (int i = 0; i < m->types.n; i++) {
    const IrType *u = m->types.items[i];
    if (u->dt == t->dt && u->pointee == t->pointee && u->rank == t->rank &&
        !memcmp(u->shape, t->shape, sizeof(int64_t) * (size_t)t->rank))
      return u;
  }
  IrType *n = arena_alloc(m->arena, sizeof(IrType));
  *n = *t;
  n->numel = 1;
  for (int i = 0; i < n->rank; i++) n->numel *= n->shape[i];
  vec_push(m->arena, &m->types, n);
  return n;
}

const IrType *ir_scalar(IrModule *m, DType dt) {
  IrType t = {.dt = dt};
  return intern(m, &t);
}

const IrType *ir_ptr(IrModule *m, const IrType *pointee) {
  IrType t = {.dt = DT_PTR, .pointee = pointee};
  return intern(m, &t);
}

const IrType *ir_block(IrModule *m, const IrType *elem, int rank, const int64_t *shape) {
  IrType t = {.dt = elem->dt, .pointee = elem->pointee, .rank = rank};
  for (int i = 0; i < rank; i++) t.shape[i] = shape[i];
  return intern(m, &t);
}

const IrType *ir_elem(IrModule *m, const IrType *t) {
  if (t->rank == 0) return t;
  IrType e = {.dt = t->dt, .pointee = t->pointee};
  return intern(m, &e);
}

const IrType *ir_with_elem(IrModule *m, const IrType *shape_of, const IrType *elem) {
  return shape_of->rank ? ir_block(m, elem, shape_of->rank, shape_of->shape) : elem;
}

bool ir_same_shape(const IrType *a, const IrType *b) {
  return a->rank == b->rank && !memcmp(a->shape, b->shape, sizeof(int64_t) * (size_t)a->rank);
}

static void elem_str(StrBuf *b, const IrType *t) {
  if (t->dt == DT_PTR) {
    sb_puts(b, "*");
    elem_str(b, t->pointee);
  } else {
    sb_puts(b, dtype_name(t->dt));
  }
}

void ir_type_str(StrBuf *b, const IrType *t) {
  if (!t->rank) {
    elem_str(b, t);
    return;
  }
  sb_puts(b, "<");
  for (int i = 0; i < t->rank; i++) sb_printf(b, "%" PRId64 "x", t->shape[i]);
  elem_str(b, t);
  sb_puts(b, ">");
}

IrValue *ir_value_new(IrModule *m, const IrType *t) {
  IrValue *v = arena_alloc(m->arena, sizeof(IrValue));
  v->id = m->next_id++;
  v->type = t;
  v->divisibility = 1;
  return v;
}

IrBlock *ir_block_new(IrModule *m) { return arena_alloc(m->arena, sizeof(IrBlock)); }

IrOp *ir_op_new(IrModule *m, IrOpKind kind, int nopnds, int nres, int nregions) {
  IrOp *op = arena_alloc(m->arena, sizeof(IrOp));
  op->kind = kind;
  op->nopnds = nopnds;
  op->opnds = nopnds ? arena_alloc(m->arena, sizeof(IrValue *) * (size_t)nopnds) : NULL;
  op->nres = nres;
  op->res = nres ? arena_alloc(m->arena, sizeof(IrValue *) * (size_t)nres) : NULL;
  op->nregions = nregions;
  op->regions = nregions ? arena_alloc(m->arena, sizeof(IrBlock *) * (size_t)nregions) : NULL;
  return op;
}

void ir_append(IrBlock *b, IrOp *op) {
  op->parent = b;
  op->prev = b->last;
  op->next = NULL;
  if (b->last) b->last->next = op;
  else b->first = op;
  b->last = op;
}

IrOp *ir_build(IrBuilder *b, IrOpKind kind, const IrType *t, int nopnds, IrValue **opnds) {
  IrOp *op = ir_op_new(b->m, kind, nopnds, t ? 1 : 0, 0);
  op->loc = b->loc;
  for (int i = 0; i < nopnds; i++) op->opnds[i] = opnds[i];
  if (t) {
    op->res[0] = ir_value_new(b->m, t);
    op->res[0]->def = op;
  }
  ir_append(b->block, op);
  return op;
}

IrValue *ir_build1(IrBuilder *b, IrOpKind kind, const IrType *t, IrValue *x) {
  return ir_build(b, kind, t, 1, &x)->res[0];
}

IrValue *ir_build2(IrBuilder *b, IrOpKind kind, const IrType *t, IrValue *x, IrValue *y) {
  IrValue *o[2] = {x, y};
  return ir_build(b, kind, t, 2, o)->res[0];
}

IrValue *ir_const_int(IrBuilder *b, const IrType *t, int64_t v) {
  IrOp *op = ir_build(b, OP_CONST, t, 0, NULL);
  op->i = v;
  return op->res[0];
}

IrValue *ir_const_float(IrBuilder *b, const IrType *t, double v) {
  IrOp *op = ir_build(b, OP_CONST, t, 0, NULL);
  op->f = v;
  return op->res[0];
}

/* ---- printer ---------------------------------------------------------------------------- */

static const char *const cmp_names[] = {"eq", "ne", "lt", "le", "gt", "ge"};
bool ir_is_elementwise(const IrOp *op) {
  OpClass c = ir_op_info[op->kind].cls;
  return c == OC_UNARY || c == OC_BINARY || c == OC_TERNARY || op->kind == OP_CMP || op->kind == OP_SELECT ||
         op->kind == OP_CAST || op->kind == OP_ADDPTR || op->kind == OP_EXTERN;
}

static const char *const hint_names[] = {"multiple_of", "max_contiguous", "max_constancy"};

/* A string attribute, quoted, with C escapes: the dump stays one line per op. */
static void print_str(StrBuf *out, const char *s) {
  sb_puts(out, " \"");
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\') sb_printf(out, "\\%c", *p);
    else if (*p == '\n') sb_puts(out, "\\n");
    else if (*p < 32 || *p == 127) sb_printf(out, "\\x%02x", *p);
    else sb_printf(out, "%c", *p);
  }
  sb_puts(out, "\"");
}
static const char *const red_names[] = {"sum", "max", "min", "xor_sum", "prod", "combine"};
static const char *const cache_names[] = {"", ".ca", ".cg", ".cv", ".wb", ".cs", ".wt"};
static const char *const evict_names[] = {"", "evict_first", "evict_last"};
static const char *const atomic_names[] = {"add", "max", "min", "and", "or", "xor", "xchg"};
static const char *const sem_names[] = {"acq_rel", "acquire", "release", "relaxed"};
static const char *const scope_names[] = {"gpu", "cta", "sys"};

static void print_block(StrBuf *out, const IrBlock *b, int indent, IrAnnot annot, void *ctx);

static void print_float(StrBuf *out, double f) {
  if (isinf(f)) sb_puts(out, f > 0 ? "inf" : "-inf");
  else if (isnan(f)) sb_puts(out, "nan");
  else sb_printf(out, "%.17g", f);
}

static void print_op(StrBuf *out, const IrOp *op, int indent, IrAnnot annot, void *ctx) {
  sb_printf(out, "%*s", indent, "");
  for (int i = 0; i < op->nres; i++) sb_printf(out, "%s%%%d", i ? ", " : "", op->res[i]->id);
  if (op->nres) sb_puts(out, " = ");
  sb_puts(out, ir_op_info[op->kind].name);
  switch (op->kind) {
  case OP_CONST:
    if (dtype_is_float(op->res[0]->type->dt)) { sb_puts(out, " "); print_float(out, op->f); }
    else sb_printf(out, " %" PRId64, op->i);
    break;
  case OP_PROGRAM_ID: case OP_NUM_PROGRAMS: case OP_EXPAND_DIMS:
    sb_printf(out, " %" PRId64, op->i);
    break;
  case OP_TRANS:
    sb_puts(out, " [");
    for (int d = 0; d < op->res[0]->type->rank; d++) sb_printf(out, "%s%d", d ? "," : "", (int)((op->i >> (4 * d)) & 15));
    sb_puts(out, "]");
    break;
  case OP_ARANGE:
    sb_printf(out, " %" PRId64 ", %" PRId64, op->i, op->i2);
    break;
  case OP_CMP:
    sb_printf(out, " %s", cmp_names[op->i]);
    break;
  case OP_REDUCE: case OP_SCAN:
    sb_printf(out, " %s axis=%" PRId64 "%s", red_names[op->i2], op->i, op->kind == OP_SCAN && op->flags ? " reverse" : "");
    break;
  case OP_ATOMIC_RMW:
    sb_printf(out, " %s", atomic_names[op->i]);
    /* fallthrough */
  case OP_ATOMIC_CAS:
    sb_printf(out, " %s %s", sem_names[op->i2], scope_names[op->flags >> MEM_SCOPE_SHIFT]);
    break;
  case OP_CAST:
    if (op->i) sb_puts(out, " bitcast");
    break;
  case OP_HINT:
    sb_printf(out, " %s[%d]=%" PRId64, hint_names[op->i & 0xff], (int)(op->i >> 8), op->i2);
    break;
  case OP_EXTERN:
    print_str(out, op->str);
    break;
  case OP_PRINT:
    print_str(out, op->str);
    if (op->i) sb_puts(out, " hex");
    break;
  case OP_ASSERT:
    print_str(out, op->str);
    break;
  case OP_MIN: case OP_MAX:
    if (op->i) sb_puts(out, " propagate_nan");
    break;
  case OP_DIV:
    if (op->i) sb_puts(out, " ieee");
    break;
  default:
    break;
  }
  for (int i = 0; i < op->nopnds; i++) sb_printf(out, "%s%%%d", i ? ", " : " ", op->opnds[i]->id);
  if (op->kind == OP_LOAD || op->kind == OP_STORE) {
    if (op->i) sb_printf(out, " cache=%s", cache_names[op->i]);
    if (op->i2) sb_printf(out, " evict=%s", evict_names[op->i2]);
    if (op->flags & MEM_VOLATILE) sb_puts(out, " volatile");
  }
  if (op->nres) {
    sb_puts(out, " : ");
    ir_type_str(out, op->res[0]->type);
    for (int i = 1; i < op->nres; i++) {
      sb_puts(out, ", ");
      ir_type_str(out, op->res[i]->type);
    }
  }
  if (annot && op->nres) {
    sb_puts(out, "  //");
    for (int i = 0; i < op->nres; i++) annot(out, op->res[i], ctx);
  }
  if (op->nregions) {
    sb_puts(out, " {\n");
    for (int r = 0; r < op->nregions; r++) {
      if (r) sb_printf(out, "%*s} %s {\n", indent, "", op->kind == OP_WHILE ? "do" : "else");
      print_block(out, op->regions[r], indent + 2, annot, ctx);
    }
    sb_printf(out, "%*s}", indent, "");
  }
  sb_puts(out, "\n");
}

static void print_block(StrBuf *out, const IrBlock *b, int indent, IrAnnot annot, void *ctx) {
  if (b->nargs) {
    sb_printf(out, "%*s^(", indent, "");
    for (int i = 0; i < b->nargs; i++) {
      sb_printf(out, "%s%%%d: ", i ? ", " : "", b->args[i]->id);
      ir_type_str(out, b->args[i]->type);
    }
    sb_puts(out, ")\n");
  }
  for (const IrOp *op = b->first; op; op = op->next) print_op(out, op, indent, annot, ctx);
}

void ir_print(StrBuf *out, const IrFunc *f, IrAnnot annot, void *ctx) {
  sb_printf(out, "func @%s(", f->name);
  for (int i = 0; i < f->nparams; i++) {
    const IrValue *p = f->params[i];
    sb_printf(out, "%s%%%d: ", i ? ", " : "", p->id);
    ir_type_str(out, p->type);
    if (p->divisibility > 1) sb_printf(out, " {div=%" PRId64 "}", p->divisibility);
    if (f->param_names) sb_printf(out, " \"%s\"", f->param_names[i]);
  }
  sb_printf(out, ") num_warps=%d {\n", f->num_warps);
  print_block(out, f->body, 2, annot, ctx);
  sb_puts(out, "}\n");
}

/* ---- verifier --------------------------------------------------------------------------- */

typedef struct Verifier {
  Diag *d;
  const IrFunc *f;
  bool ok;
} Verifier;

static void vfail(Verifier *V, const IrOp *op, const char *what) {
  V->ok = false;
  StrBuf b = {0};
  if (op) {
    print_op(&b, op, 0, NULL, NULL);
    if (b.len && b.s[b.len - 1] == '\n') b.s[--b.len] = 0;
  }
  diag_error(V->d, op ? op->loc : (SrcLoc){0}, "internal error: invalid tile IR: %s%s%s", what,
             op ? " in: " : "", op ? b.s : "");
  sb_free(&b);
}

static void verify_block(Verifier *V, const IrBlock *b) {
  for (const IrOp *op = b->first; op; op = op->next) {
    if (op->parent != b) vfail(V, op, "op linked into the wrong block");
    for (int i = 0; i < op->nopnds; i++)
      if (!op->opnds[i] || !op->opnds[i]->type) vfail(V, op, "missing operand");
    for (int i = 0; i < op->nres; i++)
      if (!op->res[i] || op->res[i]->def != op) vfail(V, op, "result not owned by its op");
    if (!V->ok) return;
    const IrType *t = op->nres ? op->res[0]->type : NULL;
    switch (ir_op_info[op->kind].cls) {
    case OC_UNARY: case OC_BINARY: case OC_TERNARY:
      for (int i = 0; i < op->nopnds; i++)
        if (op->opnds[i]->type != t) vfail(V, op, "elementwise operand type differs from the result type");
      break;
    default:
      break;
    }
    switch (op->kind) {
    case OP_CMP:
      if (op->opnds[0]->type != op->opnds[1]->type) vfail(V, op, "compared values differ in type");
      if (t->dt != DT_I1 || !ir_same_shape(t, op->opnds[0]->type)) vfail(V, op, "cmp result must be i1 of the operand shape");
      break;
    case OP_HINT:
      if (op->opnds[0]->type != t || op->i2 < 1 || (op->i >> 8) >= (t->rank ? t->rank : 1))
        vfail(V, op, "hint must keep its operand's type and name a dim of it with a positive value");
      break;
    case OP_ASSERT:
      if (op->opnds[0]->type->dt != DT_I1) vfail(V, op, "assert needs an i1 condition");
      break;
    case OP_SELECT:
      if (op->opnds[0]->type->dt != DT_I1 || op->opnds[1]->type != t || op->opnds[2]->type != t)
        vfail(V, op, "select needs an i1 condition and two values of the result type");
      break;
    case OP_ADDPTR:
      if (op->opnds[0]->type != t || t->dt != DT_PTR || !dtype_is_int(op->opnds[1]->type->dt) ||
          !ir_same_shape(t, op->opnds[1]->type))
        vfail(V, op, "addptr needs a pointer and an integer offset of the same shape");
      break;
    case OP_LOAD: {
      const IrType *p = op->opnds[0]->type;
      if (p->dt != DT_PTR || !ir_same_shape(p, t) || p->pointee->dt != t->dt) vfail(V, op, "load type does not match the pointer");
      int want = 1 + !!(op->flags & MEM_MASK) + !!(op->flags & MEM_OTHER);
      if (op->nopnds != want) vfail(V, op, "load operand count does not match its flags");
      break;
    }
    case OP_STORE: {
      const IrType *p = op->opnds[0]->type, *v = op->opnds[1]->type;
      if (p->dt != DT_PTR || !ir_same_shape(p, v) || p->pointee->dt != v->dt) vfail(V, op, "store value does not match the pointer");
      break;
    }
    case OP_SPLAT:
      if (op->opnds[0]->type->rank != 0 || t->rank == 0) vfail(V, op, "splat takes a scalar to a block");
      break;
    case OP_TRANS: case OP_RESHAPE:
      if (op->opnds[0]->type->numel != t->numel || op->opnds[0]->type->dt != t->dt) vfail(V, op, "trans/reshape keep the elements");
      break;
    case OP_DOT: {
      const IrType *a = op->opnds[0]->type, *b = op->opnds[1]->type, *c = op->opnds[2]->type;
      if (a->rank != 2 || b->rank != 2 || c != t || a->shape[1] != b->shape[0] || c->shape[0] != a->shape[0] ||
          c->shape[1] != b->shape[1] || a->dt != b->dt)
        vfail(V, op, "dot needs a [M,K], b [K,N] of one dtype and an accumulator [M,N] of the result type");
      break;
    }
    case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: {
      const IrType *p = op->opnds[0]->type;
      if (p->dt != DT_PTR || !ir_same_shape(p, t) || p->pointee->dt != t->dt) vfail(V, op, "atomic type does not match the pointer");
      for (int i = 1; i < op->nopnds - ((op->flags & MEM_MASK) ? 1 : 0); i++)
        if (op->opnds[i]->type != t) vfail(V, op, "atomic operand type differs from the result");
      break;
    }
    case OP_REDUCE: case OP_SCAN: {
      int drop = op->kind == OP_REDUCE;
      if (op->nres != op->nopnds) vfail(V, op, "one result per input");
      for (int k = 0; k < op->nopnds && V->ok; k++) {
        const IrType *in = op->opnds[k]->type, *out = op->res[k]->type;
        if (in->rank != out->rank + drop || in->dt != out->dt || !ir_same_shape(in, op->opnds[0]->type))
          vfail(V, op, op->kind == OP_REDUCE ? "reduce must drop one dimension of same-shaped inputs" : "scan keeps its input types");
      }
      if ((op->i2 == RED_CUSTOM) != (op->nregions == 1)) vfail(V, op, "a combine region exactly when the kind is custom");
      if (op->nregions == 1 && V->ok) {
        const IrBlock *r = op->regions[0];
        if (r->nargs != 2 * op->nopnds || !r->last || r->last->kind != OP_YIELD || r->last->nopnds != op->nopnds)
          vfail(V, op, "the combine region takes 2n scalars and yields n");
      }
      break;
    }
    case OP_FOR: case OP_WHILE: case OP_IF: {
      int first = op->kind == OP_FOR ? 3 : 0, nin = op->kind == OP_IF ? 0 : op->nopnds - first;
      if (op->kind != OP_IF && nin != op->nres) vfail(V, op, "loop must have one result per carried value");
      for (int r = 0; r < op->nregions && V->ok; r++) {
        const IrBlock *b = op->regions[r];
        int lead = op->kind == OP_FOR ? 1 : 0;
        if (op->kind != OP_IF && b->nargs != lead + nin) vfail(V, op, "region arguments do not match the carried values");
        for (int k = 0; k < nin && V->ok; k++)
          if (b->args[lead + k]->type != op->opnds[first + k]->type) vfail(V, op, "region argument type differs from its initial value");
        const IrOp *term = b->last;
        bool want_cond = op->kind == OP_WHILE && r == 0;
        if (!term || term->kind != (want_cond ? OP_CONDITION : OP_YIELD)) {
          vfail(V, op, want_cond ? "a while's first region must end in condition" : "a region must end in yield");
          break;
        }
        int off = want_cond;
        if (term->nopnds - off != op->nres) vfail(V, op, "terminator operand count differs from the op's results");
        for (int k = 0; k < op->nres && V->ok; k++)
          if (term->opnds[off + k]->type != op->res[k]->type) vfail(V, op, "terminator value type differs from the result type");
      }
      break;
    }
    default:
      break;
    }
    for (int r = 0; r < op->nregions; r++) verify_block(V, op->regions[r]);
  }
}

bool ir_verify(const IrFunc *f, Diag *d) {
  Verifier V = {.d = d, .f = f, .ok = true};
  verify_block(&V, f->body);
  return V.ok;
}

/* ---- use counts and DCE ------------------------------------------------------------------- */

static void count_block(IrBlock *b) {
  for (int i = 0; i < b->nargs; i++) b->args[i]->nuses = 0;
  for (IrOp *op = b->first; op; op = op->next) {
    for (int i = 0; i < op->nres; i++) op->res[i]->nuses = 0;
    for (int i = 0; i < op->nopnds; i++) op->opnds[i]->nuses++;
    for (int r = 0; r < op->nregions; r++) count_block(op->regions[r]);
  }
}

void ir_count_uses(IrFunc *f) {
  for (int i = 0; i < f->nparams; i++) f->params[i]->nuses = 0;
  count_block(f->body); /* a def precedes its uses, so zeroing at the def is enough */
}

static bool has_effect(const IrOp *op) {
  switch (op->kind) {
  case OP_STORE: case OP_FOR: case OP_IF: case OP_WHILE: case OP_YIELD: case OP_CONDITION: case OP_RETURN:
  case OP_ATOMIC_RMW: case OP_ATOMIC_CAS:
  case OP_BARRIER: case OP_PRINT: case OP_ASSERT:
    return true;
  case OP_LOAD:
    return op->flags & MEM_VOLATILE;
  default:
    return false;
  }
}

static bool dce_block(IrBlock *b) {
  bool changed = false;
  for (IrOp *op = b->last, *prev; op; op = prev) {
    prev = op->prev;
    for (int r = 0; r < op->nregions; r++) changed |= dce_block(op->regions[r]);
    if (has_effect(op)) continue;
    bool used = false;
    for (int i = 0; i < op->nres; i++) used |= op->res[i]->nuses > 0;
    if (used) continue;
    for (int i = 0; i < op->nopnds; i++) op->opnds[i]->nuses--;
    if (op->prev) op->prev->next = op->next;
    else b->first = op->next;
    if (op->next) op->next->prev = op->prev;
    else b->last = op->prev;
    changed = true;
  }
  return changed;
}

void ir_dce(IrFunc *f) {
  ir_count_uses(f);
  while (dce_block(f->body)) {
  }
  ir_count_uses(f);
}
