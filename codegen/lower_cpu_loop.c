/*
 * lower_cpu_loop.c — the memory form of large CPU tiles, beside lower_cpu.c.
 *
 * lower_cpu.c keeps a tile as unrolled SSA: one LLVM vector per chunk of lw_chunk()
 * elements, every op emitted chunk by chunk. Code size, and LLVM's time, then grow with the
 * tile. A tile of more than `unroll_max` elements is therefore kept in memory instead: it
 * lives in the per-program scratch buffer the runtime passes to the entry, and every op on it
 * is one runtime loop over the same chunks, so compile time does not depend on the tile size.
 *
 * Forms of a tile value (CpuMem.form):
 *   F_REG  — registers: lower_cpu.c's unrolled TVal (small tiles and all scalars);
 *   F_MEM  — a buffer in scratch, row-major, i1 stored as i8; its TVal is empty (n == 0);
 *   F_VIRT — const, splat and arange, and elementwise ops fused into their one user (see
 *            fusable()): computed where they are read, no buffer.
 * Views — reshape, expand_dims and hints (tl.multiple_of, ...) — keep the row-major order and
 * take their operand's form and buffer.
 * An op that touches a tile in memory or virtual form is lowered here. A registers-form tile
 * operand is spilled to a staging area for the op, a registers-form result is computed into
 * it and loaded back, so inside the loops every operand is read the same way.
 *
 * Scratch (bytes from the entry's `scratch` pointer, every piece 64-aligned):
 *
 *   0 ........ staging ............................................ total
 *   | per-op temporaries | buffers: one per group, placed by first fit |
 *
 * A group is a stored value with its views, or a carried value of a for/while/if: the
 * loop's (or if's) results and region arguments share one buffer that yields copy into.
 * Groups whose live
 * intervals (in program order) overlap get disjoint bytes; a value used inside a loop that
 * it was defined outside of stays live to the loop's end. Values in regions are read only
 * through their own op's loops, so the staging area is shared by all ops.
 *
 * Loop-carried tiles: the initial values are copied into the carried buffers before the
 * loop; a yield copies each value into its target buffer, through a staging copy when the
 * value is itself another target's buffer (`a, b = b, a`).
 */
#include "lower_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The default unroll limit in elements: tiles up to this size stay unrolled (see
 * docs/debugging.md, LIGER_CPU_UNROLL_MAX). Measured with add and softmax on one core: at
 * BLOCK=512 the unrolled form costs 0.03 s more CPU time to compile and runs a memory-bound
 * add 1.25x faster (1.6x at 256); from 1024 on both run alike, while the unrolled compile
 * time climbs (0.13 s at 1024, 1.2 s at 4096, 7 s at 16384) and the memory form's stays. */
#define CPU_UNROLL_DEFAULT 512
/* Scans and reductions with a combine region or several inputs go element by element in the
 * unrolled form (0.7 s to compile lang.py's scans at 512 elements, 0.1 s in memory); their
 * tiles are unrolled up to this size only. */
#define CPU_SCAN_UNROLL 64

enum { F_REG, F_MEM, F_VIRT };
enum { MEM_ALIGN = 64 };

typedef struct Group {
  int64_t bytes;  /* 64-rounded */
  int start, end; /* live interval (op positions, inclusive) */
  int64_t off;    /* byte offset in scratch */
} Group;

typedef struct Ext {
  int group, loop; /* group stays live to the end of loop */
} Ext;

typedef struct Span {
  int start, end;
} Span;

typedef struct Spill {
  const IrValue *v;
  int64_t off;
} Spill;

struct CpuMem {
  Arena *arena;
  int64_t unroll_max; /* elements */
  signed char *form;  /* by value id */
  int *grp;           /* by value id: group, or -1 */
  int *defpos;        /* by value id */
  int *nuses;         /* by value id */
  IrOp **user;        /* by value id: its last user */
  int *cls;           /* by value id: union-find of values that must share a form */
  bool *scan;         /* by class root: a scan's (or element-wise reduction's) tile */
  Group *g;
  int ng;
  Ext *ext;
  int next, capext;
  Span *loops;
  int nloops;
  int *stack; /* enclosing loops while planning */
  int depth;
  IrOp **terms; /* YIELD/CONDITION ops with memory-form operands */
  int nterms;
  int pos;
  int64_t staging, total;
  const IrOp *pending; /* an op lowered elsewhere on unrolled copies of its big operands */
  /* lowering one op */
  Spill spill[32];
  int nspill;
  int64_t stage_used;
};

/* ---- sizes and forms ------------------------------------------------------------------ */

static int64_t round_up(int64_t n) { return (n + MEM_ALIGN - 1) / MEM_ALIGN * MEM_ALIGN; }
static int esize(const IrType *t) { return t->dt == DT_I1 ? 1 : dtype_bits(t->dt) / 8; }
static int64_t tile_bytes(const IrType *t) { return round_up(t->numel * esize(t)); }
static LLVMTypeRef mem_elem(Lower *L, const IrType *t) { return t->dt == DT_I1 ? L->i8 : lw_elem_type(L, t); }

static int form(Lower *L, const IrValue *v) { return L->cm->form[v->id]; }

/* Ops whose result is their operand's elements in the same row-major order. */
static bool is_view(IrOpKind k) { return k == OP_EXPAND_DIMS || k == OP_RESHAPE || k == OP_HINT; }

/* The op a virtual value stands for (through views): const, splat, arange or a fused
 * elementwise op. */
static const IrOp *virt_def(Lower *L, const IrValue *v) {
  if (!v->type->rank || form(L, v) != F_VIRT) return NULL;
  while (is_view(v->def->kind)) v = v->def->opnds[0];
  return v->def;
}

static bool is_vec(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMVectorTypeKind; }

/* ---- planning: forms, groups, live intervals, offsets ----------------------------------- */

static int new_group(CpuMem *m, const IrType *t, int start) {
  Group *g = &m->g[m->ng];
  g->bytes = tile_bytes(t);
  g->start = g->end = start;
  return m->ng++;
}

static void touch(CpuMem *m, int g, int p) {
  if (p > m->g[g].end) m->g[g].end = p;
}

static void set_mem(CpuMem *m, const IrValue *v, int g, int defpos) {
  m->form[v->id] = F_MEM;
  m->grp[v->id] = g;
  m->defpos[v->id] = defpos;
}

static int class_of(CpuMem *m, int id) {
  while (m->cls[id] != id) id = m->cls[id] = m->cls[m->cls[id]];
  return id;
}

/* Whether tile v is kept in memory: by its size, with a lower limit for scans. */
static bool big(CpuMem *m, const IrValue *v) {
  const IrType *t = v->type;
  int64_t lim = m->scan[class_of(m, v->id)] && m->unroll_max > CPU_SCAN_UNROLL ? CPU_SCAN_UNROLL : m->unroll_max;
  return t->rank && t->numel > lim;
}


/* An elementwise result used once, by an op of the same block that reads each element once,
 * is fused into that op: not stored, computed where it is read. (Not into yields and loop
 * inits: their copies overwrite buffers the computation may read.) */
static bool fusable(CpuMem *m, const IrValue *v) {
  if (m->nuses[v->id] != 1) return false;
  for (int i = 0; i < v->def->nopnds; i++) /* its reader spills no operands of it */
    if (v->def->opnds[i]->type->rank && m->form[v->def->opnds[i]->id] == F_REG) return false;
  const IrOp *u = m->user[v->id];
  if (u->parent != v->def->parent) return false;
  if (is_view(u->kind)) return fusable(m, u->res[0]);
  switch (u->kind) {
  case OP_FOR: case OP_WHILE: case OP_IF: case OP_YIELD: case OP_CONDITION: case OP_DOT: case OP_BROADCAST: return false;
  default: return true;
  }
}

static void push_ext(CpuMem *m, Ext e) {
  if (m->next == m->capext) {
    m->capext = 2 * m->capext + 16;
    Ext *grown = arena_alloc(m->arena, sizeof(Ext) * (size_t)m->capext);
    if (m->next) memcpy(grown, m->ext, sizeof(Ext) * (size_t)m->next);
    m->ext = grown;
  }
  m->ext[m->next++] = e;
}

/* A use at position p: the group lives to p, or to the end of the outermost enclosing loop
 * that started after the value was defined (the next iteration reads it again). A virtual
 * value uses its operands where it is used. */
