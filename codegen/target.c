/*
 * target.c — the target descriptors, one entry per chip we compile for, and the LLVM target
 * machines built from them. A new target is one line in the table (plus its runtime).
 * A runtime-only build (LIGER_RUNTIME_ONLY, no LLVM) compiles this file without the target
 * machines; its host descriptor comes from a loaded bundle (bundle_host_target).
 */
#include "codegen.h"
#include "../runtime/runtime.h"

#ifdef LIGER_RUNTIME_ONLY
#include "../runtime/bundle.h"
#else
#include <llvm-c/Target.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const Target targets[] = {
    /* name       kind        triple                 cpu       features  warp gAS sAS shared */
    {"sm_80", TGT_NVPTX, "nvptx64-nvidia-cuda", "sm_80", "+ptx80", 32, 1, 3, 166912},
    {"sm_90", TGT_NVPTX, "nvptx64-nvidia-cuda", "sm_90", "+ptx80", 32, 1, 3, 232448},
    {"sm_90a", TGT_NVPTX, "nvptx64-nvidia-cuda", "sm_90a", "+ptx80", 32, 1, 3, 232448},
    {"gfx90a", TGT_AMDGPU, "amdgcn-amd-amdhsa", "gfx90a", "", 64, 1, 3, 65536},
    {"gfx942", TGT_AMDGPU, "amdgcn-amd-amdhsa", "gfx942", "", 64, 1, 3, 65536},
    {"gfx1100", TGT_AMDGPU, "amdgcn-amd-amdhsa", "gfx1100", "", 32, 1, 3, 65536},
};

static Target host_target;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

Target cg_host_descriptor(const char *triple, const char *cpu, const char *features) {
  return (Target){"cpu", TGT_CPU, triple, cpu, features, 1, 0, 0, 0};
}

#ifdef LIGER_RUNTIME_ONLY
/* Without LLVM nothing names the host CPU as LLVM would: this placeholder's keys match no
 * bundle entry, so CPU kernels are found only through a bundle's descriptor. */
static void init_llvm(void) { host_target = cg_host_descriptor("", "(unknown: no LLVM in this build)", ""); }
#else
static void init_llvm(void) {
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();
  LLVMInitializeAMDGPUTargetInfo();
  LLVMInitializeAMDGPUTarget();
  LLVMInitializeAMDGPUTargetMC();
  LLVMInitializeAMDGPUAsmPrinter();
  LLVMInitializeNativeTarget();
  LLVMInitializeNativeAsmPrinter();
  /* The host descriptor: strings live for the process (LLVM allocates them once). */
  host_target = cg_host_descriptor(LLVMGetDefaultTargetTriple(), LLVMGetHostCPUName(), LLVMGetHostCPUFeatures());
}
#endif

const Target *cg_target(const char *name) {
  pthread_once(&init_once, init_llvm);
  if (!name) return NULL;
  if (!strcmp(name, "cpu") || !strcmp(name, "host")) {
#ifdef LIGER_RUNTIME_ONLY
    const Target *b = bundle_host_target();
    if (b) return b;
#endif
    return &host_target;
  }
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
    if (!strcmp(targets[i].name, name)) return &targets[i];
  return NULL;
}

const char *cg_target_names(void) { return "sm_80,sm_90,sm_90a,gfx90a,gfx942,gfx1100,cpu"; }

#ifndef LIGER_RUNTIME_ONLY
LLVMTargetMachineRef cg_target_machine(const Target *t) {
  pthread_once(&init_once, init_llvm);
  LLVMTargetRef target;
  char *err = NULL;
  if (LLVMGetTargetFromTriple(t->triple, &target, &err)) {
    rt_fail(LIGER_ERR_INTERNAL, "LLVM has no target for %s: %s", t->triple, err ? err : "?");
    LLVMDisposeMessage(err);
    return NULL;
  }
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, t->triple, t->cpu, t->features, LLVMCodeGenLevelAggressive,
                                                    t->kind == TGT_CPU ? LLVMRelocPIC : LLVMRelocDefault,
                                                    LLVMCodeModelDefault);
  if (!tm) rt_fail(LIGER_ERR_INTERNAL, "cannot create an LLVM target machine for %s", t->name);
  return tm;
}
#endif
