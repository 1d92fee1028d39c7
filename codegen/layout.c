/*
 * layout.c — first stage of the back end: axis analysis and layout assignment.
 *
 * Axis analysis (as Triton's AxisInfo) tracks contiguity, divisibility and constancy of
 * integer and pointer tiles, so that loads and stores of contiguous, aligned data become
 * 128-bit accesses. Layouts: every tile shape gets one blocked "anchor" layout, sized so
 * each thread owns a 16-byte run of the fastest dimension where memory ops allow it;
 * reductions produce slice layouts of their input, and expand_dims of a slice returns to
 * the parent. Memory ops, reductions and dots want their tiles in the anchor layout, and
 * those wishes flow backward to the producers (slices for the 1-D index vectors of 2-D
 * tiles), so the common patterns need no layout conversion.
 */
#include "codegen.h"

#include <inttypes.h>
#include <string.h>

#define DIV_MAX ((int64_t)1 << 30)

static int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int64_t pow2_factor(int64_t v) {
  if (v == 0) return DIV_MAX;
  int64_t p = 1;
  while (!(v & p) && p < DIV_MAX) p <<= 1;
  return p;
}

static int64_t dim(const IrType *t, int d) { return t->rank ? t->shape[d] : 1; }

/* Bytes per element in memory (int1 is stored as one byte). */
static int elem_bytes(DType dt) { return dt == DT_I1 ? 1 : dtype_bits(dt) / 8; }

typedef struct LayoutPass {
  Arena *a;
  const Target *t;
  IrFunc *f;
  int threads;
  PtrVec anchors; /* Layout* per distinct shape, parallel to anchor_types */
  PtrVec anchor_types;
  PtrVec infos;   /* every Info, to start each round afresh */
  bool use_wants; /* assignment honours the wanted layouts (every round but the first) */
  bool changed;   /* a wish was recorded in this sweep */
} LayoutPass;

/* What the pass keeps per value: the lowering reads v->aux as the ValInfo at its start. */
typedef struct Info {
  ValInfo vi;
  const Layout *want; /* the layout its users would like it in (first wish wins) */
  const Layout *want2; /* the first other layout a user wished for */
  const Layout *prev; /* its layout in the previous round */
} Info;

static Info *xinfo(LayoutPass *P, IrValue *v) {
  if (!v->aux) {
    v->aux = arena_alloc(P->a, sizeof(Info));
    vec_push(P->a, &P->infos, v->aux);
  }
  return v->aux;
}

static ValInfo *info(LayoutPass *P, IrValue *v) { return &xinfo(P, v)->vi; }

/* Unknown: nothing assumed. */
static void ax_unknown(AxisInfo *ax, const IrType *t) {
  for (int d = 0; d < IR_MAX_RANK; d++) {
    ax->contig[d] = 1;
    ax->div[d] = 1;
    ax->constancy[d] = 1;
  }
  (void)t;
}

/* A value equal over the whole tile. */
static void ax_uniform(AxisInfo *ax, const IrType *t, int64_t div) {
  for (int d = 0; d < IR_MAX_RANK; d++) {
    ax->contig[d] = 1;
    ax->div[d] = div;
    ax->constancy[d] = dim(t, d);
  }
}