static void use(CpuMem *m, const IrValue *v, int p) {
  if (m->form[v->id] == F_VIRT)
    for (int i = 0; i < v->def->nopnds; i++) use(m, v->def->opnds[i], p);
  if (m->form[v->id] != F_MEM) return;
  touch(m, m->grp[v->id], p);
  for (int i = 0; i < m->depth; i++)
    if (m->loops[m->stack[i]].start > m->defpos[v->id]) {
      push_ext(m, (Ext){m->grp[v->id], m->stack[i]});
      break;
    }
}

static bool touches_mem(Lower *L, const IrOp *op) {
  for (int i = 0; i < op->nopnds; i++)
    if (form(L, op->opnds[i]) != F_REG) return true;
  for (int i = 0; i < op->nres; i++)
    if (form(L, op->res[i]) != F_REG) return true;
  return false;
}

/* Staging bytes an op needs: its registers-form tile operands and its results that stay in
 * registers (scalars included). */
static int64_t op_staging(Lower *L, const IrOp *op) {
  int64_t n = 0;
  for (int i = 0; i < op->nopnds; i++) {
    const IrValue *v = op->opnds[i];
    bool seen = false;
    for (int j = 0; j < i; j++) seen |= op->opnds[j] == v;
    if (!seen && v->type->rank && form(L, v) == F_REG) n += tile_bytes(v->type);
  }
  for (int i = 0; i < op->nres; i++)
    if (form(L, op->res[i]) == F_REG) n += op->res[i]->type->rank ? tile_bytes(op->res[i]->type) : MEM_ALIGN;
  return n;
}

static void plan_block(Lower *L, IrBlock *b);

/* One carried buffer per big value k of a loop or if: the results and region arguments
 * listed share it; it is live from the op on. */
static void plan_carried(Lower *L, IrOp *op, int p) {
  CpuMem *m = L->cm;
  for (int k = 0; k < op->nres; k++) {
    if (op->kind == OP_WHILE && big(m, op->regions[0]->args[k])) /* before(args) */
      set_mem(m, op->regions[0]->args[k], new_group(m, op->res[k]->type, p), p + 1);
    if (!big(m, op->res[k])) continue;
    int g = new_group(m, op->res[k]->type, p);
    set_mem(m, op->res[k], g, p);
    if (op->kind == OP_FOR) set_mem(m, op->regions[0]->args[1 + k], g, p + 1);
    if (op->kind == OP_WHILE) set_mem(m, op->regions[1]->args[k], g, p + 1); /* after(args), like the results */
  }
}

static void plan_region_op(Lower *L, IrOp *op, int p) {
  CpuMem *m = L->cm;
  bool loop = op->kind != OP_IF;
  int lp = -1;
  if (loop) {
    lp = m->nloops++;
    m->loops[lp].start = p;
    m->stack[m->depth++] = lp;
  }
  plan_carried(L, op, p);
  for (int r = 0; r < op->nregions; r++) plan_block(L, op->regions[r]);
  if (loop) {
    m->depth--;
    m->loops[lp].end = m->pos;
  }
  /* carried buffers are written by the yields inside */
  for (int k = 0; k < op->nres; k++)
    if (m->form[op->res[k]->id] == F_MEM) touch(m, m->grp[op->res[k]->id], m->pos);
  if (op->kind == OP_WHILE)
    for (int k = 0; k < op->nres; k++)
      if (m->form[op->regions[0]->args[k]->id] == F_MEM) touch(m, m->grp[op->regions[0]->args[k]->id], m->pos);
}

static void plan_block(Lower *L, IrBlock *b) {
  CpuMem *m = L->cm;
  for (IrOp *op = b->first; op; op = op->next) {
    int p = m->pos;
    m->pos += 2; /* region arguments of an op at p are defined at p + 1 */
    for (int i = 0; i < op->nopnds; i++) use(m, op->opnds[i], p);
    if (op->kind == OP_FOR || op->kind == OP_WHILE || op->kind == OP_IF) {
      plan_region_op(L, op, p);
      continue;
    }
    if (op->kind == OP_YIELD || op->kind == OP_CONDITION) {
      bool any = false;
      for (int i = 0; i < op->nopnds; i++) any |= m->form[op->opnds[i]->id] != F_REG;
      if (any) m->terms[m->nterms++] = op;
      continue;
    }
    /* combine regions of reduce/scan hold scalars only: nothing to plan inside */
    for (int i = 0; i < op->nres; i++) {
      IrValue *v = op->res[i];
      m->defpos[v->id] = p;
      if (!big(m, v)) continue;
      IrOpKind k = op->kind;
      if (k == OP_CONST || k == OP_SPLAT || k == OP_ARANGE || (ir_is_elementwise(op) && fusable(m, v))) m->form[v->id] = F_VIRT;
      else if (is_view(k) && m->form[op->opnds[0]->id] == F_VIRT) m->form[v->id] = F_VIRT;
      else if (is_view(k) && m->form[op->opnds[0]->id] == F_MEM)
        set_mem(m, v, m->grp[op->opnds[0]->id], p);
      else set_mem(m, v, new_group(m, v->type, p), p);
    }
    if (touches_mem(L, op)) {
      int64_t s = op_staging(L, op);
      if (s > m->staging) m->staging = s;
    }
  }
}

static int count_ops(IrBlock *b, int *nopnds) {
  int n = 0;
  for (IrOp *op = b->first; op; op = op->next) {
    n++;
    *nopnds += op->nopnds;
    for (int r = 0; r < op->nregions; r++) n += count_ops(op->regions[r], nopnds);
  }
  return n;
}

static void same_form(CpuMem *m, const IrValue *a, const IrValue *b) {
  int x = class_of(m, a->id), y = class_of(m, b->id);
  if (x != y) m->cls[x > y ? x : y] = x < y ? x : y;
}

/* Operand k of a region's terminator (YIELD, or CONDITION after its condition), if any. */
static const IrValue *yielded_k(const IrBlock *b, int k) {
  const IrOp *t = b->last;
  if (!t || (t->kind != OP_YIELD && t->kind != OP_CONDITION)) return NULL;
  k += t->kind == OP_CONDITION;
  return k < t->nopnds ? t->opnds[k] : NULL;
}

/* First pass: uses, and the values that must share a form (a view and its operand; the
 * initial value, region arguments, yields and result of one carried slot). */
static void scan_uses(CpuMem *m, IrBlock *b, bool *scanned) {
  for (IrOp *op = b->first; op; op = op->next) {
    for (int i = 0; i < op->nopnds; i++) {
      m->nuses[op->opnds[i]->id]++;
      m->user[op->opnds[i]->id] = op;
    }
    if (is_view(op->kind)) same_form(m, op->res[0], op->opnds[0]);
    for (int k = 0; k < op->nres; k++) {
      const IrValue *r = op->res[k], *y;
      if (op->kind == OP_FOR) {
        same_form(m, r, op->opnds[3 + k]);
        same_form(m, r, op->regions[0]->args[1 + k]);
        if ((y = yielded_k(op->regions[0], k))) same_form(m, r, y);
      } else if (op->kind == OP_WHILE) {
        same_form(m, op->opnds[k], op->regions[0]->args[k]);
        if ((y = yielded_k(op->regions[1], k))) same_form(m, op->opnds[k], y);
        same_form(m, r, op->regions[1]->args[k]);
        if ((y = yielded_k(op->regions[0], k))) same_form(m, r, y);
      } else if (op->kind == OP_IF) {
        for (int q = 0; q < 2; q++)
          if ((y = yielded_k(op->regions[q], k))) same_form(m, r, y);
      }
    }
    if (op->kind == OP_SCAN || (op->kind == OP_REDUCE && (op->nopnds > 1 || op->i2 == RED_CUSTOM))) {
      for (int i = 0; i < op->nopnds; i++) scanned[op->opnds[i]->id] = true;
      for (int i = 0; i < op->nres; i++) scanned[op->res[i]->id] = true;
    }
    for (int r = 0; r < op->nregions; r++) scan_uses(m, op->regions[r], scanned);
  }
}

