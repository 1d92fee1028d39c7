/*
 * lower_debug.c — the debugging ops: HINT (the user's promise, already used by the axis
 * analysis; the value passes through), PRINT (tl.device_print) and ASSERT
 * (tl.device_assert in debug builds), on every target.
 *
 * PRINT writes one line per element: `pid (x, y, z) idx (i, j) <prefix><value>`, by printf
 * on the CPU and vprintf on NVIDIA (each element once, by the thread that owns it). AMD
 * printing needs the HIP runtime's hostcall buffer and is refused with a message.
 * ASSERT: on NVIDIA a failing element calls __assertfail (the kernel traps; the launch's
 * stream reports the error, as CUDA's assert does); on AMD it traps; on the CPU the program
 * calls the runtime's __liger_assert_fail and returns, and the launch reports the message.
 */
#include "lower_util.h"

#include <stdio.h>
#include <string.h>

/* Elements of a tile spilled to the stack on the CPU at most (a bigger print is refused). */
enum { CPU_PRINT_MAX_BYTES = 64 * 1024 };

typedef void (*ElemFn)(Lower *L, void *ctx, LLVMValueRef val, LLVMValueRef idx);

typedef struct ElemLoop {
  const IrValue *v;
  LLVMTypeRef et; /* element type in memory (i1 kept as i8) */
  LLVMValueRef buf;
  ElemFn fn;
  void *ctx;
} ElemLoop;

static void elem_loop_body(Lower *L, void *ctx, LLVMValueRef k, LLVMValueRef *acc) {
  (void)acc;
  ElemLoop *e = ctx;
  LLVMValueRef x = LLVMBuildLoad2(L->b, e->et, LLVMBuildGEP2(L->b, e->et, e->buf, &k, 1, ""), "");
  if (e->v->type->dt == DT_I1) x = LLVMBuildTrunc(L->b, x, L->i1, "");
  e->fn(L, e->ctx, x, k);
}

/* An alloca in the entry block, so that one inside a loop does not grow the stack. */
static LLVMValueRef entry_alloca(Lower *L, LLVMTypeRef t) {
  LLVMBasicBlockRef cur = LLVMGetInsertBlock(L->b);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(L->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first) LLVMPositionBuilderBefore(L->b, first);
  else LLVMPositionBuilderAtEnd(L->b, entry);
  LLVMValueRef a = LLVMBuildAlloca(L->b, t, "");
  LLVMPositionBuilderAtEnd(L->b, cur);
  return a;
}

/* Calls fn once per element of v held here, with its value and row-major index (i32). On
 * GPUs only the owner of an element calls it; on the CPU a runtime loop walks the tile. */
