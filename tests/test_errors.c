/*
 * test_errors.c — every way a caller can go wrong comes back as a status and a message,
 * through the public API only: kernel source errors (with file:line:col and a caret),
 * unsupported constructs named in the message, constexpr mistakes, bad targets and device
 * names, NULL arguments, and launches that do not match the kernel. Nothing may crash.
 *
 * Usage: test_errors [REPO_ROOT]   (else $LIGER_SOURCE_DIR, else the source tree CMake saw)
 * Exit status 0 = pass, 1 = fail.
 */
#include "liger/liger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


/* True if some line of `msg` is only blanks and one '^'. */
static int has_caret_line(const char *msg) {
  for (const char *line = msg; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    const char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '^' && (p[1] == '\n' || p[1] == '\0')) return 1;
  }
  return 0;
}

/* Compiles `source` (file name `file`) for the CPU to tile IR; returns the status. */
static liger_status compile_src(const char *file, const char *source, const liger_constexpr *consts, int nconsts) {
  liger_compile_options o;
  memset(&o, 0, sizeof o);
  o.source = source;
  o.filename = file;
  o.target = "cpu";
  o.consts = consts;
  o.nconsts = nconsts;
  o.emit = LIGER_EMIT_TIR;
  char *out = NULL;
  size_t len = 0;
  liger_status st = liger_compile(&o, &out, &len);
  liger_free_host(out);
  return st;
}

#define HEADER "import triton\nimport triton.language as tl\n\n\n"

/* ---- errors in kernel source ----------------------------------------------------------- */

static void test_source_errors(void) {
  static const char syntax[] = HEADER
      "@triton.jit\n"                            /* 5 */
      "def k(x_ptr, BLOCK: tl.constexpr):\n"     /* 6 */
      "    offs = tl.arange(0, BLOCK)\n"         /* 7 */
      "    y = offs * / 2\n"                     /* 8: '/' at column 16 */
      "    tl.store(x_ptr + offs, y)\n";
  liger_constexpr block = {"BLOCK", "16"};
  liger_status st = compile_src("syntax.py", syntax, &block, 1);
  const char *msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "syntax.py:8:16:") && has_caret_line(msg),
        "syntax error → %s, at syntax.py:8:16 with a caret:\n%s", liger_status_name(st), msg);

  /* a return in an if nested in a runtime if would skip only part of the function: refused */
  static const char nested[] = HEADER
      "@triton.jit\n"
      "def k(x_ptr):\n"
      "    v = tl.load(x_ptr)\n"
      "    if v > 0:\n"
      "        if v > 10:\n"
      "            return\n"                     /* 10:13 */
      "        tl.store(x_ptr + 1, 1.0)\n"
      "    tl.store(x_ptr + 2, 2.0)\n";
  liger_status nst = compile_src("nested.py", nested, NULL, 0);
  CHECK(nst == LIGER_ERR_UNSUPPORTED && strstr(liger_last_error(), "nested.py:10:13:"),
        "a return nested in runtime ifs is refused, not miscompiled → %s:\n%s", liger_status_name(nst), liger_last_error());

  static const char loop[] = HEADER
      "@triton.jit\n"
      "def k(x_ptr, n):\n"
      "    i = 0\n"
      "    while i < n:\n"
      "        break\n"                          /* 9:9 */
      "    tl.store(x_ptr, i)\n";
  st = compile_src("loop.py", loop, NULL, 0);
  msg = liger_last_error();
  CHECK(st == LIGER_ERR_UNSUPPORTED && strstr(msg, "break") && strstr(msg, "loop.py:9:9:") && has_caret_line(msg),
        "'break' (unsupported, as in Triton) → %s, naming it at loop.py:9:9:\n%s", liger_status_name(st), msg);

  static const char undef[] = HEADER
      "@triton.jit\n"
      "def k(x_ptr):\n"
      "    y = not_defined_anywhere + 1\n"       /* 7:9 */
      "    tl.store(x_ptr, y)\n";
  st = compile_src("undef.py", undef, NULL, 0);
  msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "not_defined_anywhere") && strstr(msg, "undef.py:7:9:") &&
            has_caret_line(msg),
        "an undefined name → %s, named at undef.py:7:9:\n%s", liger_status_name(st), msg);

  static const char add[] = HEADER
      "@triton.jit\n"
      "def add_kernel(x_ptr, y_ptr, z_ptr, n, BLOCK: tl.constexpr):\n"
      "    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n"
      "    mask = offs < n\n"
      "    tl.store(z_ptr + offs, tl.load(x_ptr + offs, mask=mask) + tl.load(y_ptr + offs, mask=mask), mask=mask)\n";
  st = compile_src("add.py", add, NULL, 0);
  msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "BLOCK") && strstr(msg, "add.py:"),
        "a constexpr without a value → %s, naming BLOCK:\n%s", liger_status_name(st), msg);

  liger_constexpr extra[2] = {{"BLOCK", "16"}, {"NOT_A_PARAM", "1"}};
  st = compile_src("add.py", add, extra, 2);
  msg = liger_last_error();
  CHECK((st == LIGER_ERR_COMPILE || st == LIGER_ERR_INVALID_ARG) && strstr(msg, "NOT_A_PARAM"),
        "one constexpr too many → %s, naming it:\n%s", liger_status_name(st), msg);

  liger_constexpr not_const[2] = {{"BLOCK", "16"}, {"n", "5"}};
  st = compile_src("add.py", add, not_const, 2);
  msg = liger_last_error();
  CHECK((st == LIGER_ERR_COMPILE || st == LIGER_ERR_INVALID_ARG) && strstr(msg, "'n'"),
        "a value for a parameter that is not tl.constexpr → %s, naming 'n':\n%s", liger_status_name(st), msg);

  liger_constexpr not_pow2 = {"BLOCK", "1000"};
  st = compile_src("add.py", add, &not_pow2, 1);
  msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "1000"),
        "tl.arange over a non-power-of-two length → %s, saying 1000:\n%s", liger_status_name(st), msg);

  st = compile_src("add.py", add, &block, 1);
  CHECK(st == LIGER_OK, "the same kernel with BLOCK=16 compiles (so the errors above are about the mistakes)%s%s",
        st ? ": " : "", st ? liger_last_error() : "");
}

