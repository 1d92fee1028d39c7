/*
 * pipeline.c — the whole compiler in one function: source → tokens → tree → tile IR →
 * layouts → LLVM IR → O3 → PTX / AMDGCN object / host object → cubin / hsaco.
 * Every stage can be stopped at and printed (liger_emit); LIGER_DEBUG=tir,layout,llvm,ptx
 * prints the same stages to stderr while compiling.
 */
#include "codegen.h"
#include "link.h"
#include "../runtime/runtime.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool debug_on(const char *stage) {
  const char *env = getenv("LIGER_DEBUG");
  if (!env) return false;
  size_t n = strlen(stage);
  for (const char *p = env; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if ((len == n && !strncmp(p, stage, n)) || (len == 3 && !strncmp(p, "all", 3))) return true;
    p += len + (e ? 1 : 0);
  }
  return false;
}

static void dump(const char *stage, const char *kernel, const char *text) {
  if (debug_on(stage)) fprintf(stderr, "// ---- LIGER_DEBUG %s: %s ----\n%s\n", stage, kernel, text);
}

static liger_status set_text(CompileResult *out, const char *s, size_t n) {
  out->data = malloc(n + 1);
  if (!out->data) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "out of memory");
  memcpy(out->data, s, n);
  out->data[n] = 0;
  out->len = n;
  return LIGER_OK;
}

static liger_status diag_status(Diag *d) {
  liger_status st = d->unsupported ? LIGER_ERR_UNSUPPORTED : LIGER_ERR_COMPILE;
  rt_fail(st, "%s", d->text.s ? d->text.s : "compilation failed");
  return st;
}

/* LLVM reports some errors (unreadable bitcode, an operation without a lowering) as
 * diagnostics whose default handler exits the process; this one records them instead. */
typedef struct LlvmErrors {
  StrBuf text;
  int n;
} LlvmErrors;

static void on_llvm_diagnostic(LLVMDiagnosticInfoRef info, void *ctx) {
  if (LLVMGetDiagInfoSeverity(info) != LLVMDSError) return;
  LlvmErrors *e = ctx;
  char *msg = LLVMGetDiagInfoDescription(info);
  sb_printf(&e->text, "%s%s", e->n++ ? "\n" : "", msg);
  LLVMDisposeMessage(msg);
}

static liger_status llvm_failed(LlvmErrors *e, const char *kernel) {
  return rt_fail(LIGER_ERR_UNSUPPORTED, "LLVM could not compile %s for this target: %s", kernel, e->text.s ? e->text.s : "?");
}

static liger_status emit_machine(LLVMTargetMachineRef tm, LLVMModuleRef m, LLVMCodeGenFileType ft, CompileResult *out,
                                 LlvmErrors *lerr) {
  char *err = NULL;
  LLVMMemoryBufferRef buf;
  if (LLVMTargetMachineEmitToMemoryBuffer(tm, m, ft, &err, &buf)) {
    liger_status st = rt_fail(LIGER_ERR_INTERNAL, "LLVM code generation failed: %s", err ? err : "?");
    LLVMDisposeMessage(err);
    return st;
  }
  liger_status st = lerr->n ? llvm_failed(lerr, "the kernel") : set_text(out, LLVMGetBufferStart(buf), LLVMGetBufferSize(buf));
  LLVMDisposeMemoryBuffer(buf);
  return st;
}

static bool emit_fits(const Target *t, liger_emit e) {
  switch (e) {
  case LIGER_EMIT_PTX: case LIGER_EMIT_CUBIN: return t->kind == TGT_NVPTX;
  case LIGER_EMIT_HSACO: return t->kind == TGT_AMDGPU;
  case LIGER_EMIT_OBJ: return t->kind != TGT_NVPTX;
  default: return true;
  }
}