static bool each_elem(Lower *L, const IrOp *op, const IrValue *v, ElemFn fn, void *ctx) {
  TVal tv = lw_get(L, v);
  const IrType *t = v->type;
  if (!t->rank) {
    LLVMValueRef own = L->t->kind == TGT_CPU ? NULL : LLVMBuildICmp(L->b, LLVMIntEQ, L->tid, lw_i32(L, 0), "");
    LLVMBasicBlockRef body = NULL, done = NULL;
    if (own) {
      body = lw_block(L, "elem.own");
      done = lw_block(L, "elem.done");
      LLVMBuildCondBr(L->b, own, body, done);
      LLVMPositionBuilderAtEnd(L->b, body);
    }
    fn(L, ctx, tv.e[0], lw_i32(L, 0));
    if (own) {
      LLVMBuildBr(L->b, done);
      LLVMPositionBuilderAtEnd(L->b, done);
    }
    return true;
  }
  if (L->t->kind == TGT_CPU) {
    LLVMTypeRef et = t->dt == DT_I1 ? L->i8 : lw_elem_type(L, t);
    int64_t bytes = t->numel * (t->dt == DT_I1 ? 1 : (dtype_bits(t->dt) ? dtype_bits(t->dt) / 8 : 8));
    if (bytes > CPU_PRINT_MAX_BYTES) {
      lw_fail(L, op, "%s of a tile of %lld bytes is not supported on the CPU target (at most %d)",
              op->kind == OP_PRINT ? "device_print" : "device_assert", (long long)bytes, CPU_PRINT_MAX_BYTES);
      return false;
    }
    LLVMValueRef buf = entry_alloca(L, LLVMArrayType2(et, (uint64_t)t->numel));
    int w = lw_chunk(t);
    for (int c = 0; c < tv.n; c++) {
      LLVMValueRef chunk = tv.e[c];
      if (t->dt == DT_I1) chunk = LLVMBuildZExt(L->b, chunk, LLVMVectorType(L->i8, (unsigned)w), "");
      LLVMValueRef off = lw_i32(L, (int64_t)c * w);
      LLVMValueRef st = LLVMBuildStore(L->b, chunk, LLVMBuildGEP2(L->b, et, buf, &off, 1, ""));
      LLVMSetAlignment(st, 1);
    }
    ElemLoop e = {v, et, buf, fn, ctx};
    lw_counted_loop(L, t->numel, NULL, 0, elem_loop_body, &e);
    return true;
  }
  LLVMValueRef own = gpu_elem_owner(L, v);
  for (int r = 0; r < tv.n; r++) {
    LLVMBasicBlockRef body = NULL, done = NULL;
    if (own) {
      body = lw_block(L, "elem.own");
      done = lw_block(L, "elem.done");
      LLVMBuildCondBr(L->b, own, body, done);
      LLVMPositionBuilderAtEnd(L->b, body);
    }
    fn(L, ctx, tv.e[r], gpu_elem_index(L, v, r));
    if (own) {
      LLVMBuildBr(L->b, done);
      LLVMPositionBuilderAtEnd(L->b, done);
    }
  }
  return true;
}

/* ---- device_print ---------------------------------------------------------------------------- */

typedef struct PrintCtx {
  const IrOp *op;
  const IrType *t;
  LLVMValueRef fmt;
} PrintCtx;

/* printf conversion of one element (after promotion: floats as double, small ints as i32). */
static const char *conv(DType dt, bool hex) {
  if (dt == DT_PTR) return "%p";
  if (dtype_is_float(dt)) return "%.8g";
  bool wide = dtype_bits(dt) == 64;
  if (hex) return wide ? "0x%llx" : "0x%x";
  if (dt == DT_I1) return "%d";
  if (dtype_is_signed(dt)) return wide ? "%lld" : "%d";
  return wide ? "%llu" : "%u";
}

static LLVMValueRef promote(Lower *L, DType dt, LLVMValueRef x) {
  if (dtype_is_float(dt)) return dt == DT_F64 ? x : LLVMBuildFPExt(L->b, x, L->f64, "");
  if (dt == DT_PTR || dtype_bits(dt) == 64) return x;
  if (dt == DT_I1 || !dtype_is_signed(dt)) return LLVMBuildZExt(L->b, x, L->i32, "");
  return dtype_bits(dt) == 32 ? x : LLVMBuildSExt(L->b, x, L->i32, "");
}