/* ---- bad options and NULLs ------------------------------------------------------------- */

static void test_bad_arguments(const char *add_path) {
  liger_constexpr block = {"BLOCK", "16"};
  liger_compile_options o;
  memset(&o, 0, sizeof o);
  o.path = add_path;
  o.consts = &block;
  o.nconsts = 1;
  o.emit = LIGER_EMIT_TIR;
  char *out = NULL;
  size_t len = 0;

  o.target = "sm_1000";
  liger_status st = liger_compile(&o, &out, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG && out == NULL, "target \"sm_1000\" → %s: %s", liger_status_name(st),
        liger_last_error());
  o.target = "nonsense";
  st = liger_compile(&o, &out, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG && strstr(liger_last_error(), "nonsense"), "target \"nonsense\" → %s: %s",
        liger_status_name(st), liger_last_error());
  o.target = "gfx942";
  o.emit = LIGER_EMIT_PTX;
  st = liger_compile(&o, &out, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG, "--emit=ptx for gfx942 → %s: %s", liger_status_name(st), liger_last_error());
  o.target = "cpu";
  o.emit = LIGER_EMIT_TIR;

  st = liger_compile(NULL, &out, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_compile(NULL options) → %s", liger_status_name(st));
  st = liger_compile(&o, NULL, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_compile(NULL out) → %s", liger_status_name(st));
  o.path = NULL;
  st = liger_compile(&o, &out, &len);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_compile with neither path nor source → %s", liger_status_name(st));
  o.path = "/nonexistent/liger/kernel.py";
  st = liger_compile(&o, &out, &len);
  CHECK(st == LIGER_ERR_IO && strstr(liger_last_error(), "/nonexistent/liger/kernel.py"),
        "a missing kernel file → %s: %s", liger_status_name(st), liger_last_error());
  o.path = add_path;
  o.kernel = "no_such_kernel";
  st = liger_compile(&o, &out, &len);
  CHECK(st != LIGER_OK && strstr(liger_last_error(), "no_such_kernel"), "an unknown kernel name → %s: %s",
        liger_status_name(st), liger_last_error());

  liger_context *ctx = NULL;
  st = liger_context_create("nonsense", &ctx);
  CHECK(st == LIGER_ERR_INVALID_ARG && ctx == NULL, "liger_context_create(\"nonsense\") → %s: %s",
        liger_status_name(st), liger_last_error());
  st = liger_context_create("cpu", NULL);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_context_create(NULL out) → %s", liger_status_name(st));
  liger_context_destroy(NULL);
  liger_kernel_release(NULL);
  liger_free_host(NULL);
  CHECK(1, "destroy/release/free of NULL are accepted");
  CHECK(liger_last_error() != NULL && liger_status_name((liger_status)1234) != NULL && liger_version() != NULL &&
            liger_targets() != NULL && strstr(liger_targets(), "cpu"),
        "liger_last_error, liger_status_name(1234), liger_version, liger_targets never NULL (targets: %s)",
        liger_targets());
}

/* ---- launches that do not match the kernel --------------------------------------------- */

static void test_launch_errors(const char *add_path) {
  liger_context *ctx = NULL;
  liger_status st = liger_context_create("cpu", &ctx);
  CHECK(st == LIGER_OK, "cpu context%s%s", st ? ": " : "", st ? liger_last_error() : "");
  if (st) return;
  liger_constexpr block = {"BLOCK", "16"};
  liger_kernel *k = NULL;

  st = liger_kernel_load(NULL, add_path, "add_kernel", &block, 1, 0, &k);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_kernel_load(NULL context) → %s", liger_status_name(st));
  st = liger_kernel_load(ctx, NULL, "add_kernel", &block, 1, 0, &k);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_kernel_load(NULL path) → %s", liger_status_name(st));
  st = liger_kernel_load(ctx, add_path, "add_kernel", &block, 1, 0, NULL);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_kernel_load(NULL out) → %s", liger_status_name(st));
  st = liger_kernel_load(ctx, add_path, "add_kernel", NULL, 1, 0, &k);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_kernel_load(NULL consts, nconsts 1) → %s", liger_status_name(st));
  st = liger_kernel_load_source(ctx, NULL, "x.py", "add_kernel", &block, 1, 0, &k);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_kernel_load_source(NULL source) → %s", liger_status_name(st));

  void *p = NULL;
  st = liger_malloc(ctx, 16, NULL);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_malloc(NULL out) → %s", liger_status_name(st));
  st = liger_malloc(NULL, 16, &p);
  CHECK(st == LIGER_ERR_INVALID_ARG, "liger_malloc(NULL context) → %s", liger_status_name(st));

  k = NULL;
  st = liger_kernel_load(ctx, add_path, "add_kernel", &block, 1, 0, &k);
  CHECK(st == LIGER_OK && k, "load add_kernel BLOCK=16%s%s", st ? ": " : "", st ? liger_last_error() : "");
  if (st == LIGER_OK) {
    float *buf = NULL;
    st = liger_malloc(ctx, 64 * sizeof(float), (void **)&buf);
    if (st == LIGER_OK) {
      uint32_t grid[3] = {1, 1, 1};
      liger_arg args[5] = {liger_arg_ptr(buf, LIGER_F32), liger_arg_ptr(buf, LIGER_F32), liger_arg_ptr(buf, LIGER_F32),
                           liger_arg_int(16), liger_arg_int(1)};
      st = liger_launch(k, grid, NULL, args, 3);
      CHECK(st == LIGER_ERR_INVALID_ARG, "launch with 3 arguments for 4 → %s: %s", liger_status_name(st),
            liger_last_error());
      st = liger_launch(k, grid, NULL, args, 5);
      CHECK(st == LIGER_ERR_INVALID_ARG, "launch with 5 arguments for 4 → %s: %s", liger_status_name(st),
            liger_last_error());
      liger_arg wrong_kind[4] = {liger_arg_ptr(buf, LIGER_F32), liger_arg_int(7), liger_arg_ptr(buf, LIGER_F32),
                                 liger_arg_int(16)};
      /* Kernel parameters carry no types in the source, so this may be caught when the
       * arguments are checked or when the specialisation they select is compiled. */
      st = liger_launch(k, grid, NULL, wrong_kind, 4);
      CHECK((st == LIGER_ERR_INVALID_ARG || st == LIGER_ERR_COMPILE) && liger_last_error()[0],
            "an int where a pointer belongs → %s: %s", liger_status_name(st), liger_last_error());
      st = liger_launch(k, grid, NULL, NULL, 4);
      CHECK(st == LIGER_ERR_INVALID_ARG, "launch with NULL args → %s", liger_status_name(st));
      st = liger_launch(k, NULL, NULL, args, 4);
      CHECK(st == LIGER_ERR_INVALID_ARG, "launch with NULL grid → %s", liger_status_name(st));
      uint32_t big[3] = {1, 70000, 1};
      st = liger_launch(k, big, NULL, args, 4);
      CHECK(st == LIGER_ERR_INVALID_ARG, "grid dimension 1 of 70000 (CUDA's limit is 65535) → %s: %s",
            liger_status_name(st), liger_last_error());
      /* An empty grid: liger.h calls it INVALID_ARG, Triton's launcher skips it silently;
       * either is accepted, but it must not run anything. */
      float host[64];
      for (int i = 0; i < 64; i++) host[i] = -1.0f;
      liger_memcpy_htod(ctx, buf, host, sizeof host);
      uint32_t zero[3] = {0, 1, 1};
      st = liger_launch(k, zero, NULL, args, 4);
      liger_synchronize(ctx, NULL);
      liger_memcpy_dtoh(ctx, host, buf, sizeof host);
      int touched = 0;
      for (int i = 0; i < 64; i++) touched += host[i] != -1.0f;
      CHECK((st == LIGER_ERR_INVALID_ARG || st == LIGER_OK) && touched == 0,
            "grid dimension 0 → %s, nothing written (%d changed)", liger_status_name(st), touched);
      st = liger_launch(NULL, grid, NULL, args, 4);
      CHECK(st == LIGER_ERR_INVALID_ARG, "launch of a NULL kernel → %s", liger_status_name(st));
      st = liger_launch(k, grid, NULL, args, 4);
      CHECK(st == LIGER_OK, "the right launch still works after all that%s%s", st ? ": " : "",
            st ? liger_last_error() : "");
      liger_free(ctx, buf);
    }
    liger_kernel_release(k);
  }
  liger_context_destroy(ctx);
}

/* ---- globals and imports ------------------------------------------------------------------ */

/* Triton reads only tl.constexpr globals: `X = 3` and `X: tl.constexpr = 3` are refused with
 * its message, `X = tl.constexpr(3)` (and arithmetic on it) is fine. Imported helpers that do
 * not exist name the paths looked at. The kernels live in tests/kernels/imports so that the
 * relative imports resolve. */
static void test_globals_and_imports(const char *root) {
  static const char globals[] = HEADER
      "A: tl.constexpr = 3\n"                      /* 5 */
      "B = 4\n"                                    /* 6 */
      "C = tl.constexpr(5)\n"                      /* 7 */
      "D = C * 2\n"                                /* 8 */
      "@triton.jit\n"                              /* 9 */
      "def k(x_ptr, E: tl.constexpr = B):\n"       /* 10: a default may name any global */
      "    x = tl.load(x_ptr)\n"                   /* 11 */
      "    tl.store(x_ptr, x * A + C + D + E)\n"   /* 12: A at column 25 */
      "    tl.store(x_ptr, x * B)\n";              /* 13: B at column 25 */
  liger_status st = compile_src("globals.py", globals, NULL, 0);
  const char *msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "globals.py:12:25: error: cannot access global variable A") &&
            strstr(msg, "globals.py:13:25: error: cannot access global variable B") && !strstr(msg, ":12:29:") &&
            has_caret_line(msg) && strstr(msg, "tl.constexpr"),
        "non-constexpr globals are refused as Triton does, constexpr ones and defaults are not:\n%s", msg);

  char path[4096];
  snprintf(path, sizeof path, "%s/tests/kernels/imports/missing.py", root);
  static const char imports[] = HEADER
      "from helpers import scaled, not_there\n"    /* 5 */
      "from no_such_file import helper\n"          /* 6 */
      "@triton.jit\n"                              /* 7 */
      "def k(x_ptr):\n"                            /* 8 */
      "    x = tl.load(x_ptr)\n"                   /* 9 */
      "    tl.store(x_ptr, scaled(x) + not_there(x) + helper(x))\n"; /* 10 */
  st = compile_src(path, imports, NULL, 0);
  msg = liger_last_error();
  CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "missing.py:10:33: error: cannot import name 'not_there'") &&
            strstr(msg, "missing.py:10:48: error: 'helper' is imported from a kernel file that was not found") &&
            strstr(msg, "no_such_file.py") && !strstr(msg, "'scaled'"),
        "unknown imported helpers are named, with the files looked for:\n%s", msg);
}

