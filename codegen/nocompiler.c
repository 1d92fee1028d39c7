/*
 * nocompiler.c — the back end of a runtime-only libliger-jit (LIGER_RUNTIME_ONLY): it
 * replaces pipeline.c and everything below it, so the library links no LLVM. The front end
 * still parses kernels (their cache keys need the source closure); a variant comes from a
 * loaded bundle (runtime/bundle.h) or the disk cache, and reaching this compile means it
 * was in neither.
 */
#include "codegen.h"
#include "../runtime/bundle.h"
#include "../runtime/runtime.h"

#include <string.h>

liger_status cg_compile(const CompileJob *job, liger_emit emit, CompileResult *out) {
  (void)emit;
  memset(out, 0, sizeof *out);
  const char *miss = bundle_last_miss(), *env = bundle_env_error();
  const char *t = job->target ? job->target->name : "?";
  bool cpu = job->target && job->target->kind == TGT_CPU;
  return rt_fail(LIGER_ERR_UNSUPPORTED,
                 "this libliger-jit was built without a compiler (LIGER_RUNTIME_ONLY); load a bundle that holds "
                 "this kernel (%s for %s, missing key %s)%s%s%s",
                 job->kernel ? job->kernel : "the last @triton.jit", t, *miss ? miss : "?",
                 cpu && !bundle_host_target() ? "; no loaded bundle has CPU variants usable on this machine" : "",
                 *env ? "; " : "", env);
}