static void axis_op(LayoutPass *P, IrOp *op) {
  if (!op->nres) return;
  IrValue *r = op->res[0];
  const IrType *t = r->type;
  AxisInfo *ax = &info(P, r)->ax;
  AxisInfo *a0 = op->nopnds > 0 ? &info(P, op->opnds[0])->ax : NULL;
  AxisInfo *a1 = op->nopnds > 1 ? &info(P, op->opnds[1])->ax : NULL;
  ax_unknown(ax, t);
  switch (op->kind) {
  case OP_CONST:
    ax_uniform(ax, t, dtype_is_int(t->dt) ? pow2_factor(op->i) : 1);
    break;
  case OP_PROGRAM_ID: case OP_NUM_PROGRAMS:
    ax_uniform(ax, t, 1);
    break;
  case OP_ARANGE:
    ax->contig[0] = t->shape[0];
    ax->div[0] = pow2_factor(op->i);
    break;
  case OP_SPLAT:
    ax_uniform(ax, t, a0->div[0]);
    break;
  case OP_EXPAND_DIMS: {
    /* The new size-1 dim holds every element of the operand on its own, so its divisibility
     * is what divides all of them: a contiguous run (consecutive integers) gives 1; div[]
     * otherwise speaks of each element (a run of one) or of a constant run. */
    int64_t every = DIV_MAX;
    for (int s = 0; s < (op->opnds[0]->type->rank ? op->opnds[0]->type->rank : 1); s++) {
      int64_t e = a0->contig[s] > 1 ? 1 : a0->div[s];
      if (e < every) every = e;
    }
    for (int d = 0, s = 0; d < t->rank; d++) {
      if (d == op->i) {
        ax->contig[d] = 1;
        ax->div[d] = every;
        ax->constancy[d] = 1;
      } else {
        ax->contig[d] = a0->contig[s];
        ax->div[d] = a0->div[s];
        ax->constancy[d] = a0->constancy[s];
        s++;
      }
    }
    break;
  }
  case OP_BROADCAST: {
    const IrType *src = op->opnds[0]->type;
    for (int d = 0; d < t->rank; d++) {
      bool grows = src->shape[d] == 1 && t->shape[d] != 1;
      ax->contig[d] = grows ? 1 : a0->contig[d];
      ax->div[d] = a0->div[d];
      ax->constancy[d] = grows ? t->shape[d] : a0->constancy[d];
    }
    break;
  }
  case OP_CAST:
    if (dtype_is_int(t->dt) && dtype_is_int(op->opnds[0]->type->dt) && !op->i) *ax = *a0;
    /* a pointer to elements of the same size (an int1 pointer read as int8) keeps its facts */
    if (t->dt == DT_PTR && op->opnds[0]->type->dt == DT_PTR &&
        elem_bytes(t->pointee->dt) == elem_bytes(op->opnds[0]->type->pointee->dt))
      *ax = *a0;
    break;
  case OP_HINT: { /* the user's promise, on top of what is known */
    *ax = *a0;
    int d = (int)(op->i >> 8);
    int64_t k = op->i2, extent = dim(t, d);
    switch ((HintKind)(op->i & 0xff)) {
    case HINT_MULTIPLE_OF: if (pow2_factor(k) > ax->div[d]) ax->div[d] = pow2_factor(k); break;
    case HINT_MAX_CONTIGUOUS: if (k > ax->contig[d]) ax->contig[d] = k < extent ? k : extent; break;
    case HINT_MAX_CONSTANCY: if (k > ax->constancy[d]) ax->constancy[d] = k < extent ? k : extent; break;
    }
    break;
  }
  case OP_ADD: case OP_SUB: case OP_ADDPTR: {
    int64_t scale = op->kind == OP_ADDPTR ? elem_bytes(t->pointee->dt) : 1;
    for (int d = 0; d < (t->rank ? t->rank : 1); d++) {
      int64_t c = a1->contig[d] > a0->contig[d] ? gcd64(a1->contig[d], a0->constancy[d])
                                                : gcd64(a0->contig[d], a1->constancy[d]);
      if (op->kind == OP_SUB && a1->contig[d] > 1) c = 1; /* x - arange runs backwards */
      ax->contig[d] = c > 0 ? c : 1;
      int64_t d1 = a1->div[d] >= DIV_MAX ? DIV_MAX : a1->div[d] * scale;
      ax->div[d] = gcd64(a0->div[d], d1);
      ax->constancy[d] = gcd64(a0->constancy[d], a1->constancy[d]);
    }
    break;
  }
  case OP_MUL:
    for (int d = 0; d < (t->rank ? t->rank : 1); d++) {
      int64_t dv = a0->div[d] * a1->div[d];
      ax->div[d] = dv > DIV_MAX || dv <= 0 ? DIV_MAX : dv;
      ax->constancy[d] = gcd64(a0->constancy[d], a1->constancy[d]);
      /* x * 1 keeps contiguity */
      const IrOp *c0 = op->opnds[0]->def, *c1 = op->opnds[1]->def;
      if (c1 && c1->kind == OP_CONST && c1->i == 1) ax->contig[d] = a0->contig[d];
      if (c0 && c0->kind == OP_CONST && c0->i == 1) ax->contig[d] = a1->contig[d];
    }
    break;
  case OP_CMP:
    for (int d = 0; d < (t->rank ? t->rank : 1); d++) {
      int64_t k = gcd64(a0->constancy[d], a1->constancy[d]);
      /* a contiguous run compared with a splat threshold is constant over aligned groups */
      if (a1->constancy[d] == dim(t, d) && a0->contig[d] > 1)
        k = gcd64(gcd64(a0->contig[d], a0->div[d]), a1->div[d]);
      else if (a0->constancy[d] == dim(t, d) && a1->contig[d] > 1)
        k = gcd64(gcd64(a1->contig[d], a1->div[d]), a0->div[d]);
      ax->constancy[d] = k > 0 ? k : 1;
    }
    break;
  case OP_AND: case OP_OR: case OP_XOR: case OP_SELECT:
    for (int d = 0; d < (t->rank ? t->rank : 1); d++) {
      int64_t k = a0->constancy[d];
      for (int i = 1; i < op->nopnds; i++) k = gcd64(k, info(P, op->opnds[i])->ax.constancy[d]);
      ax->constancy[d] = k;
    }
    break;
  default:
    break;
  }
  if (!t->rank) ax_uniform(ax, t, ax->div[0]);
}

