/*
 * fuzz_frontend.c — fuzz target over the whole front end: bytes → lex → parse → sema →
 * tile IR → print and verify (dsl/lex.c, parse.c, sema*.c, builtins.c, ir.c).
 *
 * One input is one kernel file. Every @triton.jit function in it (the first 8) is built
 * twice, with constexpr bindings and argument types that the input's hash picks:
 *   1. each tl.constexpr parameter bound to "16" or left to its default; argument types
 *      from the parameter names (`x_ptr` *fp32:16, `idx_ptr` *i32:16, `n` i32:16), which is
 *      what kernels expect, so that mutants get deep into sema;
 *   2. constexprs also bound to odd values (0, 1, True, tl.float32, ...); argument types
 *      *fp32:16, i32, *bf16, i64 by position, rotated; sometimes an i32 equal to one, one
 *      type too few or too many, an unknown or non-constexpr name given a value.
 * IR that comes back is printed and verified again.
 * Everything lives in one arena and one Diag per input, freed at the end, so LeakSanitizer
 * sees any allocation that escapes them. An "internal error" diagnostic (sema made invalid
 * IR, or met a node it did not expect) is counted; with LIGER_FUZZ_STRICT=1 it aborts, so
 * that libFuzzer keeps the input. LIGER_FUZZ_DEBUG=1 prints every input's diagnostics.
 */
#include "fuzz.h"
#include "ir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FUZZ_MAX_KERNELS = 8 }; /* per input: bounds the time one input can take */

static FuzzStats stats;
static char last_internal[4096];

const FuzzStats *fuzz_stats(void) { return &stats; }
const char *fuzz_last_internal_error(void) { return last_internal[0] ? last_internal : NULL; }

static bool env_flag(const char *name) {
  const char *e = getenv(name);
  return e && *e && strcmp(e, "0") != 0;
}

/* FNV-1a: the input picks its own variants, so a run is reproducible from the bytes alone. */
static uint64_t hash_bytes(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* A message line (not an echoed source line, which starts with two spaces) that reports an
 * internal error. */
static bool has_internal_error(const char *text) {
  for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (*line == ' ') continue;
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    static const char needle[] = "error: internal error:";
    for (size_t i = 0; i + sizeof needle - 1 <= n; i++)
      if (!memcmp(line + i, needle, sizeof needle - 1)) return true;
  }
  return false;
}

static bool is_jit_def(const Node *n) {
  if (n->kind != ND_FUNCDEF) return false;
  for (int i = 0; i < n->decorators.n; i++) {
    const Node *d = n->decorators.items[i];
    if (d->kind == ND_CALL) d = d->a;
    if (d && (d->kind == ND_ATTR || d->kind == ND_NAME) && d->name && !strcmp(d->name, "jit")) return true;
  }
  return false;
}

static const ArgSpec arg_kinds[] = {
    {DT_PTR, DT_F32, 16, false},
    {DT_I32, DT_I32, 1, false},
    {DT_PTR, DT_BF16, 1, false},
    {DT_I64, DT_I64, 16, false},
};
static const ArgSpec int_ptr = {DT_PTR, DT_I32, 16, false};
enum { NKINDS = sizeof arg_kinds / sizeof arg_kinds[0] };

static const char *const odd_values[] = {
    "16", "1", "2", "0", "32", "128", "1024", "-1", "True", "False", "None", "1.5", "'a'",
    "tl.float32", "tl.int64", "tl.bfloat16", "(16, 16)", "16 * 2", "2**31", "BLOCK",
};
enum { NODD = sizeof odd_values / sizeof odd_values[0] };

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Builds kernel `name` once with the bindings that `variant` and the hash select:
 *   0: constexprs "16" or their default; parameters named `*ptr` are *fp32:16 (*i32:16 if
 *      the name starts with i or has cnt/idx/int in it), the others i32:16: what the kernels
 *      in the corpus expect, so that mutants reach deep into sema;
 *   1: constexprs "16" or odd values; argument types by position: *fp32:16, i32, *bf16, i64,
 *      rotated; sometimes an i32 equal to one, one type too few or too many, a runtime
 *      parameter given as a constexpr, an unknown constexpr name. */