/* Where a YIELD/CONDITION sends its values (the targets of lower.c's lower_region). */
static IrValue *const *yield_targets(const IrOp *term) {
  IrBlock *b = term->parent;
  IrOp *owner = b->parent_op;
  switch (owner->kind) {
  case OP_FOR: return owner->regions[0]->args + 1;
  case OP_WHILE: return b == owner->regions[0] ? owner->regions[1]->args : owner->regions[0]->args;
  default: return owner->res;
  }
}

/* A value yielded to target i is in the buffer of another target j: it must be saved
 * before target j is overwritten. */
static bool yield_hazard(CpuMem *m, const IrOp *term, IrValue *const *to, int i) {
  int off = term->kind == OP_CONDITION;
  const IrValue *v = term->opnds[i];
  if (m->form[v->id] != F_MEM) return false;
  int gv = m->grp[v->id];
  for (int j = off; j < term->nopnds; j++)
    if (j != i && m->form[to[j - off]->id] == F_MEM && m->grp[to[j - off]->id] == gv) return true;
  return false;
}

static int cmp_group_start(const void *a, const void *b, void *ctx) {
  const Group *g = ctx;
  int x = *(const int *)a, y = *(const int *)b;
  if (g[x].start != g[y].start) return g[x].start < g[y].start ? -1 : 1;
  return (x > y) - (x < y);
}

/* Insertion sort (deterministic, and the lists are short). */
static void sort_ints(int *v, int n, int (*cmp)(const void *, const void *, void *), void *ctx) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && cmp(&v[j - 1], &v[j], ctx) > 0; j--) {
      int t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
}

static int cmp_group_off(const void *a, const void *b, void *ctx) {
  const Group *g = ctx;
  int x = *(const int *)a, y = *(const int *)b;
  if (g[x].off != g[y].off) return g[x].off < g[y].off ? -1 : 1;
  return (x > y) - (x < y);
}

/* First fit: each group, in order of its start, at the lowest offset where it overlaps no
 * group live at the same time. */
static void place_groups(Lower *L) {
  CpuMem *m = L->cm;
  int *order = arena_alloc(&L->arena, sizeof(int) * (size_t)(m->ng + 1));
  int *act = arena_alloc(&L->arena, sizeof(int) * (size_t)(m->ng + 1));
  int nr = 0, na = 0;
  for (int i = 0; i < m->ng; i++) order[nr++] = i;
  sort_ints(order, nr, cmp_group_start, m->g);
  m->total = m->staging;
  for (int r = 0; r < nr; r++) {
    Group *g = &m->g[order[r]];
    int keep = 0;
    for (int a = 0; a < na; a++)
      if (m->g[act[a]].end >= g->start) act[keep++] = act[a];
    na = keep;
    sort_ints(act, na, cmp_group_off, m->g);
    int64_t off = m->staging;
    for (int a = 0; a < na; a++) {
      const Group *o = &m->g[act[a]];
      if (off + g->bytes <= o->off) break;
      if (o->off + o->bytes > off) off = o->off + o->bytes;
    }
    g->off = off;
    if (off + g->bytes > m->total) m->total = off + g->bytes;
    act[na++] = order[r];
  }
}

/* Reads LIGER_CPU_UNROLL_MAX: the largest tile (elements) kept unrolled. */
static bool unroll_limit(Lower *L, int64_t *out) {
  *out = CPU_UNROLL_DEFAULT;
  const char *env = getenv("LIGER_CPU_UNROLL_MAX");
  if (!env || !*env) return true;
  char *end;
  errno = 0;
  long long v = strtoll(env, &end, 10);
  if (errno || *end || v < 0) {
    lw_fail(L, NULL, "LIGER_CPU_UNROLL_MAX=\"%s\": expected a number of elements (0 or more)", env);
    return false;
  }
  *out = v;
  return true;
}

void cpu_mem_plan(Lower *L) {
  CpuMem *m = arena_alloc(&L->arena, sizeof *m);
  L->cm = m;
  m->arena = &L->arena;
  if (!unroll_limit(L, &m->unroll_max)) return;
  int nopnds = 0, nops = count_ops(L->f->body, &nopnds);
  size_t nv = (size_t)L->nvals;
  m->form = arena_alloc(&L->arena, nv);
  m->grp = arena_alloc(&L->arena, sizeof(int) * nv);
  m->defpos = arena_alloc(&L->arena, sizeof(int) * nv);
  m->nuses = arena_alloc(&L->arena, sizeof(int) * nv);
  m->user = arena_alloc(&L->arena, sizeof(IrOp *) * nv);
  m->g = arena_alloc(&L->arena, sizeof(Group) * (nv + 1));
  m->loops = arena_alloc(&L->arena, sizeof(Span) * (size_t)(nops + 1));
  m->stack = arena_alloc(&L->arena, sizeof(int) * (size_t)(nops + 1));
  m->terms = arena_alloc(&L->arena, sizeof(IrOp *) * (size_t)(nops + 1));
  m->cls = arena_alloc(&L->arena, sizeof(int) * nv);
  m->scan = arena_alloc(&L->arena, nv);
  bool *scanned = arena_alloc(&L->arena, nv);
  for (size_t i = 0; i < nv; i++) m->cls[i] = (int)i;
  scan_uses(m, L->f->body, scanned);
  for (size_t i = 0; i < nv; i++)
    if (scanned[i]) m->scan[class_of(m, (int)i)] = true;
  plan_block(L, L->f->body);
  for (int i = 0; i < m->next; i++) touch(m, m->ext[i].group, m->loops[m->ext[i].loop].end);
  for (int t = 0; t < m->nterms; t++) {
    const IrOp *term = m->terms[t];
    IrValue *const *to = yield_targets(term);
    int64_t s = 0;
    for (int i = term->kind == OP_CONDITION; i < term->nopnds; i++)
      if (yield_hazard(m, term, to, i)) s += tile_bytes(term->opnds[i]->type);
    if (s > m->staging) m->staging = s;
  }
  place_groups(L);
  if (m->total > (int64_t)UINT32_MAX) {
    L->d->unsupported = true;
    lw_fail(L, NULL, "this kernel needs %lld bytes of CPU scratch per program, more than 4 GiB",
            (long long)m->total);
    return;
  }
  L->smem_bytes = (size_t)m->total;
}

/* ---- access to tiles in any form ------------------------------------------------------- */

static LLVMValueRef i64c(Lower *L, int64_t v) { return LLVMConstInt(L->i64, (unsigned long long)v, 1); }

/* the constant <v, v, ..., v> (n lanes of i64) */
static LLVMValueRef vec_i64(Lower *L, int64_t v, int n) {
  LLVMValueRef e[CPU_CHUNK];
  for (int i = 0; i < n; i++) e[i] = i64c(L, v);
  return LLVMConstVector(e, (unsigned)n);
}

/* <0, 1, ..., n-1> of integer type et */
static LLVMValueRef iota(LLVMTypeRef et, int n) {
  LLVMValueRef e[CPU_CHUNK];
  for (int i = 0; i < n; i++) e[i] = LLVMConstInt(et, (unsigned long long)i, 0);
  return LLVMConstVector(e, (unsigned)n);
}

/* Byte offset of a stored (or spilled) value in scratch. */
static int64_t buf_off(Lower *L, const IrValue *v) {
  CpuMem *m = L->cm;
  for (int i = 0; i < m->nspill; i++)
    if (m->spill[i].v == v) return m->spill[i].off;
  return m->g[m->grp[v->id]].off;
}

static LLVMValueRef at_off(Lower *L, int64_t off) {
  LLVMValueRef o = i64c(L, off);
  return LLVMBuildGEP2(L->b, L->i8, L->scratch, &o, 1, "");
}

static LLVMValueRef base(Lower *L, const IrValue *v) { return at_off(L, buf_off(L, v)); }

/* n consecutive elements (n == 0: one scalar) of type t at element `off` of `b`. */
static LLVMValueRef raw_load(Lower *L, const IrType *t, LLVMValueRef b, LLVMValueRef off, int n) {
  LLVMTypeRef et = mem_elem(L, t), ty = n ? LLVMVectorType(et, (unsigned)n) : et;
  LLVMValueRef x = LLVMBuildLoad2(L->b, ty, LLVMBuildGEP2(L->b, et, b, &off, 1, ""), "");
  LLVMSetAlignment(x, (unsigned)esize(t));
  if (t->dt == DT_I1) x = LLVMBuildTrunc(L->b, x, n ? LLVMVectorType(L->i1, (unsigned)n) : L->i1, "");
  return x;
}