/* ---- layouts ---------------------------------------------------------------------------------- */

bool layout_equal(const Layout *a, const Layout *b) {
  if (a == b) return true;
  if (!a || !b || a->rank != b->rank || a->prank != b->prank) return false;
  for (int i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i]) return false;
  for (int i = 0; i < a->prank; i++)
    if (a->spt[i] != b->spt[i] || a->tpw[i] != b->tpw[i] || a->wpc[i] != b->wpc[i] || a->order[i] != b->order[i])
      return false;
  return true;
}

int layout_regs(const Layout *l, const IrType *ty) {
  int n = 1;
  for (int i = 0; i < l->rank; i++) {
    int d = l->dims[i];
    int64_t tile = (int64_t)l->spt[d] * l->tpw[d] * l->wpc[d];
    int64_t reps = ty->shape[i] > tile ? ty->shape[i] / tile : 1;
    int64_t per = l->spt[d] < ty->shape[i] ? l->spt[d] : ty->shape[i];
    n *= (int)(reps * per);
  }
  return n;
}

void layout_str(StrBuf *b, const Layout *l) {
  sb_puts(b, "#blocked<spt=[");
  for (int i = 0; i < l->prank; i++) sb_printf(b, "%s%d", i ? "," : "", l->spt[i]);
  sb_puts(b, "] tpw=[");
  for (int i = 0; i < l->prank; i++) sb_printf(b, "%s%d", i ? "," : "", l->tpw[i]);
  sb_puts(b, "] wpc=[");
  for (int i = 0; i < l->prank; i++) sb_printf(b, "%s%d", i ? "," : "", l->wpc[i]);
  sb_puts(b, "] order=[");
  for (int i = 0; i < l->prank; i++) sb_printf(b, "%s%d", i ? "," : "", l->order[i]);
  sb_puts(b, "]");
  if (l->rank != l->prank) {
    sb_puts(b, " dims=[");
    for (int i = 0; i < l->rank; i++) sb_printf(b, "%s%d", i ? "," : "", l->dims[i]);
    sb_puts(b, "]");
  }
  sb_puts(b, ">");
}

/* The anchor layout of a shape: threads fill the fastest dim first with `vec` elements each,
 * warps then fill the remaining extent; leftovers replicate along the fastest dim. */
static Layout *make_blocked(LayoutPass *P, const IrType *t, int vec) {
  Layout *l = arena_alloc(P->a, sizeof(Layout));
  int r = t->rank;
  l->rank = l->prank = r;
  for (int i = 0; i < r; i++) {
    l->dims[i] = i;
    l->order[i] = r - 1 - i;
    l->spt[i] = 1;
    l->tpw[i] = 1;
    l->wpc[i] = 1;
  }
  int fast = r - 1;
  int64_t per_thread_max = t->numel / P->threads > 0 ? t->numel / P->threads : 1;
  int v = vec;
  while (v > 1 && (v > t->shape[fast] || v > per_thread_max)) v /= 2;
  l->spt[fast] = v;
  int lanes = P->t->warp_size, warps = P->f->num_warps;
  for (int k = 0; k < r; k++) {
    int d = l->order[k];
    int64_t room = t->shape[d] / l->spt[d];
    while (lanes > 1 && room > 1) {
      l->tpw[d] *= 2;
      lanes /= 2;
      room /= 2;
    }
  }
  l->tpw[fast] *= lanes; /* replicate */
  for (int k = 0; k < r; k++) {
    int d = l->order[k];
    int64_t room = t->shape[d] / ((int64_t)l->spt[d] * l->tpw[d]);
    while (warps > 1 && room > 1) {
      l->wpc[d] *= 2;
      warps /= 2;
      room /= 2;
    }
  }
  l->wpc[fast] *= warps;
  return l;
}

