/*
 * libs.c — math libraries linked into a kernel module only when it calls them: NVIDIA's
 * libdevice (embedded at build time from the CUDA toolkit, or read from LIGER_LIBDEVICE /
 * /usr/local/cuda at run time). Linked functions are internalised so that O3 keeps only
 * what the kernel uses.
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