static void raw_store(Lower *L, const IrType *t, LLVMValueRef b, LLVMValueRef off, LLVMValueRef x) {
  LLVMTypeRef et = mem_elem(L, t);
  if (t->dt == DT_I1) x = LLVMBuildZExt(L->b, x, is_vec(x) ? LLVMVectorType(L->i8, LLVMGetVectorSize(LLVMTypeOf(x))) : L->i8, "");
  LLVMValueRef st = LLVMBuildStore(L->b, x, LLVMBuildGEP2(L->b, et, b, &off, 1, ""));
  LLVMSetAlignment(st, (unsigned)esize(t));
}

static LLVMValueRef virt_scalar(Lower *L, const IrOp *d) {
  if (d->kind == OP_SPLAT) return lw_get(L, d->opnds[0]).e[0];
  IrType e = *d->res[0]->type;
  e.rank = 0;
  e.numel = 1;
  return lw_const(L, &e, d->i, d->f);
}

/* A cast of n lanes (n == 0: a scalar); lw_cast takes the vector width from the type. */
static LLVMValueRef cast_n(Lower *L, LLVMValueRef x, const IrOp *op, int n) {
  IrType f = *op->opnds[0]->type, t = *op->res[0]->type;
  f.rank = t.rank = n ? 1 : 0;
  f.shape[0] = t.shape[0] = f.numel = t.numel = n ? n : 1;
  return lw_cast(L, x, &f, &t, op->i);
}

/* How elements are read: a range [at, at + n), the n indices in vector at, or the one
 * index at (n == 0); at is i64. */
typedef enum At { AT_RANGE, AT_GATHER, AT_ELEM } At;

/* Elements of v in any form: scalars are splat, virtual values computed, stored ones read
 * (gathers through llvm.masked.gather). */
static LLVMValueRef access(Lower *L, const IrValue *v, At how, LLVMValueRef at, int n) {
  if (!v->type->rank) return n ? cpu_splat(L, lw_get(L, v).e[0], n) : lw_get(L, v).e[0];
  const IrOp *d = virt_def(L, v);
  if (d && d->kind == OP_ARANGE) {
    LLVMTypeRef it = n ? LLVMVectorType(L->i32, (unsigned)n) : L->i32;
    if (how == AT_GATHER) return LLVMBuildAdd(L->b, LLVMBuildTrunc(L->b, at, it, ""), cpu_splat(L, lw_i32(L, d->i), n), "");
    LLVMValueRef s = LLVMBuildAdd(L->b, LLVMBuildTrunc(L->b, at, L->i32, ""), lw_i32(L, d->i), "");
    return how == AT_ELEM ? s : LLVMBuildAdd(L->b, cpu_splat(L, s, n), iota(L->i32, n), "");
  }
  if (d && (d->kind == OP_CONST || d->kind == OP_SPLAT)) return n ? cpu_splat(L, virt_scalar(L, d), n) : virt_scalar(L, d);
  if (d) { /* a fused elementwise op: its operands at the same places */
    LLVMValueRef x[3];
    for (int i = 0; i < d->nopnds; i++) x[i] = access(L, d->opnds[i], how, at, n);
    if (d->kind == OP_CAST) return cast_n(L, x[0], d, n);
    return lw_elementwise(L, d, d->opnds[d->kind == OP_SELECT ? 1 : 0]->type->dt, x);
  }
  LLVMTypeRef et = mem_elem(L, v->type);
  if (how != AT_GATHER) return raw_load(L, v->type, base(L, v), at, n);
  LLVMTypeRef vt = LLVMVectorType(et, (unsigned)n);
  LLVMValueRef ptrs = LLVMBuildGEP2(L->b, et, base(L, v), &at, 1, "");
  LLVMTypeRef over[2] = {vt, LLVMTypeOf(ptrs)};
  LLVMValueRef args[3] = {ptrs, LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)n)), LLVMGetPoison(vt)};
  LLVMValueRef x = lw_intrin(L, "llvm.masked.gather", over, 2, args, 3);
  if (v->type->dt == DT_I1) x = LLVMBuildTrunc(L->b, x, LLVMVectorType(L->i1, (unsigned)n), "");
  return x;
}

/* Elements [off, off + n) of v, as an n-vector. */
static LLVMValueRef get_range(Lower *L, const IrValue *v, LLVMValueRef off, int n) { return access(L, v, AT_RANGE, off, n); }

/* Chunk c (i64) of v: lw_chunk(v) elements. */
static LLVMValueRef get_chunk(Lower *L, const IrValue *v, LLVMValueRef c, int w) {
  return get_range(L, v, LLVMBuildMul(L->b, c, i64c(L, w), ""), w);
}

static LLVMValueRef get_elem(Lower *L, const IrValue *v, LLVMValueRef idx) { return access(L, v, AT_ELEM, idx, 0); }

/* Elements of v at the indices in idx (an n-vector of i64). */
static LLVMValueRef gather(Lower *L, const IrValue *v, LLVMValueRef idx) {
  return access(L, v, AT_GATHER, idx, (int)LLVMGetVectorSize(LLVMTypeOf(idx)));
}

static void put_range(Lower *L, const IrValue *v, LLVMValueRef off, LLVMValueRef x) {
  raw_store(L, v->type, base(L, v), off, x);
}

static void put_chunk(Lower *L, const IrValue *v, LLVMValueRef c, int w, LLVMValueRef x) {
  put_range(L, v, LLVMBuildMul(L->b, c, i64c(L, w), ""), x);
}

static void scatter(Lower *L, const IrValue *v, LLVMValueRef idx, LLVMValueRef x) {
  int n = (int)LLVMGetVectorSize(LLVMTypeOf(idx));
  LLVMTypeRef et = mem_elem(L, v->type);
  if (v->type->dt == DT_I1) x = LLVMBuildZExt(L->b, x, LLVMVectorType(L->i8, (unsigned)n), "");
  LLVMValueRef ptrs = LLVMBuildGEP2(L->b, et, base(L, v), &idx, 1, "");
  LLVMTypeRef over[2] = {LLVMTypeOf(x), LLVMTypeOf(ptrs)};
  LLVMValueRef args[3] = {x, ptrs, LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)n))};
  lw_intrin(L, "llvm.masked.scatter", over, 2, args, 3);
}

/* ---- runtime loops ------------------------------------------------------------------------ */

/* for (k = 0; k < n; k++) with carried values acc (bottom-tested; n == 1 emits the body
 * once with k = 0). Between loop_begin and loop_end the caller emits the body. */
typedef struct Loop {
  int64_t n;
  LLVMBasicBlockRef pre, head;
  LLVMValueRef k, *phis;
  int nacc;
} Loop;

static LLVMValueRef loop_begin(Lower *L, Loop *lp, int64_t n, LLVMValueRef *acc, int nacc) {
  lp->n = n;
  lp->nacc = nacc;
  if (n == 1) return i64c(L, 0);
  lp->pre = LLVMGetInsertBlock(L->b);
  lp->head = lw_block(L, "chunk");
  LLVMBuildBr(L->b, lp->head);
  LLVMPositionBuilderAtEnd(L->b, lp->head);
  lp->k = LLVMBuildPhi(L->b, L->i64, "c");
  lp->phis = arena_alloc(&L->arena, sizeof(LLVMValueRef) * (size_t)(nacc + 1));
  for (int i = 0; i < nacc; i++) {
    lp->phis[i] = LLVMBuildPhi(L->b, LLVMTypeOf(acc[i]), "");
    LLVMAddIncoming(lp->phis[i], &acc[i], &lp->pre, 1);
    acc[i] = lp->phis[i];
  }
  return lp->k;
}