/* Widest useful vector for the memory ops on tiles of this shape. */
static int preferred_vec(LayoutPass *P, const IrType *shape, IrBlock *b) {
  int best = 1;
  for (IrOp *op = b->first; op; op = op->next) {
    for (int r = 0; r < op->nregions; r++) {
      int v = preferred_vec(P, shape, op->regions[r]);
      if (v > best) best = v;
    }
    if (op->kind != OP_LOAD && op->kind != OP_STORE) continue;
    const IrType *pt = op->opnds[0]->type;
    if (!pt->rank || !ir_same_shape(pt, shape)) continue;
    int bytes = elem_bytes(pt->pointee->dt);
    int fast = pt->rank - 1;
    const AxisInfo *ax = &info(P, op->opnds[0])->ax;
    int64_t v = 16 / bytes;
    if (ax->contig[fast] < v) v = ax->contig[fast];
    if (v < 1) v = 1;
    if (v > best) best = (int)v;
  }
  return best;
}

static const Layout *anchor(LayoutPass *P, const IrType *t) {
  for (int i = 0; i < P->anchor_types.n; i++)
    if (ir_same_shape(P->anchor_types.items[i], t)) return P->anchors.items[i];
  Layout *l = make_blocked(P, t, preferred_vec(P, t, P->f->body));
  vec_push(P->a, &P->anchors, l);
  vec_push(P->a, &P->anchor_types, (void *)t);
  return l;
}

/* The layout of `l` with tensor dim `axis` removed (the result of a reduction along it, and
 * the operand of an expand_dims that re-inserts it). */
static const Layout *slice(LayoutPass *P, const Layout *l, int axis) {
  Layout *s = arena_alloc(P->a, sizeof(Layout));
  *s = *l;
  s->rank = l->rank - 1;
  for (int i = 0, j = 0; i < l->rank; i++)
    if (i != axis) s->dims[j++] = l->dims[i];
  return s;
}


/* The value a region yields as result k (YIELD operands; for WHILE the CONDITION's). */
static IrValue *yielded(IrBlock *b, int k) {
  IrOp *t = b->last;
  if (!t || (t->kind != OP_YIELD && t->kind != OP_CONDITION)) return NULL;
  int i = k + (t->kind == OP_CONDITION);
  return i < t->nopnds ? t->opnds[i] : NULL;
}

/* ---- wanted layouts (backward) ------------------------------------------------------------------
 *
 * Memory ops, reductions and dots "anchor" their tiles: a 2-D+ load or store wants its
 * pointers, mask and values in the anchor layout of its shape. Those wishes flow backward to
 * the producers: an elementwise op passes its wish on to its operands, a broadcast to its
 * (smaller) operand, an expand_dims to its operand as the slice without the new axis. So in
 *
 *     ptrs = base + offs_m[:, None] * stride + offs_n[None, :]      [BM, BN] anchor L
 *            offs_m wants slice(L, 1)    offs_n wants slice(L, 0)
 *
 * the aranges are built directly in those slices and no tile changes layout. A value keeps
 * the first wish it gets (users are visited last-to-first); a user that wanted something
 * else converts it, which for index arithmetic is a recomputation (lower_gpu.c remat), not a
 * trip through shared memory. A 1-D load follows the layout its result is wanted in (loading
 * a row that is then broadcast needs no conversion), and a 1-D store of a reduction's result
 * (or of elementwise ops over one) stores it from where the reduction put it. */

static const Layout *want_of(LayoutPass *P, IrValue *v) { return xinfo(P, v)->want; }