static void print_elem(Lower *L, void *vctx, LLVMValueRef val, LLVMValueRef idx) {
  PrintCtx *p = vctx;
  const IrType *t = p->t;
  LLVMValueRef args[3 + IR_MAX_RANK + 1];
  int n = 0;
  for (int i = 0; i < 3; i++) args[n++] = L->pid[i];
  int64_t stride = 1;
  LLVMValueRef coords[IR_MAX_RANK];
  for (int d = t->rank - 1; d >= 0; d--) {
    LLVMValueRef c = LLVMBuildUDiv(L->b, idx, lw_i32(L, stride), "");
    coords[d] = LLVMBuildURem(L->b, c, lw_i32(L, t->shape[d]), "");
    stride *= t->shape[d];
  }
  for (int d = 0; d < t->rank; d++) args[n++] = coords[d];
  args[n++] = promote(L, t->dt, val);
  if (L->t->kind == TGT_CPU) {
    LLVMTypeRef pt = LLVMPointerTypeInContext(L->ctx, 0);
    LLVMTypeRef fty = LLVMFunctionType(L->i32, &pt, 1, 1);
    LLVMValueRef f = LLVMGetNamedFunction(L->mod, "printf");
    if (!f) f = LLVMAddFunction(L->mod, "printf", fty);
    LLVMValueRef all[3 + IR_MAX_RANK + 2];
    all[0] = p->fmt;
    memcpy(all + 1, args, sizeof(LLVMValueRef) * (size_t)n);
    LLVMBuildCall2(L->b, fty, f, all, (unsigned)n + 1, "");
    return;
  }
  /* vprintf(fmt, buffer): the arguments packed at their natural alignment */
  LLVMTypeRef fields[3 + IR_MAX_RANK + 1];
  for (int i = 0; i < n; i++) fields[i] = LLVMTypeOf(args[i]);
  LLVMTypeRef st = LLVMStructTypeInContext(L->ctx, fields, (unsigned)n, 0);
  LLVMValueRef buf = entry_alloca(L, st);
  for (int i = 0; i < n; i++) LLVMBuildStore(L->b, args[i], LLVMBuildStructGEP2(L->b, st, buf, (unsigned)i, ""));
  LLVMTypeRef pt = LLVMPointerTypeInContext(L->ctx, 0);
  LLVMTypeRef ps[2] = {pt, pt};
  LLVMTypeRef fty = LLVMFunctionType(L->i32, ps, 2, 0);
  LLVMValueRef f = LLVMGetNamedFunction(L->mod, "vprintf");
  if (!f) f = LLVMAddFunction(L->mod, "vprintf", fty);
  LLVMValueRef cargs[2] = {p->fmt, LLVMBuildAddrSpaceCast(L->b, buf, pt, "")};
  LLVMBuildCall2(L->b, fty, f, cargs, 2, "");
}

/* A constant C string in the module's default address space. */
static LLVMValueRef cstring(Lower *L, const char *s) {
  LLVMValueRef init = LLVMConstStringInContext2(L->ctx, s, strlen(s), 0);
  LLVMValueRef g = LLVMAddGlobal(L->mod, LLVMTypeOf(init), ".str");
  LLVMSetInitializer(g, init);
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMPrivateLinkage);
  LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
  return g;
}

static void lower_print(Lower *L, IrOp *op) {
  if (L->t->kind == TGT_AMDGPU) {
    L->d->unsupported = true;
    lw_fail(L, op, "device_print is not supported on AMD targets yet (it needs the HIP runtime's hostcall printf buffer)");
    return;
  }
  const IrValue *v = op->opnds[0];
  const IrType *t = v->type;
  StrBuf f = {0};
  sb_puts(&f, "pid (%d, %d, %d) ");
  if (t->rank) {
    sb_puts(&f, "idx (");
    for (int d = 0; d < t->rank; d++) sb_puts(&f, d ? ", %d" : "%d");
    sb_puts(&f, ") ");
  }
  for (const char *s = op->str; s && *s; s++) sb_puts(&f, *s == '%' ? "%%" : (char[2]){*s, 0});
  sb_puts(&f, conv(t->dt, op->i));
  sb_puts(&f, "\n");
  PrintCtx p = {op, t, cstring(L, f.s)};
  sb_free(&f);
  each_elem(L, op, v, print_elem, &p);
}

/* ---- device_assert ------------------------------------------------------------------------------ */

static void any_false(Lower *L, void *ctx, LLVMValueRef val, LLVMValueRef idx) {
  (void)idx;
  LLVMValueRef *acc = ctx;
  LLVMValueRef bad = LLVMBuildNot(L->b, val, "");
  *acc = *acc ? LLVMBuildOr(L->b, *acc, bad, "") : bad;
}