static void loop_end(Lower *L, Loop *lp, LLVMValueRef *acc) {
  if (lp->n == 1) return;
  LLVMValueRef next = LLVMBuildAdd(L->b, lp->k, i64c(L, 1), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(L->b), exit = lw_block(L, "chunk.end");
  LLVMBuildCondBr(L->b, LLVMBuildICmp(L->b, LLVMIntULT, next, i64c(L, lp->n), ""), lp->head, exit);
  LLVMValueRef zero = i64c(L, 0);
  LLVMAddIncoming(lp->k, &zero, &lp->pre, 1);
  LLVMAddIncoming(lp->k, &next, &latch, 1);
  for (int i = 0; i < lp->nacc; i++) LLVMAddIncoming(lp->phis[i], &acc[i], &latch, 1);
  LLVMPositionBuilderAtEnd(L->b, exit);
}

/* ---- per-op staging: spilled operands, results that stay in registers ------------------- */

static int64_t stage(Lower *L, const IrValue *v, int64_t bytes) {
  CpuMem *m = L->cm;
  int64_t off = m->stage_used;
  m->stage_used += round_up(bytes);
  if (v) m->spill[m->nspill++] = (Spill){v, off};
  return off;
}

static void spill(Lower *L, const IrValue *v) {
  const IrType *t = v->type;
  for (int i = 0; i < L->cm->nspill; i++)
    if (L->cm->spill[i].v == v) return;
  int64_t off = stage(L, v, tile_bytes(t));
  TVal tv = lw_get(L, v);
  int w = lw_chunk(t);
  for (int c = 0; c < tv.n; c++) raw_store(L, t, at_off(L, off), i64c(L, (int64_t)c * w), tv.e[c]);
}

static void materialize(Lower *L, const IrValue *v) {
  const IrType *t = v->type;
  LLVMValueRef b = base(L, v);
  if (!t->rank) {
    TVal s = lw_tval(L, 1);
    s.e[0] = raw_load(L, t, b, i64c(L, 0), 0);
    lw_set(L, v, s);
    return;
  }
  int w = lw_chunk(t);
  TVal out = lw_tval(L, (int)(t->numel / w));
  for (int c = 0; c < out.n; c++) out.e[c] = raw_load(L, t, b, i64c(L, (int64_t)c * w), w);
  lw_set(L, v, out);
}

/* ---- combining: built-in operations and combine regions, on scalars or vectors --------- */

static bool region_lanes_safe(const IrBlock *r) {
  for (const IrOp *op = r->first; op; op = op->next) {
    bool ok = op->kind == OP_CONST || op->kind == OP_YIELD || ir_is_elementwise(op);
    if (!ok) return false;
  }
  return true;
}

/* out = a ⊕ b for tuples of REDUCE/SCAN op; vectors combine lane by lane. A combine region
 * of plain arithmetic runs once on whole vectors (L->lanes); one with control flow runs
 * per lane. */
static void combine(Lower *L, const IrOp *op, LLVMValueRef *a, LLVMValueRef *b, LLVMValueRef *out) {
  if (op->i2 != RED_CUSTOM || !is_vec(a[0])) {
    int saved = L->lanes;
    L->lanes = 0;
    lw_combine_n(L, op, a, b, out);
    L->lanes = saved;
    return;
  }
  int n = op->nopnds, lanes = (int)LLVMGetVectorSize(LLVMTypeOf(a[0]));
  int saved = L->lanes;
  if (region_lanes_safe(op->regions[0])) {
    L->lanes = lanes;
    lw_combine_n(L, op, a, b, out);
    L->lanes = saved;
    return;
  }
  LLVMValueRef r[16];
  for (int j = 0; j < n; j++) r[j] = LLVMGetPoison(LLVMTypeOf(a[j]));
  L->lanes = 0;
  for (int i = 0; i < lanes; i++) {
    LLVMValueRef x[16], y[16], z[16], ix = lw_i32(L, i);
    for (int j = 0; j < n; j++) {
      x[j] = LLVMBuildExtractElement(L->b, a[j], ix, "");
      y[j] = LLVMBuildExtractElement(L->b, b[j], ix, "");
    }
    lw_combine_n(L, op, x, y, z);
    for (int j = 0; j < n; j++) r[j] = LLVMBuildInsertElement(L->b, r[j], z[j], ix, "");
  }
  L->lanes = saved;
  memcpy(out, r, sizeof(LLVMValueRef) * (size_t)n);
}

static LLVMValueRef shuffle(Lower *L, LLVMValueRef v, const int *mask, int n) {
  LLVMValueRef m[CPU_CHUNK];
  for (int i = 0; i < n; i++) m[i] = lw_i32(L, mask[i]);
  return LLVMBuildShuffleVector(L->b, v, LLVMGetPoison(LLVMTypeOf(v)), LLVMConstVector(m, (unsigned)n), "");
}

/* Vectors of w lanes → scalars, by halving (a tree, like a GPU's shuffle reduction). */
static void hreduce(Lower *L, const IrOp *op, LLVMValueRef *v, int w) {
  int n = op->nopnds;
  for (; w > 1; w /= 2) {
    int h = w / 2, lo[CPU_CHUNK], hi[CPU_CHUNK];
    for (int i = 0; i < h; i++) lo[i] = i, hi[i] = h + i;
    LLVMValueRef a[16], b[16];
    for (int j = 0; j < n; j++) {
      a[j] = shuffle(L, v[j], lo, h);
      b[j] = shuffle(L, v[j], hi, h);
    }
    combine(L, op, a, b, v);
  }
  for (int j = 0; j < n; j++) v[j] = LLVMBuildExtractElement(L->b, v[j], lw_i32(L, 0), "");
}

/* ---- ops -------------------------------------------------------------------------------------- */

static void lower_ew(Lower *L, IrOp *op) {
  const IrValue *r = op->res[0];
  int w = lw_chunk(r->type);
  DType dt = op->opnds[op->kind == OP_SELECT ? 1 : 0]->type->dt;
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, r->type->numel / w, NULL, 0);
  LLVMValueRef x[3];
  for (int i = 0; i < op->nopnds; i++) x[i] = get_chunk(L, op->opnds[i], c, w);
  LLVMValueRef y = op->kind == OP_CAST ? lw_cast(L, x[0], op->opnds[0]->type, r->type, op->i) : lw_elementwise(L, op, dt, x);
  put_chunk(L, r, c, w, y);
  loop_end(L, &lp, NULL);
}

/* Copies tile v into the buffer at byte offset dst. */
static void copy_to(Lower *L, const IrValue *v, int64_t dst) {
  const IrType *t = v->type;
  if (!virt_def(L, v)) {
    int64_t src = buf_off(L, v);
    if (src != dst) LLVMBuildMemCpy(L->b, at_off(L, dst), MEM_ALIGN, at_off(L, src), MEM_ALIGN, i64c(L, t->numel * esize(t)));
    return;
  }
  int w = lw_chunk(t);
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, t->numel / w, NULL, 0);
  LLVMValueRef off = LLVMBuildMul(L->b, c, i64c(L, w), "");
  raw_store(L, t, at_off(L, dst), off, get_range(L, v, off, w));
  loop_end(L, &lp, NULL);
}

/* Coordinates of linear index `lin` (scalar or vector i64) in shape t: dim d. */
static LLVMValueRef coord(Lower *L, const IrType *t, LLVMValueRef lin, int d) {
  int64_t stride = 1;
  for (int e = d + 1; e < t->rank; e++) stride *= t->shape[e];
  LLVMValueRef s = i64c(L, stride), n = i64c(L, t->shape[d]);
  if (is_vec(lin)) {
    int w = (int)LLVMGetVectorSize(LLVMTypeOf(lin));
    s = vec_i64(L, stride, w);
    n = vec_i64(L, t->shape[d], w);
  }
  return LLVMBuildURem(L->b, LLVMBuildUDiv(L->b, lin, s, ""), n, "");
}