liger_status cg_compile(const CompileJob *job, liger_emit emit, CompileResult *out) {
  memset(out, 0, sizeof *out);
  const Target *t = job->target;
  if (!emit_fits(t, emit)) return rt_fail(LIGER_ERR_INVALID_ARG, "this output kind does not exist for target %s", t->name);
  Arena arena = {0};
  Diag d = {0};
  liger_status st = LIGER_OK;
  LLVMContextRef ctx = NULL;
  LLVMModuleRef m = NULL;
  LLVMTargetMachineRef tm = NULL;
  StrBuf text = {0};
  LlvmErrors lerr = {0};

  /* 1-3: front end */
  Module *mod = load_module(&arena, &d, job->file, job->closure, job->nclosure);
  IrModule *ir = mod ? sema_build(&arena, &d, mod, job->kernel, job->const_names, job->const_values, job->nconsts,
                                  job->args, job->nargs, job->num_warps)
                     : NULL;
  if (!ir) {
    st = diag_status(&d);
    goto done;
  }
  IrFunc *f = ir->func;
  out->kernel_name = strdup(f->name);
  ir_print(&text, f, NULL, NULL);
  dump("tir", f->name, text.s);
  if (emit == LIGER_EMIT_TIR) {
    st = set_text(out, text.s, text.len);
    goto done;
  }
  /* 4: layouts */
  cg_layout(&arena, f, t);
  if (emit == LIGER_EMIT_LAYOUT || debug_on("layout")) {
    text.len = 0;
    ir_print(&text, f, cg_layout_annot, NULL);
    dump("layout", f->name, text.s);
    if (emit == LIGER_EMIT_LAYOUT) {
      st = set_text(out, text.s, text.len);
      goto done;
    }
  }
  /* 5: LLVM IR */
  tm = cg_target_machine(t);
  if (!tm) {
    st = LIGER_ERR_INTERNAL;
    goto done;
  }
  ctx = LLVMContextCreate();
  LLVMContextSetDiagnosticHandler(ctx, on_llvm_diagnostic, &lerr);
  m = cg_lower(ctx, f, t, &out->meta, &d);
  if (!m) {
    st = diag_status(&d);
    goto done;
  }
  LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(m, dl);
  LLVMDisposeTargetData(dl);
  if ((t->kind == TGT_NVPTX && !cg_link_libdevice(m, &d)) ||
      (t->kind == TGT_AMDGPU && !cg_link_ocml(m, t->cpu, t->warp_size == 64, &d)) || lerr.n) {
    if (lerr.n) diag_error(&d, (SrcLoc){0}, "%s", lerr.text.s);
    st = diag_status(&d);
    goto done;
  }
  char *verr = NULL;
  if (LLVMVerifyModule(m, LLVMReturnStatusAction, &verr)) {
    char *ir_text = LLVMPrintModuleToString(m);
    st = rt_fail(LIGER_ERR_INTERNAL, "internal error: invalid LLVM IR for %s: %s\n%s", f->name, verr, ir_text);
    LLVMDisposeMessage(ir_text);
    LLVMDisposeMessage(verr);
    goto done;
  }
  LLVMDisposeMessage(verr);
  /* 6: optimise */
  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  const char *pipeline = getenv("LIGER_LLVM_PASSES"); /* e.g. "default<O1>" to compare */
  /* globaldce first: of the ~350 libdevice/ocml functions linked in, a kernel calls a few;
   * dropping the rest before O3 saves the optimiser a third of its time (softmax: 20 ms) */
  char deflt[48]; /* ligerc -O picks the level; the JIT always runs O3 */
  snprintf(deflt, sizeof deflt, "globaldce,default<O%d>", job->opt_level ? job->opt_level - 1 : 3);
  LLVMErrorRef perr = LLVMRunPasses(m, pipeline && *pipeline ? pipeline : deflt, tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (perr) {
    char *msg = LLVMGetErrorMessage(perr);
    st = rt_fail(LIGER_ERR_INTERNAL, "LLVM optimisation failed: %s", msg);
    LLVMDisposeErrorMessage(msg);
    goto done;
  }
  if (lerr.n) {
    st = llvm_failed(&lerr, f->name);
    goto done;
  }
  if (emit == LIGER_EMIT_LLVM || debug_on("llvm")) {
    char *s = LLVMPrintModuleToString(m);
    dump("llvm", f->name, s);
    if (emit == LIGER_EMIT_LLVM) st = set_text(out, s, strlen(s));
    LLVMDisposeMessage(s);
    if (emit == LIGER_EMIT_LLVM) goto done;
  }
  /* 7: target code */
  if (t->kind == TGT_NVPTX) {
    CompileResult ptx = {0};
    st = emit_machine(tm, m, LLVMAssemblyFile, &ptx, &lerr);
    if (st != LIGER_OK) goto done;
    dump("ptx", f->name, ptx.data);
    if (emit == LIGER_EMIT_CUBIN) {
      st = cg_link_cubin(ptx.data, ptx.len, t->cpu, &out->data, &out->len);
      free(ptx.data);
    } else {
      out->data = ptx.data;
      out->len = ptx.len;
    }
    goto done;
  }
  if (emit == LIGER_EMIT_ASM || emit == LIGER_EMIT_PTX) {
    st = emit_machine(tm, m, LLVMAssemblyFile, out, &lerr);
    if (st == LIGER_OK) dump(t->kind == TGT_AMDGPU ? "amdgcn" : "asm", f->name, out->data);
    goto done;
  }
  CompileResult obj = {0};
  st = emit_machine(tm, m, LLVMObjectFile, &obj, &lerr);
  if (st != LIGER_OK) goto done;
  if (t->kind == TGT_AMDGPU && emit != LIGER_EMIT_OBJ) {
    st = cg_link_hsaco(obj.data, obj.len, &out->data, &out->len);
    free(obj.data);
  } else {
    out->data = obj.data;
    out->len = obj.len;
  }

done:
  if (m) LLVMDisposeModule(m);
  if (ctx) LLVMContextDispose(ctx);
  if (tm) LLVMDisposeTargetMachine(tm);
  sb_free(&text);
  sb_free(&lerr.text);
  sb_free(&d.text);
  arena_free(&arena);
  if (st != LIGER_OK) {
    free(out->data);
    free(out->kernel_name);
    memset(out, 0, sizeof *out);
  }
  return st;
}