static void lower_assert(Lower *L, IrOp *op) {
  const IrValue *c = op->opnds[0];
  TVal tv = lw_get(L, c);
  LLVMValueRef bad = NULL;
  if (L->t->kind == TGT_CPU) {
    for (int k = 0; k < tv.n; k++) {
      LLVMValueRef x = LLVMBuildNot(L->b, tv.e[k], "");
      if (LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMVectorTypeKind) {
        LLVMTypeRef vt = LLVMTypeOf(x);
        x = lw_intrin(L, "llvm.vector.reduce.or", &vt, 1, &x, 1);
      }
      bad = bad ? LLVMBuildOr(L->b, bad, x, "") : x;
    }
  } else {
    for (int r = 0; r < tv.n; r++) any_false(L, &bad, tv.e[r], NULL);
  }
  const char *file = op->loc.file ? op->loc.file->name : "<kernel>";
  char where[64];
  snprintf(where, sizeof where, ":%d:%d", op->loc.line, op->loc.col);
  StrBuf msg = {0};
  sb_printf(&msg, "%s%s: device_assert failed%s%s", file, where, op->str && *op->str ? ": " : "", op->str ? op->str : "");
  LLVMBasicBlockRef fail = lw_block(L, "assert.fail"), ok = lw_block(L, "assert.ok");
  LLVMBuildCondBr(L->b, bad, fail, ok);
  LLVMPositionBuilderAtEnd(L->b, fail);
  LLVMTypeRef pt = LLVMPointerTypeInContext(L->ctx, 0);
  if (L->t->kind == TGT_CPU) {
    LLVMTypeRef ps[4] = {pt, L->i32, L->i32, L->i32};
    LLVMTypeRef fty = LLVMFunctionType(L->vd, ps, 4, 0);
    LLVMValueRef f = LLVMGetNamedFunction(L->mod, "__liger_assert_fail");
    if (!f) f = LLVMAddFunction(L->mod, "__liger_assert_fail", fty);
    LLVMValueRef args[4] = {cstring(L, msg.s), L->pid[0], L->pid[1], L->pid[2]};
    LLVMBuildCall2(L->b, fty, f, args, 4, "");
    LLVMBuildRetVoid(L->b); /* the program stops here; the runtime reports the message */
  } else if (L->t->kind == TGT_NVPTX) {
    LLVMTypeRef ps[5] = {pt, pt, L->i32, pt, L->i64};
    LLVMTypeRef fty = LLVMFunctionType(L->vd, ps, 5, 0);
    LLVMValueRef f = LLVMGetNamedFunction(L->mod, "__assertfail");
    if (!f) f = LLVMAddFunction(L->mod, "__assertfail", fty);
    char line[16];
    snprintf(line, sizeof line, "%d", op->loc.line);
    LLVMValueRef args[5] = {cstring(L, op->str && *op->str ? op->str : "device_assert"), cstring(L, file),
                            LLVMConstInt(L->i32, (unsigned long long)op->loc.line, 0), cstring(L, L->f->name),
                            LLVMConstInt(L->i64, 1, 0)};
    LLVMBuildCall2(L->b, fty, f, args, 5, "");
    LLVMBuildBr(L->b, ok);
  } else {
    lw_intrin(L, "llvm.trap", NULL, 0, NULL, 0);
    LLVMBuildBr(L->b, ok);
  }
  sb_free(&msg);
  LLVMPositionBuilderAtEnd(L->b, ok);
}

bool lw_debug_op(Lower *L, IrOp *op) {
  switch (op->kind) {
  case OP_HINT: lw_set(L, op->res[0], lw_get(L, op->opnds[0])); return true;
  case OP_PRINT: lower_print(L, op); return true;
  case OP_ASSERT: lower_assert(L, op); return true;
  default: return false;
  }
}