/* broadcast and trans: result coordinate d steps the source by src_stride[d] elements. */
static void lower_remap(Lower *L, IrOp *op) {
  const IrValue *src = op->opnds[0], *r = op->res[0];
  const IrType *ti = src->type, *to = r->type;
  int64_t sstride[IR_MAX_RANK], S[IR_MAX_RANK], st = 1;
  for (int d = ti->rank - 1; d >= 0; d--) {
    sstride[d] = st;
    st *= ti->shape[d];
  }
  for (int d = 0; d < to->rank; d++)
    S[d] = op->kind == OP_TRANS ? sstride[(op->i >> (4 * d)) & 15] : ti->shape[d] == 1 ? 0 : sstride[d];
  int w = lw_chunk(to), last = to->rank - 1;
  bool row = to->shape[last] >= w; /* a chunk lies within one row of the last dim */
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, to->numel / w, NULL, 0);
  LLVMValueRef lin0 = LLVMBuildMul(L->b, c, i64c(L, w), ""), y;
  if (row) {
    LLVMValueRef s0 = i64c(L, 0);
    for (int d = 0; d < to->rank; d++)
      if (S[d]) s0 = LLVMBuildAdd(L->b, s0, LLVMBuildMul(L->b, coord(L, to, lin0, d), i64c(L, S[d]), ""), "");
    if (S[last] == 1) y = get_range(L, src, s0, w);
    else if (S[last] == 0) y = cpu_splat(L, get_elem(L, src, s0), w);
    else {
      LLVMValueRef idx = LLVMBuildMul(L->b, iota(L->i64, w), vec_i64(L, S[last], w), "");
      y = gather(L, src, LLVMBuildAdd(L->b, cpu_splat(L, s0, w), idx, ""));
    }
  } else {
    LLVMValueRef lin = LLVMBuildAdd(L->b, cpu_splat(L, lin0, w), iota(L->i64, w), ""), idx = vec_i64(L, 0, w);
    for (int d = 0; d < to->rank; d++)
      if (S[d]) idx = LLVMBuildAdd(L->b, idx, LLVMBuildMul(L->b, coord(L, to, lin, d), vec_i64(L, S[d], w), ""), "");
    y = gather(L, src, idx);
  }
  put_chunk(L, r, c, w, y);
  loop_end(L, &lp, NULL);
}

static void lower_load(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0], *r = op->res[0];
  const IrValue *mask = (op->flags & MEM_MASK) ? op->opnds[1] : NULL, *other = (op->flags & MEM_OTHER) ? op->opnds[2] : NULL;
  int w = lw_chunk(r->type);
  bool contig = cpu_chunk_contiguous(p);
  LLVMTypeRef ty = lw_type(L, r->type);
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, r->type->numel / w, NULL, 0);
  LLVMValueRef ptr = get_chunk(L, p, c, w), y;
  LLVMValueRef m = mask ? get_chunk(L, mask, c, w) : LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)w));
  LLVMValueRef o = other ? get_chunk(L, other, c, w) : LLVMConstNull(ty);
  if (contig) {
    LLVMValueRef b = LLVMBuildExtractElement(L->b, ptr, lw_i32(L, 0), "");
    if (!mask) {
      y = LLVMBuildLoad2(L->b, ty, b, "");
      LLVMSetAlignment(y, (unsigned)dtype_bits(r->type->dt) / 8);
    } else {
      LLVMTypeRef over[2] = {ty, L->ptr_g};
      LLVMValueRef args[3] = {b, m, o};
      y = lw_intrin(L, "llvm.masked.load", over, 2, args, 3);
    }
  } else {
    LLVMTypeRef over[2] = {ty, LLVMTypeOf(ptr)};
    LLVMValueRef args[3] = {ptr, m, o};
    y = lw_intrin(L, "llvm.masked.gather", over, 2, args, 3);
  }
  put_chunk(L, r, c, w, y);
  loop_end(L, &lp, NULL);
}

static void lower_store(Lower *L, IrOp *op) {
  const IrValue *p = op->opnds[0], *val = op->opnds[1], *mask = (op->flags & MEM_MASK) ? op->opnds[2] : NULL;
  int w = lw_chunk(p->type);
  bool contig = cpu_chunk_contiguous(p);
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, p->type->numel / w, NULL, 0);
  LLVMValueRef ptr = get_chunk(L, p, c, w), x = get_chunk(L, val, c, w);
  LLVMValueRef m = mask ? get_chunk(L, mask, c, w) : LLVMConstAllOnes(LLVMVectorType(L->i1, (unsigned)w));
  if (contig) {
    LLVMValueRef b = LLVMBuildExtractElement(L->b, ptr, lw_i32(L, 0), "");
    if (!mask) {
      LLVMValueRef st = LLVMBuildStore(L->b, x, b);
      LLVMSetAlignment(st, (unsigned)dtype_bits(p->type->pointee->dt) / 8);
    } else {
      LLVMTypeRef over[2] = {LLVMTypeOf(x), L->ptr_g};
      LLVMValueRef args[3] = {x, b, m};
      lw_intrin(L, "llvm.masked.store", over, 2, args, 3);
    }
  } else {
    LLVMTypeRef over[2] = {LLVMTypeOf(x), LLVMTypeOf(ptr)};
    LLVMValueRef args[3] = {x, ptr, m};
    lw_intrin(L, "llvm.masked.scatter", over, 2, args, 3);
  }
  loop_end(L, &lp, NULL);
}

/* Lane by lane, as in lower_cpu.c (a program is one thread). */
static void lower_atomic(Lower *L, IrOp *op) {
  const IrValue *r = op->res[0];
  bool cas = op->kind == OP_ATOMIC_CAS;
  const IrValue *mask = (op->flags & MEM_MASK) ? op->opnds[2] : NULL;
  int w = lw_chunk(r->type);
  Loop lp;
  LLVMValueRef c = loop_begin(L, &lp, r->type->numel / w, NULL, 0);
  LLVMValueRef ptr = get_chunk(L, op->opnds[0], c, w), a = get_chunk(L, op->opnds[1], c, w);
  LLVMValueRef b = cas ? get_chunk(L, op->opnds[2], c, w) : NULL, mk = mask ? get_chunk(L, mask, c, w) : NULL;
  LLVMValueRef v = LLVMGetPoison(lw_type(L, r->type));
  for (int i = 0; i < w; i++) {
    LLVMValueRef ix = lw_i32(L, i);
    LLVMValueRef p = LLVMBuildExtractElement(L->b, ptr, ix, ""), x = LLVMBuildExtractElement(L->b, a, ix, "");
    LLVMValueRef y = cas ? LLVMBuildExtractElement(L->b, b, ix, "") : NULL;
    LLVMValueRef m = mk ? LLVMBuildExtractElement(L->b, mk, ix, "") : NULL;
    LLVMValueRef old = cas ? lw_atomic_if(L, op, m, p, y, x) : lw_atomic_if(L, op, m, p, x, NULL);
    v = LLVMBuildInsertElement(L->b, v, old, ix, "");
  }
  put_chunk(L, r, c, w, v);
  loop_end(L, &lp, NULL);
}

/* Reduce or scan along the axis, "lines" of len elements inner apart: wl lines at a time,
 * one lane each (consecutive lanes are consecutive elements when inner % wl == 0, else
 * gathered). A reduce stores each line's total, a scan every running value. */
static void reduce_scan_lines(Lower *L, IrOp *op, int64_t len, int64_t inner) {
  int n = op->nopnds;
  bool scan = op->kind == OP_SCAN, reverse = scan && (op->flags & 1);
  int64_t lines = op->opnds[0]->type->numel / len;
  int wl = lines < CPU_CHUNK ? (int)lines : CPU_CHUNK;
  bool contig = inner % wl == 0;
  Loop lq;
  LLVMValueRef q = loop_begin(L, &lq, lines / wl, NULL, 0);
  LLVMValueRef l0 = LLVMBuildMul(L->b, q, i64c(L, wl), ""), b0 = NULL, bv = NULL;
  if (contig)
    b0 = LLVMBuildAdd(L->b, LLVMBuildMul(L->b, LLVMBuildUDiv(L->b, l0, i64c(L, inner), ""), i64c(L, len * inner), ""),
                      LLVMBuildURem(L->b, l0, i64c(L, inner), ""), "");
  else {
    LLVMValueRef l = LLVMBuildAdd(L->b, cpu_splat(L, l0, wl), iota(L->i64, wl), "");
    bv = LLVMBuildAdd(L->b, LLVMBuildMul(L->b, LLVMBuildUDiv(L->b, l, vec_i64(L, inner, wl), ""), vec_i64(L, len * inner, wl), ""),
                      LLVMBuildURem(L->b, l, vec_i64(L, inner, wl), ""), "");
  }
  LLVMValueRef acc[16], x[16];
  /* element j of every line: offset j * inner */
#define AT(j) (contig ? LLVMBuildAdd(L->b, b0, LLVMBuildMul(L->b, (j), i64c(L, inner), ""), "") \
                      : LLVMBuildAdd(L->b, bv, cpu_splat(L, LLVMBuildMul(L->b, (j), i64c(L, inner), ""), wl), ""))
  LLVMValueRef j0 = i64c(L, reverse ? len - 1 : 0), at0 = AT(j0);
  for (int k = 0; k < n; k++) {
    acc[k] = contig ? get_range(L, op->opnds[k], at0, wl) : gather(L, op->opnds[k], at0);
    if (scan) {
      if (contig) put_range(L, op->res[k], at0, acc[k]);
      else scatter(L, op->res[k], at0, acc[k]);
    }
  }
  if (len > 1) {
    Loop lj;
    LLVMValueRef t = loop_begin(L, &lj, len - 1, acc, n);
    LLVMValueRef j = reverse ? LLVMBuildSub(L->b, i64c(L, len - 2), t, "") : LLVMBuildAdd(L->b, t, i64c(L, 1), "");
    LLVMValueRef at = AT(j);
    for (int k = 0; k < n; k++) x[k] = contig ? get_range(L, op->opnds[k], at, wl) : gather(L, op->opnds[k], at);
    combine(L, op, acc, x, acc);
    if (scan)
      for (int k = 0; k < n; k++) {
        if (contig) put_range(L, op->res[k], at, acc[k]);
        else scatter(L, op->res[k], at, acc[k]);
      }
    loop_end(L, &lj, acc);
  }
