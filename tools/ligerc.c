/*
 * ligerc — the offline compiler: one Triton-syntax kernel → tile IR, LLVM IR, PTX, cubin,
 * AMDGCN, a host object or an hsaco, for any target, with no GPU needed.
 *
 *   ligerc kernels/examples/add.py --target=sm_90 --emit=ptx -D BLOCK=1024 -o add.ptx
 */
#include "liger/liger.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out) {
  fprintf(out,
          "usage: ligerc FILE.py [options]\n"
          "  --target=T        %s (default cpu)\n"
          "  --emit=K          tir|layout|llvm|ptx|cubin|asm|obj|hsaco (default: the target's binary)\n"
          "  -D NAME=VALUE     value of a tl.constexpr parameter (a Python literal)\n"
          "  --kernel NAME     the @triton.jit function to compile (default: the last one)\n"
          "  --signature SIG   runtime argument types, e.g. \"*fp32:16, i32, fp32\"\n"
          "  --num-warps N     warps per program (default: the first @triton.autotune config's, else 4)\n"
          "  -o FILE           output file ('-' for stdout; default stdout for text)\n"
          "  --list-targets    print the targets and exit\n"
          "  --cache-info      print where the binary cache is, whether it is on, and its size\n"
          "  --version\n",
          liger_targets());
}

static const struct { const char *name; liger_emit e; } emits[] = {
    {"tir", LIGER_EMIT_TIR}, {"layout", LIGER_EMIT_LAYOUT}, {"llvm", LIGER_EMIT_LLVM}, {"ptx", LIGER_EMIT_PTX},
    {"cubin", LIGER_EMIT_CUBIN}, {"asm", LIGER_EMIT_ASM}, {"obj", LIGER_EMIT_OBJ}, {"hsaco", LIGER_EMIT_HSACO},
};

static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
  return NULL;
}

int main(int argc, char **argv) {
  liger_compile_options o = {.target = "cpu", .emit = (liger_emit)-1};
  liger_constexpr consts[64];
  int nconsts = 0;
  const char *out_path = NULL, *v;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("ligerc %s\n", liger_version());
      return 0;
    } else if (!strcmp(a, "--list-targets")) {
      printf("%s\n", liger_targets());
      return 0;
    } else if (!strcmp(a, "--cache-info")) {
      liger_cache_info ci;
      liger_cache_query(&ci);
      printf("cache directory: %s\nstatus: %s%s%s\nentries: %llu (%llu bytes)\n", ci.dir, ci.enabled ? "on" : "off",
             ci.enabled ? "" : " — ", ci.reason, (unsigned long long)ci.entries, (unsigned long long)ci.bytes);
      return 0;
    } else if ((v = opt_value(argc, argv, &i, "--target"))) {
      o.target = v;
    } else if ((v = opt_value(argc, argv, &i, "--emit"))) {
      bool ok = false;
      for (size_t k = 0; k < sizeof emits / sizeof emits[0]; k++)
        if (!strcmp(v, emits[k].name)) o.emit = emits[k].e, ok = true;
      if (!ok) {
        fprintf(stderr, "ligerc: unknown --emit kind '%s' (use tir, layout, llvm, ptx, cubin, asm, obj or hsaco)\n", v);
        return 2;
      }
    } else if ((v = opt_value(argc, argv, &i, "--kernel"))) {
      o.kernel = v;
    } else if ((v = opt_value(argc, argv, &i, "--signature"))) {
      o.signature = v;
    } else if ((v = opt_value(argc, argv, &i, "--num-warps"))) {
      o.num_warps = atoi(v);
    } else if (!strncmp(a, "-D", 2)) {
      const char *def = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      const char *eq = def ? strchr(def, '=') : NULL;
      if (!eq || eq == def || nconsts == 64) {
        fprintf(stderr, "ligerc: -D needs NAME=VALUE\n");
        return 2;
      }
      consts[nconsts].name = strndup(def, (size_t)(eq - def));
      consts[nconsts++].value = eq + 1;
    } else if (!strcmp(a, "-o") && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "ligerc: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else if (!o.path) {
      o.path = a;
    } else {
      fprintf(stderr, "ligerc: only one input file is accepted ('%s' and '%s' were given)\n", o.path, a);
      return 2;
    }
  }
  if (!o.path) {
    usage(stderr);
    return 2;
  }
  if ((int)o.emit < 0) {
    const char *t = o.target;
    o.emit = !strncmp(t, "sm_", 3) ? LIGER_EMIT_CUBIN : !strncmp(t, "gfx", 3) ? LIGER_EMIT_HSACO : LIGER_EMIT_OBJ;
  }
  o.consts = consts;
  o.nconsts = nconsts;
  char *data;
  size_t len;
  liger_status st = liger_compile(&o, &data, &len);
  for (int i = 0; i < nconsts; i++) free((char *)consts[i].name);
  if (st != LIGER_OK) {
    fprintf(stderr, "%s", liger_last_error());
    size_t n = strlen(liger_last_error());
    if (n && liger_last_error()[n - 1] != '\n') fputc('\n', stderr);
    return st == LIGER_ERR_INVALID_ARG ? 2 : 1;
  }
  bool binary = o.emit == LIGER_EMIT_CUBIN || o.emit == LIGER_EMIT_OBJ || o.emit == LIGER_EMIT_HSACO;
  FILE *out = stdout;
  if (out_path && strcmp(out_path, "-")) out = fopen(out_path, "wb");
  else if (binary && !out_path && isatty(1)) {
    fprintf(stderr, "ligerc: refusing to write a binary to the terminal; use -o FILE\n");
    liger_free_host(data);
    return 2;
  }
  if (!out) {
    fprintf(stderr, "ligerc: cannot write '%s'\n", out_path);
    liger_free_host(data);
    return 1;
  }
  bool ok = fwrite(data, 1, len, out) == len;
  if (out != stdout) ok &= fclose(out) == 0;
  liger_free_host(data);
  if (!ok) {
    fprintf(stderr, "ligerc: write error\n");
    return 1;
  }
  return 0;
}