static void wish(LayoutPass *P, IrValue *v, const Layout *l) {
  if (!l || !v || !v->type->rank || l->rank != v->type->rank) return;
  Info *x = xinfo(P, v);
  if (!x->want) {
    x->want = l;
    P->changed = true;
  } else if (!x->want2 && !layout_equal(x->want, l)) {
    x->want2 = l;
  }
}

/* Where the reduction that `v` is computed from (through elementwise ops) placed its result
 * in the previous round; NULL when v does not come from a reduction. */
static const Layout *reduced_from(LayoutPass *P, IrValue *v, int depth) {
  IrOp *op = v->def;
  if (!op || !v->type->rank || depth > 8) return NULL;
  if (op->kind == OP_REDUCE) return xinfo(P, v)->prev;
  if (op->kind == OP_FOR || op->kind == OP_IF || op->kind == OP_WHILE) {
    /* a value accumulated in a loop (or chosen by an if): what the body yields for it */
    IrValue *y = yielded(op->regions[op->kind == OP_WHILE], v->index);
    return y ? reduced_from(P, y, depth + 1) : NULL;
  }
  if (!ir_is_elementwise(op)) return NULL;
  for (int i = 0; i < op->nopnds; i++) {
    const Layout *l = ir_same_shape(op->opnds[i]->type, v->type) ? reduced_from(P, op->opnds[i], depth + 1) : NULL;
    if (l) return l;
  }
  return NULL;
}

static const Layout *mem_layout(LayoutPass *P, IrOp *op) {
  const IrType *pt = op->opnds[0]->type;
  if (pt->rank == 1 && op->kind == OP_LOAD && want_of(P, op->res[0])) return want_of(P, op->res[0]);
  if (pt->rank == 1 && op->kind == OP_STORE) {
    const Layout *v = reduced_from(P, op->opnds[1], 0);
    if (v) return v;
  }
  return anchor(P, pt);
}

static void want_block(LayoutPass *P, IrBlock *b);

/* A carried value k of a loop: its inits, region arguments, yields and results share one
 * layout (the forward pass gives them the init's); whatever any of them is wanted in, all are. */
static void want_carried(LayoutPass *P, IrOp *op, int k) {
  IrValue *group[6];
  int n = 0;
  if (op->kind == OP_FOR) {
    group[n++] = op->regions[0]->args[1 + k];
    group[n++] = op->res[k];
    group[n++] = op->opnds[3 + k];
    group[n++] = yielded(op->regions[0], k);
  } else {
    group[n++] = op->regions[0]->args[k];
    group[n++] = op->regions[1]->args[k];
    group[n++] = op->res[k];
    group[n++] = op->opnds[k];
    group[n++] = yielded(op->regions[0], k);
    group[n++] = yielded(op->regions[1], k);
  }
  const Layout *w = NULL;
  for (int i = 0; i < n && !w; i++) w = group[i] ? want_of(P, group[i]) : NULL;
  for (int i = 0; i < n; i++) wish(P, group[i], w);
}

static void want_op(LayoutPass *P, IrOp *op) {
  switch (op->kind) {
  case OP_LOAD: case OP_STORE: case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: {
    if (!op->opnds[0]->type->rank) return;
    const Layout *m = mem_layout(P, op);
    for (int i = 0; i < op->nopnds; i++) wish(P, op->opnds[i], m);
    return;
  }
  case OP_REDUCE: case OP_SCAN:
    for (int i = 0; i < op->nopnds; i++) wish(P, op->opnds[i], anchor(P, op->opnds[i]->type));
    return;
  case OP_DOT: {
    const Layout *w = want_of(P, op->res[0]);
    wish(P, op->opnds[0], anchor(P, op->opnds[0]->type));
    wish(P, op->opnds[1], anchor(P, op->opnds[1]->type));
    wish(P, op->opnds[2], w ? w : anchor(P, op->res[0]->type));
    return;
  }
  case OP_EXPAND_DIMS: {
    const Layout *w = want_of(P, op->res[0]);
    if (w) wish(P, op->opnds[0], slice(P, w, (int)op->i));
    return;
  }
  case OP_BROADCAST: case OP_HINT:
    wish(P, op->opnds[0], want_of(P, op->res[0]));
    return;
  case OP_FOR: case OP_WHILE:
    for (int k = 0; k < op->nres; k++) want_carried(P, op, k);
    for (int r = op->nregions - 1; r >= 0; r--) want_block(P, op->regions[r]);
    for (int k = 0; k < op->nres; k++) want_carried(P, op, k);
    return;
  case OP_IF:
    for (int k = 0; k < op->nres; k++)
      for (int r = 0; r < 2; r++) wish(P, yielded(op->regions[r], k), want_of(P, op->res[k]));
    for (int r = 0; r < op->nregions; r++) want_block(P, op->regions[r]);
    return;
  default:
    break;
  }
  if (!ir_is_elementwise(op)) return;
  const Layout *w = want_of(P, op->res[0]);
  for (int i = 0; i < op->nopnds; i++)
    if (ir_same_shape(op->opnds[i]->type, op->res[0]->type)) wish(P, op->opnds[i], w);
}