#undef AT
  if (!scan)
    for (int k = 0; k < n; k++) {
      if (op->res[k]->type->rank) put_range(L, op->res[k], l0, acc[k]);
      else put_range(L, op->res[k], i64c(L, 0), LLVMBuildExtractElement(L->b, acc[k], lw_i32(L, 0), ""));
    }
  loop_end(L, &lq, NULL);
}

/* Reduce along the innermost axis, len >= chunk: per line, chunks combine lane-wise, then
 * the lanes combine as a tree. */
static void reduce_rows(Lower *L, IrOp *op, int64_t len, int w) {
  int n = op->nopnds;
  int64_t cnt = len / w, lines = op->opnds[0]->type->numel / len;
  Loop lo;
  LLVMValueRef o = loop_begin(L, &lo, lines, NULL, 0), acc[16], x[16];
  LLVMValueRef c0 = LLVMBuildMul(L->b, o, i64c(L, cnt), "");
  for (int k = 0; k < n; k++) acc[k] = get_chunk(L, op->opnds[k], c0, w);
  if (cnt > 1) {
    Loop lt;
    LLVMValueRef t = loop_begin(L, &lt, cnt - 1, acc, n);
    LLVMValueRef c = LLVMBuildAdd(L->b, c0, LLVMBuildAdd(L->b, t, i64c(L, 1), ""), "");
    for (int k = 0; k < n; k++) x[k] = get_chunk(L, op->opnds[k], c, w);
    combine(L, op, acc, x, acc);
    loop_end(L, &lt, acc);
  }
  hreduce(L, op, acc, w);
  for (int k = 0; k < n; k++) put_range(L, op->res[k], op->res[k]->type->rank ? o : i64c(L, 0), acc[k]);
  loop_end(L, &lo, NULL);
}

/* Inclusive scan of each chunk in registers (Hillis-Steele: log2(w) shifted combines). */
static void scan_chunk(Lower *L, IrOp *op, LLVMValueRef *x, int w, bool reverse) {
  int n = op->nopnds;
  for (int s = 1; s < w; s *= 2) {
    int mask[CPU_CHUNK];
    LLVMValueRef sel[CPU_CHUNK], sh[16], y[16];
    for (int i = 0; i < w; i++) {
      bool has = reverse ? i + s < w : i >= s;
      mask[i] = has ? (reverse ? i + s : i - s) : i;
      sel[i] = LLVMConstInt(L->i1, has, 0);
    }
    for (int k = 0; k < n; k++) sh[k] = shuffle(L, x[k], mask, w);
    combine(L, op, sh, x, y);
    LLVMValueRef m = LLVMConstVector(sel, (unsigned)w);
    for (int k = 0; k < n; k++) x[k] = LLVMBuildSelect(L->b, m, y[k], x[k], "");
  }
}

/* Scan along the innermost axis, len >= chunk: chunk by chunk in the scan's direction,
 * each scanned in registers and combined with the running value of the chunks before. */
static void scan_rows(Lower *L, IrOp *op, int64_t len, int w) {
  int n = op->nopnds;
  bool reverse = op->flags & 1;
  int64_t cnt = len / w, lines = op->opnds[0]->type->numel / len;
  LLVMValueRef lastix = lw_i32(L, reverse ? 0 : w - 1);
  Loop lo;
  LLVMValueRef o = loop_begin(L, &lo, lines, NULL, 0), x[16], carry[16];
  LLVMValueRef c0 = LLVMBuildMul(L->b, o, i64c(L, cnt), "");
  LLVMValueRef cf = reverse ? LLVMBuildAdd(L->b, c0, i64c(L, cnt - 1), "") : c0;
  for (int k = 0; k < n; k++) x[k] = get_chunk(L, op->opnds[k], cf, w);
  scan_chunk(L, op, x, w, reverse);
  for (int k = 0; k < n; k++) {
    put_chunk(L, op->res[k], cf, w, x[k]);
    carry[k] = LLVMBuildExtractElement(L->b, x[k], lastix, "");
  }
  if (cnt > 1) {
    Loop lt;
    LLVMValueRef t = loop_begin(L, &lt, cnt - 1, carry, n);
    LLVMValueRef c = reverse ? LLVMBuildSub(L->b, c0, LLVMBuildSub(L->b, t, i64c(L, cnt - 2), ""), "")
                             : LLVMBuildAdd(L->b, c0, LLVMBuildAdd(L->b, t, i64c(L, 1), ""), "");
    for (int k = 0; k < n; k++) x[k] = get_chunk(L, op->opnds[k], c, w);
    scan_chunk(L, op, x, w, reverse);
    LLVMValueRef cv[16];
    for (int k = 0; k < n; k++) cv[k] = cpu_splat(L, carry[k], w);
    combine(L, op, cv, x, x);
    for (int k = 0; k < n; k++) {
      put_chunk(L, op->res[k], c, w, x[k]);
      carry[k] = LLVMBuildExtractElement(L->b, x[k], lastix, "");
    }
    loop_end(L, &lt, carry);
  }
  loop_end(L, &lo, NULL);
}

static void lower_reduce_scan(Lower *L, IrOp *op) {
  const IrType *ti = op->opnds[0]->type;
  int ax = (int)op->i, w = lw_chunk(ti);
  int64_t len = ti->shape[ax], inner = 1;
  for (int d = ax + 1; d < ti->rank; d++) inner *= ti->shape[d];
  if (inner == 1 && len >= w) {
    if (op->kind == OP_SCAN) scan_rows(L, op, len, w);
    else reduce_rows(L, op, len, w);
  } else reduce_scan_lines(L, op, len, inner);
}

/* tl.dot: one runtime loop over result chunks, one over K inside. A chunk within one row
 * multiplies a broadcast element of A by a contiguous piece of a row of B; narrower rows
 * gather both. */
static void lower_dot(Lower *L, IrOp *op) {
  const IrValue *A = op->opnds[0], *B = op->opnds[1], *C = op->opnds[2], *r = op->res[0];
  int64_t K = A->type->shape[1], N = B->type->shape[1];
  int w = lw_chunk(r->type);
  bool row = N >= w;
  Loop lq, lk;
  LLVMValueRef q = loop_begin(L, &lq, r->type->numel / w, NULL, 0);
  LLVMValueRef lin0 = LLVMBuildMul(L->b, q, i64c(L, w), ""), acc = get_chunk(L, C, q, w);
  LLVMValueRef arow = NULL, bcol = NULL, ia = NULL, ib = NULL;
  if (row) {
    arow = LLVMBuildMul(L->b, LLVMBuildUDiv(L->b, lin0, i64c(L, N), ""), i64c(L, K), "");
    bcol = LLVMBuildURem(L->b, lin0, i64c(L, N), "");
  } else {
    LLVMValueRef lin = LLVMBuildAdd(L->b, cpu_splat(L, lin0, w), iota(L->i64, w), "");
    ia = LLVMBuildMul(L->b, LLVMBuildUDiv(L->b, lin, vec_i64(L, N, w), ""), vec_i64(L, K, w), "");
    ib = LLVMBuildURem(L->b, lin, vec_i64(L, N, w), "");
  }
  LLVMValueRef k = loop_begin(L, &lk, K, &acc, 1), a, b;
  LLVMValueRef kn = LLVMBuildMul(L->b, k, i64c(L, N), "");
  if (row) {
    a = cpu_splat(L, get_elem(L, A, LLVMBuildAdd(L->b, arow, k, "")), w);
    b = get_range(L, B, LLVMBuildAdd(L->b, kn, bcol, ""), w);
  } else {
    a = gather(L, A, LLVMBuildAdd(L->b, ia, cpu_splat(L, k, w), ""));
    b = gather(L, B, LLVMBuildAdd(L->b, ib, cpu_splat(L, kn, w), ""));
  }
  acc = lw_mac(L, op, a, b, acc);
  loop_end(L, &lk, &acc);
  put_chunk(L, r, q, w, acc);
  loop_end(L, &lq, NULL);
}

