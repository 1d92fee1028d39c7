/*
 * libs.c — math libraries linked into a kernel module only when it calls them: NVIDIA's
 * libdevice (embedded at build time from the CUDA toolkit, or read from LIGER_LIBDEVICE /
 * /usr/local/cuda at run time) and AMD's ocml (embedded from rocm-device-libs, or read from
 * LIGER_OCML). Linked functions are internalised so that O3 keeps only what the kernel uses.
 */
#include "codegen.h"

#include <llvm-c/BitReader.h>
#include <llvm-c/Linker.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LIGER_HAVE_LIBDEVICE
extern const unsigned char liger_libdevice[];
extern const unsigned long liger_libdevice_len;
#endif
#ifdef LIGER_HAVE_OCML
extern const unsigned char liger_ocml[];
extern const unsigned long liger_ocml_len;
#endif

static bool uses_prefix(LLVMModuleRef m, const char *prefix) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    size_t n;
    const char *name = LLVMGetValueName2(f, &n);
    if (LLVMIsDeclaration(f) && !strncmp(name, prefix, strlen(prefix))) return true;
  }
  return false;
}

static char *read_file(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  rewind(fp);
  char *buf = n > 0 ? malloc((size_t)n) : NULL;
  if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  *len = (size_t)n;
  return buf;
}

bool cg_link_libdevice(LLVMModuleRef m, Diag *d) {
  if (!uses_prefix(m, "__nv_")) return true;
  const char *data = NULL;
  size_t len = 0;
  char *owned = NULL;
  const char *env = getenv("LIGER_LIBDEVICE");
  if (env) data = owned = read_file(env, &len);
#ifdef LIGER_HAVE_LIBDEVICE
  if (!data) {
    data = (const char *)liger_libdevice;
    len = liger_libdevice_len;
  }
#endif
  if (!data) data = owned = read_file("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc", &len);
  if (!data) {
    diag_error(d, (SrcLoc){0}, "this kernel needs NVIDIA's libdevice.10.bc, which was not built in and was not found");
    diag_hint(d, "set LIGER_LIBDEVICE to the path of libdevice.10.bc");
    return false;
  }
  LLVMContextRef ctx = LLVMGetModuleContext(m);
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len, "libdevice");
  free(owned);
  LLVMModuleRef lib;
  if (LLVMParseBitcodeInContext2(ctx, buf, &lib)) {
    LLVMDisposeMemoryBuffer(buf);
    diag_error(d, (SrcLoc){0}, "libdevice.10.bc could not be parsed");
    return false;
  }
  LLVMDisposeMemoryBuffer(buf);
  LLVMSetTarget(lib, LLVMGetTarget(m));
  LLVMSetDataLayout(lib, LLVMGetDataLayoutStr(m));
  if (LLVMLinkModules2(m, lib)) {
    diag_error(d, (SrcLoc){0}, "linking libdevice failed");
    return false;
  }
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    size_t n;
    const char *name = LLVMGetValueName2(f, &n);
    if (!LLVMIsDeclaration(f) && !strncmp(name, "__nv_", 5)) LLVMSetLinkage(f, LLVMInternalLinkage);
  }
  for (LLVMValueRef g = LLVMGetFirstGlobal(m); g; g = LLVMGetNextGlobal(g))
    if (!LLVMIsDeclaration(g) && LLVMGetLinkage(g) == LLVMExternalLinkage) {
      size_t n;
      const char *name = LLVMGetValueName2(g, &n);
      if (strcmp(name, "__liger_smem")) LLVMSetLinkage(g, LLVMInternalLinkage);
    }
  LLVMAddModuleFlag(m, LLVMModuleFlagBehaviorOverride, "nvvm-reflect-ftz", 16,
                    LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(ctx), 0, 0)));
  return true;
}

/* ocml reads its configuration from __oclc_* constants that the device libraries normally
 * take from small control bitcode files; we define them here for the chip. */
static void define_control(LLVMModuleRef m, const char *name, LLVMTypeRef ty, long long v) {
  LLVMValueRef g = LLVMGetNamedGlobal(m, name);
  if (!g) return; /* ocml does not read it */
  LLVMSetInitializer(g, LLVMConstInt(ty, (unsigned long long)v, 0));
  LLVMSetGlobalConstant(g, 1);
  LLVMSetLinkage(g, LLVMInternalLinkage);
}

static int isa_version(const char *cpu) {
  /* gfx942 -> 9042, gfx90a -> 9010, gfx1100 -> 11000 (major*1000 + minor*10 + stepping) */
  if (!strncmp(cpu, "gfx", 3)) {
    const char *p = cpu + 3;
    size_t n = strlen(p);
    if (n == 3) return (p[0] - '0') * 1000 + (p[1] - '0') * 10 + (int)strtol((char[]){p[2], 0}, NULL, 16);
    if (n == 4) return ((p[0] - '0') * 10 + (p[1] - '0')) * 1000 + (p[2] - '0') * 10 + (int)strtol((char[]){p[3], 0}, NULL, 16);
  }
  return 0;
}

bool cg_link_ocml(LLVMModuleRef m, const char *cpu, int wave64, Diag *d) {
  if (!uses_prefix(m, "__ocml_")) return true;
  const char *data = NULL;
  size_t len = 0;
  char *owned = NULL;
  const char *env = getenv("LIGER_OCML");
  if (env) data = owned = read_file(env, &len);
#ifdef LIGER_HAVE_OCML
  if (!data) {
    data = (const char *)liger_ocml;
    len = liger_ocml_len;
  }
#endif
  if (!data) data = owned = read_file("/usr/lib/x86_64-linux-gnu/amdgcn/bitcode/ocml.bc", &len);
  if (!data) {
    diag_error(d, (SrcLoc){0}, "this kernel needs AMD's ocml.bc, which was not built in and was not found");
    diag_hint(d, "install rocm-device-libs, or set LIGER_OCML to the path of ocml.bc");
    return false;
  }
  LLVMContextRef ctx = LLVMGetModuleContext(m);
  LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len, "ocml");
  free(owned);
  LLVMModuleRef lib;
  bool bad = LLVMParseBitcodeInContext2(ctx, buf, &lib);
  LLVMDisposeMemoryBuffer(buf);
  if (bad) {
    diag_error(d, (SrcLoc){0}, "ocml.bc could not be parsed");
    return false;
  }
  LLVMSetTarget(lib, LLVMGetTarget(m));
  LLVMSetDataLayout(lib, LLVMGetDataLayoutStr(m));
  if (LLVMLinkModules2(m, lib)) {
    diag_error(d, (SrcLoc){0}, "linking ocml failed");
    return false;
  }
  LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx), i32 = LLVMInt32TypeInContext(ctx);
  define_control(m, "__oclc_finite_only_opt", i8, 0);
  define_control(m, "__oclc_unsafe_math_opt", i8, 0);
  define_control(m, "__oclc_daz_opt", i8, 0);
  define_control(m, "__oclc_correctly_rounded_sqrt32", i8, 1);
  define_control(m, "__oclc_wavefrontsize64", i8, wave64);
  define_control(m, "__oclc_ISA_version", i32, isa_version(cpu));
  define_control(m, "__oclc_ABI_version", i32, 500);
  for (LLVMValueRef f = LLVMGetFirstFunction(m); f; f = LLVMGetNextFunction(f)) {
    size_t n;
    const char *name = LLVMGetValueName2(f, &n);
    if (!LLVMIsDeclaration(f) && !strncmp(name, "__ocml_", 7)) LLVMSetLinkage(f, LLVMInternalLinkage);
  }
  return true;
}