static void want_block(LayoutPass *P, IrBlock *b) {
  for (IrOp *op = b->last; op; op = op->prev) want_op(P, op);
}

/* ---- layout assignment (forward) ---------------------------------------------------------------- */

static void assign_block(LayoutPass *P, IrBlock *b);

/* The layout `v` is wanted in, once wishes are being honoured. */
static const Layout *wanted(LayoutPass *P, IrValue *v) { return P->use_wants ? xinfo(P, v)->want : NULL; }

static void set_layout(LayoutPass *P, IrValue *v, const Layout *l) { info(P, v)->layout = v->type->rank ? l : NULL; }

static void assign_op(LayoutPass *P, IrOp *op) {
  if (op->kind == OP_FOR || op->kind == OP_WHILE) {
    /* carried tiles keep one layout through every region and out of the loop: the wanted
     * one, else the initial value's (the lowering converts inits and yields to it) */
    int first = op->kind == OP_FOR ? 3 : 0, lead = op->kind == OP_FOR ? 1 : 0;
    for (int k = 0; k < op->nres; k++) {
      const Layout *l = wanted(P, op->regions[0]->args[lead + k]);
      if (!l) l = info(P, op->opnds[first + k])->layout;
      for (int r = 0; r < op->nregions; r++) set_layout(P, op->regions[r]->args[lead * (r == 0) + k], l);
      set_layout(P, op->res[k], l);
    }
    for (int r = 0; r < op->nregions; r++) assign_block(P, op->regions[r]);
    return;
  }
  for (int r = 0; r < op->nregions; r++) assign_block(P, op->regions[r]);
  if (op->kind == OP_IF) {
    for (int k = 0; k < op->nres; k++) {
      IrValue *y = yielded(op->regions[0], k);
      const Layout *l = wanted(P, op->res[k]);
      if (!l && y) l = info(P, y)->layout;
      set_layout(P, op->res[k], l ? l : op->res[k]->type->rank ? anchor(P, op->res[k]->type) : NULL);
    }
    return;
  }
  if (!op->nres) return;
  IrValue *res = op->res[0];
  const IrType *t = res->type;
  ValInfo *vi = info(P, res);
  if (!t->rank) return;
  const Layout *in = op->nopnds && op->opnds[0]->type->rank ? info(P, op->opnds[0])->layout : NULL;
  const Layout *w = wanted(P, res);
  switch (op->kind) {
  case OP_REDUCE: {
    const Layout *l = slice(P, in, (int)op->i);
    for (int k = 0; k < op->nres; k++) set_layout(P, op->res[k], l);
    return;
  }
  case OP_SCAN:
    for (int k = 0; k < op->nres; k++) set_layout(P, op->res[k], in);
    return;
  case OP_LOAD: case OP_ATOMIC_RMW: case OP_ATOMIC_CAS:
    /* the result comes out where the pointers are; a 1-D load that users want in a second
     * layout (a row broadcast into tiles of two shapes) is issued once more in that one,
     * where it stands, which beats moving it through shared memory */
    vi->layout = in ? in : anchor(P, t);
    vi->also = NULL;
    if (op->kind == OP_LOAD && t->rank == 1 && P->use_wants && xinfo(P, res)->want2 &&
        !layout_equal(xinfo(P, res)->want2, vi->layout))
      vi->also = xinfo(P, res)->want2;
    return;
  case OP_EXPAND_DIMS:
    if (w) {
      vi->layout = w;
      return;
    }
    if (in && in->prank == t->rank) {
      /* a slice going back to its parent: find which parent dim is missing */
      bool used[IR_MAX_RANK] = {0};
      for (int i = 0; i < in->rank; i++) used[in->dims[i]] = true;
      int missing = -1;
      for (int d = 0; d < in->prank; d++)
        if (!used[d]) missing = d;
      Layout *l = arena_alloc(P->a, sizeof(Layout));
      *l = *in;
      l->rank = t->rank;
      for (int i = 0, j = 0; i < t->rank; i++) l->dims[i] = i == op->i ? missing : in->dims[j++];
      /* only valid if dims stay in parent order */
      bool ok = true;
      for (int i = 0; i < t->rank; i++) ok &= l->dims[i] == i;
      if (ok) {
        vi->layout = l;
        return;
      }
    }
    vi->layout = anchor(P, t);
    return;
  case OP_BROADCAST:
    vi->layout = w ? w : in && in->rank == in->prank ? in : anchor(P, t);
    return;
  case OP_TRANS: case OP_RESHAPE: case OP_DOT: case OP_CONST: case OP_SPLAT: case OP_ARANGE:
    /* free to produce any layout */
    vi->layout = w ? w : anchor(P, t);
    return;
  default:
    break;
  }
  if (w && ir_is_elementwise(op)) {
    vi->layout = w;
    return;
  }
  /* elementwise and the rest: follow the first operand of the same shape, else the anchor */
  for (int i = 0; i < op->nopnds; i++) {
    IrValue *o = op->opnds[i];
    if (ir_same_shape(o->type, t) && info(P, o)->layout) {
      vi->layout = info(P, o)->layout;
      return;
    }
  }
  vi->layout = anchor(P, t);
}