/* Inside a combine region running on vectors (L->lanes): constants become vectors, and
 * scalar operands are splat to match. */
static bool lanes_op(Lower *L, IrOp *op) {
  LLVMValueRef y;
  if (op->kind == OP_CONST) {
    IrType e = *op->res[0]->type;
    y = cpu_splat(L, lw_const(L, &e, op->i, op->f), L->lanes);
  } else if (ir_is_elementwise(op)) {
    LLVMValueRef x[3];
    for (int i = 0; i < op->nopnds; i++) {
      x[i] = lw_get(L, op->opnds[i]).e[0];
      if (!is_vec(x[i])) x[i] = cpu_splat(L, x[i], L->lanes);
    }
    if (op->kind == OP_CAST) y = cast_n(L, x[0], op, L->lanes);
    else y = lw_elementwise(L, op, op->opnds[op->kind == OP_SELECT ? 1 : 0]->type->dt, x);
  } else return false;
  TVal t = lw_tval(L, 1);
  t.e[0] = y;
  lw_set(L, op->res[0], t);
  return true;
}

static bool known(const IrOp *op) {
  switch (op->kind) {
  case OP_CONST: case OP_SPLAT: case OP_ARANGE: case OP_EXPAND_DIMS: case OP_RESHAPE: case OP_HINT: case OP_TRANS:
  case OP_BROADCAST: case OP_LOAD: case OP_STORE: case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: case OP_REDUCE:
  case OP_SCAN: case OP_DOT:
    return true;
  default:
    return ir_is_elementwise(op);
  }
}

/* An op this file does not know (a debugging op, say) is lowered by the generic code on
 * unrolled copies of its big operands: compile time grows with them, but it works. Its big
 * results are stored once it is done, when the next op (or yield) starts. */
static void unroll_operands(Lower *L, IrOp *op) {
  for (int i = 0; i < op->nopnds; i++) {
    const IrValue *v = op->opnds[i];
    if (!v->type->rank || form(L, v) == F_REG) continue;
    int w = lw_chunk(v->type);
    TVal t = lw_tval(L, (int)(v->type->numel / w));
    for (int c = 0; c < t.n; c++) t.e[c] = get_range(L, v, i64c(L, (int64_t)c * w), w);
    lw_set(L, v, t);
  }
  L->cm->pending = op;
}

static void flush_pending(Lower *L) {
  const IrOp *op = L->cm->pending;
  if (!op) return;
  L->cm->pending = NULL;
  L->cm->nspill = 0;
  for (int i = 0; i < op->nopnds; i++)
    if (op->opnds[i]->type->rank && form(L, op->opnds[i]) != F_REG) lw_set(L, op->opnds[i], lw_tval(L, 0));
  for (int i = 0; i < op->nres; i++) {
    const IrValue *v = op->res[i];
    if (form(L, v) != F_MEM) continue;
    TVal t = lw_get(L, v);
    int w = lw_chunk(v->type);
    for (int c = 0; c < t.n; c++) put_range(L, v, i64c(L, (int64_t)c * w), t.e[c]);
    lw_set(L, v, lw_tval(L, 0));
  }
}

bool cpu_mem_op(Lower *L, IrOp *op) {
  if (L->lanes) return lanes_op(L, op);
  flush_pending(L);
  if (!touches_mem(L, op)) return false;
  if (!known(op)) {
    unroll_operands(L, op);
    return false;
  }
  CpuMem *m = L->cm;
  if (op->nopnds > 16 || op->nres > 16) { /* the tuples of a reduce or scan (fixed arrays here) */
    L->d->unsupported = true;
    lw_fail(L, op, "a reduction or scan of more than 16 tensors at once is not supported on the CPU target");
    return true;
  }
  m->nspill = 0;
  m->stage_used = 0;
  for (int i = 0; i < op->nopnds; i++)
    if (op->opnds[i]->type->rank && form(L, op->opnds[i]) == F_REG) spill(L, op->opnds[i]);
  for (int i = 0; i < op->nres; i++)
    if (form(L, op->res[i]) == F_REG) stage(L, op->res[i], op->res[i]->type->rank ? tile_bytes(op->res[i]->type) : MEM_ALIGN);
  switch (op->kind) {
  case OP_CONST: case OP_SPLAT: case OP_ARANGE: case OP_EXPAND_DIMS: case OP_RESHAPE: case OP_HINT: break; /* virtual or a view */
  case OP_TRANS: case OP_BROADCAST: lower_remap(L, op); break;
  case OP_LOAD: lower_load(L, op); break;
  case OP_STORE: lower_store(L, op); break;
  case OP_ATOMIC_RMW: case OP_ATOMIC_CAS: lower_atomic(L, op); break;
  case OP_REDUCE: case OP_SCAN: lower_reduce_scan(L, op); break;
  case OP_DOT: lower_dot(L, op); break;
  default:
    if (form(L, op->res[0]) != F_VIRT) lower_ew(L, op); /* else fused into its user */
    break;
  }
  for (int i = 0; i < op->nres; i++) {
    if (form(L, op->res[i]) == F_REG) materialize(L, op->res[i]);
    else lw_set(L, op->res[i], lw_tval(L, 0));
  }
  m->nspill = 0;
  return true;
}

/* ---- control flow: carried buffers ------------------------------------------------------- */

void cpu_mem_enter(Lower *L, IrOp *op) {
  if (!L->cm || L->failed) return;
  flush_pending(L);
  if (op->kind == OP_IF) return; /* its results' buffer is written by the yields */
  int n = op->nres;
  for (int k = 0; k < n; k++) {
    const IrValue *to = op->kind == OP_FOR ? op->regions[0]->args[1 + k] : op->regions[0]->args[k];
    const IrValue *init = op->opnds[op->kind == OP_FOR ? 3 + k : k];
    if (form(L, to) == F_MEM) copy_to(L, init, buf_off(L, to));
  }
}

void cpu_mem_yield(Lower *L, IrOp *op) {
  if (!L->cm || L->failed || L->lanes) return;
  flush_pending(L);
  CpuMem *m = L->cm;
  int off = op->kind == OP_CONDITION;
  bool any = false;
  for (int i = off; i < op->nopnds; i++) any |= form(L, op->opnds[i]) != F_REG;
  if (!any) return;
  IrValue *const *to = yield_targets(op);
  m->nspill = 0;
  m->stage_used = 0;
  int64_t *src = arena_alloc(&L->arena, sizeof(int64_t) * (size_t)op->nopnds);
  /* first save the values that sit in another target's buffer */
  for (int i = off; i < op->nopnds; i++) {
    const IrValue *v = op->opnds[i];
    if (form(L, v) == F_REG) continue;
    src[i] = -1;
    if (yield_hazard(m, op, to, i)) {
      src[i] = stage(L, NULL, tile_bytes(v->type));
      copy_to(L, v, src[i]);
    }
  }
  for (int i = off; i < op->nopnds; i++) {
    const IrValue *v = op->opnds[i];
    if (form(L, v) == F_REG) continue;
    int64_t dst = buf_off(L, to[i - off]);
    if (src[i] < 0) copy_to(L, v, dst);
    else LLVMBuildMemCpy(L->b, at_off(L, dst), MEM_ALIGN, at_off(L, src[i]), MEM_ALIGN,
                         i64c(L, v->type->numel * esize(v->type)));
  }
}