static void build_one(Arena *a, Diag *d, const Module *mod, const char *name, const KernelParam *ps, int np,
                      int variant, uint64_t h) {
  const char **cnames = arena_alloc(a, sizeof(char *) * (size_t)(np + 1));
  const char **cvalues = arena_alloc(a, sizeof(char *) * (size_t)(np + 1));
  ArgSpec *args = arena_alloc(a, sizeof(ArgSpec) * (size_t)(np + 2));
  if (!cnames || !cvalues || !args) return;
  int nconsts = 0, nargs = 0;
  int rot = variant ? (int)(h % NKINDS) : 0;
  uint64_t bits = h >> 8;
  for (int i = 0; i < np; i++, bits = bits >> 1 | bits << 63) {
    if (ps[i].constexpr_) {
      if (ps[i].has_default && (bits & 1)) continue; /* keep its default */
      cnames[nconsts] = ps[i].name;
      cvalues[nconsts++] = variant && (bits & 2) ? odd_values[(h >> (i % 48)) % NODD] : "16";
      continue;
    }
    ArgSpec s;
    if (variant == 0) {
      const char *pn = ps[i].name;
      if (!ends_with(pn, "ptr")) s = arg_kinds[1];
      else if (pn[0] == 'i' || strstr(pn, "cnt") || strstr(pn, "idx") || strstr(pn, "int")) s = int_ptr;
      else s = arg_kinds[0];
      s.divisibility = 16;
    } else {
      s = arg_kinds[(nargs + rot) % NKINDS];
      if (s.dt == DT_I32 && (bits & 4)) s.equal_to_one = true;
    }
    args[nargs++] = s;
  }
  int num_warps = 4;
  if (variant) {
    num_warps = 1 << (h >> 40) % 6; /* 1 .. 32 */
    switch ((h >> 20) % 16) {
    case 0: if (nargs) nargs--; break;                /* one argument type too few */
    case 1: args[nargs++] = arg_kinds[0]; break;      /* one too many */
    case 2:                                           /* a runtime parameter given as a constexpr */
      for (int i = 0; i < np; i++)
        if (!ps[i].constexpr_) { cnames[nconsts] = ps[i].name; cvalues[nconsts++] = "16"; break; }
      break;
    case 3: cnames[nconsts] = "NO_SUCH_PARAM"; cvalues[nconsts++] = "1"; break;
    default: break;
    }
  }
  stats.kernels++;
  IrModule *ir = sema_build(a, d, mod, name, cnames, cvalues, nconsts, args, nargs, num_warps);
  if (!ir) return;
  stats.built++;
  StrBuf text = {0};
  ir_print(&text, ir->func, NULL, NULL);
  Diag vd = {0};
  if (!ir_verify(ir->func, &vd)) {
    /* sema_build verified this very function before returning it */
    fprintf(stderr, "fuzz_frontend: ir_verify rejects IR that sema_build accepted:\n%s\n%s",
            vd.text.s ? vd.text.s : "", text.s ? text.s : "");
    abort();
  }
  sb_free(&vd.text);
  sb_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > FUZZ_MAX_INPUT) return 0;
  stats.inputs++;
  /* The real entry points (liger_kernel_load, ligerc) refuse a file with a NUL byte, so
   * the text ends at the first one. */
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  SrcFile file = {"<fuzz>", text, strlen(text)};
  uint64_t h = hash_bytes(data, size);

  Arena a = {0};
  Diag d = {0};
  Module *mod = parse_module(&a, &d, &file);
  if (mod) {
    stats.parsed++;
    StrBuf dump = {0};
    for (int i = 0; i < mod->body.n; i++) ast_dump(&dump, mod->body.items[i], 0);
    sb_free(&dump);
    int nk = 0;
    for (int i = 0; i < mod->body.n && nk < FUZZ_MAX_KERNELS; i++) {
      const Node *fn = mod->body.items[i];
      if (!is_jit_def(fn)) continue;
      nk++;
      const char *name = fn->name;
      KernelParam *ps = NULL;
      int np = sema_kernel_params(&a, &d, mod, &name, &ps);
      if (np < 0) continue;
      build_one(&a, &d, mod, name, ps, np, 0, h);
      build_one(&a, &d, mod, name, ps, np, 1, h);
    }
    /* and the last kernel of the file, found by sema itself */
    const char *last = NULL;
    KernelParam *ps = NULL;
    (void)sema_kernel_params(&a, &d, mod, &last, &ps);
  }
  if (d.text.s && has_internal_error(d.text.s)) {
    stats.internal_errors++;
    snprintf(last_internal, sizeof last_internal, "%s", d.text.s);
    if (env_flag("LIGER_FUZZ_STRICT")) {
      fprintf(stderr, "fuzz_frontend: internal error in the front end:\n%s", d.text.s);
      abort();
    }
  }
  if (d.text.s && env_flag("LIGER_FUZZ_DEBUG")) fprintf(stderr, "%s", d.text.s);
  sb_free(&d.text);
  arena_free(&a);
  free(text);
  return 0;
}