static void assign_block(LayoutPass *P, IrBlock *b) {
  for (IrOp *o = b->first; o; o = o->next) assign_op(P, o);
}

static void ax_meet(AxisInfo *out, const AxisInfo *a, const AxisInfo *b) {
  for (int d = 0; d < IR_MAX_RANK; d++) {
    out->contig[d] = gcd64(a->contig[d], b->contig[d]);
    out->div[d] = gcd64(a->div[d], b->div[d]);
    out->constancy[d] = gcd64(a->constancy[d], b->constancy[d]);
  }
}

static bool ax_same(const AxisInfo *a, const AxisInfo *b) { return !memcmp(a, b, sizeof *a); }

static void axis_block(LayoutPass *P, IrBlock *b);

/* Loops: a carried value starts with its initial value's info and is met with what the body
 * yields until nothing changes (a few rounds; then nothing is assumed). */
static void axis_region_op(LayoutPass *P, IrOp *op) {
  if (op->kind == OP_REDUCE || op->kind == OP_SCAN) {
    /* the combine region works on scalars; nothing is assumed of the results */
    for (int i = 0; i < op->regions[0]->nargs; i++) ax_unknown(&info(P, op->regions[0]->args[i])->ax, NULL);
    axis_block(P, op->regions[0]);
    for (int k = 0; k < op->nres; k++) ax_unknown(&info(P, op->res[k])->ax, op->res[k]->type);
    return;
  }
  if (op->kind == OP_IF) {
    for (int r = 0; r < op->nregions; r++) axis_block(P, op->regions[r]);
    for (int k = 0; k < op->nres; k++) {
      IrValue *a = yielded(op->regions[0], k), *b = yielded(op->regions[1], k);
      AxisInfo *ax = &info(P, op->res[k])->ax;
      if (a && b) ax_meet(ax, &info(P, a)->ax, &info(P, b)->ax);
      else ax_unknown(ax, op->res[k]->type);
    }
    return;
  }
  int first = op->kind == OP_FOR ? 3 : 0;
  int n = op->nres;
  for (int r = 0; r < op->nregions; r++) {
    IrBlock *blk = op->regions[r];
    int lead = op->kind == OP_FOR ? 1 : 0;
    for (int k = 0; k < n; k++) info(P, blk->args[lead + k])->ax = info(P, op->opnds[first + k])->ax;
  }
  if (op->kind == OP_FOR) {
    /* the induction variable: lb + i * step */
    AxisInfo *iv = &info(P, op->regions[0]->args[0])->ax;
    ax_uniform(iv, op->regions[0]->args[0]->type, gcd64(info(P, op->opnds[0])->ax.div[0], info(P, op->opnds[2])->ax.div[0]));
  }
  IrBlock *last = op->regions[op->nregions - 1];
  bool stable = false;
  for (int round = 0; round < 8 && !stable; round++) {
    for (int r = 0; r < op->nregions; r++) axis_block(P, op->regions[r]);
    stable = true;
    for (int k = 0; k < n; k++) {
      IrValue *y = yielded(last, k);
      for (int r = 0; r < op->nregions; r++) {
        int lead = op->kind == OP_FOR ? 1 : 0;
        AxisInfo *ax = &info(P, op->regions[r]->args[lead + k])->ax, m;
        ax_meet(&m, ax, &info(P, y)->ax);
        if (!ax_same(&m, ax)) stable = false;
        *ax = m;
      }
    }
  }
  if (!stable) {
    for (int r = 0; r < op->nregions; r++)
      for (int k = 0; k < n; k++) {
        IrValue *a = op->regions[r]->args[(op->kind == OP_FOR) + k];
        ax_unknown(&info(P, a)->ax, a->type);
      }
    for (int r = 0; r < op->nregions; r++) axis_block(P, op->regions[r]);
  }
  for (int k = 0; k < n; k++) info(P, op->res[k])->ax = info(P, op->regions[0]->args[(op->kind == OP_FOR) + k])->ax;
}