/* ---- @triton.heuristics evaluated at launch --------------------------------------------------- */

/* A heuristic's lambda is evaluated by the JIT when the kernel is launched (ligerc does not
 * run it), so its mistakes come back from liger_launch, located in the source. */
static void test_heuristic_errors(void) {
  liger_context *ctx = NULL;
  if (liger_context_create("cpu", &ctx) != LIGER_OK) return;
  static const char src[] = HEADER
      "@triton.heuristics({\"A\": lambda args: args[0],\n"          /* 5: the index 0 at column 44 */
      "                    \"B\": lambda args: args[\"nope\"]})\n"   /* 6 */
      "@triton.jit\n"
      "def k(x_ptr, n, A: tl.constexpr, B: tl.constexpr):\n"
      "    tl.store(x_ptr, n)\n";
  liger_kernel *k = NULL;
  liger_status st = liger_kernel_load_source(ctx, src, "heur.py", "k", NULL, 0, 0, &k);
  CHECK(st == LIGER_OK, "a kernel with heuristics loads (they run at launch)%s%s", st ? ": " : "", st ? liger_last_error() : "");
  if (st == LIGER_OK) {
    int32_t *buf = NULL;
    if (liger_malloc(ctx, 16, (void **)&buf) == LIGER_OK) {
      uint32_t grid[3] = {1, 1, 1};
      liger_arg args[2] = {liger_arg_ptr(buf, LIGER_I32), liger_arg_int(3)};
      st = liger_launch(k, grid, NULL, args, 2);
      const char *msg = liger_last_error();
      CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "heuristic 'A' failed") &&
                strstr(msg, "heur.py:5:44: error: args[...] takes an argument name as a string") && has_caret_line(msg),
            "args[0] in a heuristic → %s, located:\n%s", liger_status_name(st), msg);
      liger_free(ctx, buf);
    }
    liger_kernel_release(k);
  }
  static const char src2[] = HEADER
      "@triton.heuristics({\"B\": lambda args: args[\"nope\"]})\n"   /* 5: the index at column 44 */
      "@triton.jit\n"
      "def k(x_ptr, n, B: tl.constexpr):\n"
      "    tl.store(x_ptr, n)\n";
  k = NULL;
  st = liger_kernel_load_source(ctx, src2, "heur2.py", "k", NULL, 0, 0, &k);
  if (st == LIGER_OK) {
    int32_t *buf = NULL;
    if (liger_malloc(ctx, 16, (void **)&buf) == LIGER_OK) {
      uint32_t grid[3] = {1, 1, 1};
      liger_arg args[2] = {liger_arg_ptr(buf, LIGER_I32), liger_arg_int(3)};
      st = liger_launch(k, grid, NULL, args, 2);
      const char *msg = liger_last_error();
      CHECK(st == LIGER_ERR_COMPILE && strstr(msg, "heur2.py:5:44: error: the kernel has no argument named 'nope'") &&
                strstr(msg, "hint:"),
            "args[\"nope\"] in a heuristic → %s, located, with a hint:\n%s", liger_status_name(st), msg);
      liger_free(ctx, buf);
    }
    liger_kernel_release(k);
  }
  liger_context_destroy(ctx);
}

int main(int argc, char **argv) {
  char add_path[4096];
  snprintf(add_path, sizeof add_path, "%s/kernels/examples/add.py", check_source_dir(argc, argv));
  test_source_errors();
  test_bad_arguments(add_path);
  test_launch_errors(add_path);
  test_globals_and_imports(check_source_dir(argc, argv));
  test_heuristic_errors();
  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