static void axis_block(LayoutPass *P, IrBlock *b) {
  for (IrOp *op = b->first; op; op = op->next) {
    for (int i = 0; i < op->nopnds; i++) info(P, op->opnds[i]);
    if (op->nregions) axis_region_op(P, op);
    else axis_op(P, op);
  }
}

void cg_layout(Arena *a, IrFunc *f, const Target *t) {
  LayoutPass P = {.a = a, .t = t, .f = f, .threads = t->warp_size * f->num_warps};
  for (int i = 0; i < f->nparams; i++) {
    IrValue *p = f->params[i];
    ValInfo *vi = info(&P, p);
    ax_uniform(&vi->ax, p->type, p->divisibility);
  }
  axis_block(&P, f->body);
  /* Round 0 gives every tile a layout from its operands (the anchor where there is no
   * better choice). Each later round collects the wanted layouts, with 1-D stores looking
   * at the previous round's layout of their values, and assigns again honouring them; the
   * second of them sees the reductions as the first placed them. */
  assign_block(&P, f->body);
  for (int round = 1; round <= 2; round++) {
    for (int i = 0; i < P.infos.n; i++) {
      Info *x = P.infos.items[i];
      x->prev = x->vi.layout;
      x->want = x->want2 = NULL;
    }
    P.changed = true;
    for (int sweep = 0; sweep < 8 && P.changed; sweep++) {
      P.changed = false;
      want_block(&P, f->body);
    }
    P.use_wants = true;
    assign_block(&P, f->body);
  }
}

void cg_layout_annot(StrBuf *out, const IrValue *v, void *ctx) {
  (void)ctx;
  const ValInfo *vi = v->aux;
  if (!vi) return;
  if (vi->layout) {
    sb_puts(out, " ");
    layout_str(out, vi->layout);
  }
  if (vi->also) {
    sb_puts(out, " also ");
    layout_str(out, vi->also);
  }
  const IrType *t = v->type;
  if (dtype_is_int(t->dt) || t->dt == DT_PTR) {
    int r = t->rank ? t->rank : 1;
    sb_puts(out, " contig=[");
    for (int d = 0; d < r; d++) sb_printf(out, "%s%" PRId64, d ? "," : "", vi->ax.contig[d]);
    sb_puts(out, "] div=[");
    for (int d = 0; d < r; d++) sb_printf(out, "%s%" PRId64, d ? "," : "", vi->ax.div[d]);
    sb_puts(out, "] const=[");
    for (int d = 0; d < r; d++) sb_printf(out, "%s%" PRId64, d ? "," : "", vi->ax.constancy[d]);
    sb_puts(out, "]");
  }
}
