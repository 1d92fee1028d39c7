/*
 * test_lex_parse.c — the first two stages of the front end (dsl/lex.c, dsl/parse.c).
 *
 *  - tokens of a snippet with every lexical trap kernels meet: indentation, continuation
 *    lines, brackets across lines, triple-quoted strings, number spellings, long operators;
 *  - the syntax tree of a small kernel, compared with ast_dump text written below;
 *  - errors: each must come back as `file:line:col: error: ...`, the source line and a caret
 *    under the column, and parse_module must return NULL;
 *  - host Python around the kernels (classes, try/except) is skipped without a word, while
 *    a syntax error inside an @triton.jit function is reported.
 * Exit status 0 = pass, 1 = fail; each check prints one line.
 */
#include "dsl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static SrcFile src(const char *name, const char *text) {
  SrcFile f = {name, text, strlen(text)};
  return f;
}

/* ---- tokens ---------------------------------------------------------------------------- */

/* One word per token: names as written, keywords and operators by their spelling, literals
 * with their decoded value, layout tokens as NL / IN / DE / EOF. */
static void dump_tokens(StrBuf *b, const Token *t, int n) {
  for (int i = 0; i < n; i++) {
    if (i) sb_puts(b, " ");
    switch (t[i].kind) {
    case TK_NAME: sb_printf(b, "%.*s", t[i].len, t[i].text); break;
    case TK_INT: sb_printf(b, "int:%lld", (long long)t[i].ival); break;
    case TK_FLOAT: sb_printf(b, "float:%g", t[i].fval); break;
    case TK_STR:
      sb_puts(b, "str:\"");
      for (const char *p = t[i].str; *p; p++) {
        if (*p == '\n') sb_puts(b, "\\n");
        else sb_printf(b, "%c", *p);
      }
      sb_puts(b, "\"");
      break;
    case TK_NEWLINE: sb_puts(b, "NL"); break;
    case TK_INDENT: sb_puts(b, "IN"); break;
    case TK_DEDENT: sb_puts(b, "DE"); break;
    case TK_EOF: sb_puts(b, "EOF"); break;
    default: sb_puts(b, tok_name(t[i].kind)); break;
    }
  }
}

static const Token *find_tok(const Token *t, int n, const char *text, int nth) {
  for (int i = 0; i < n; i++)
    if (t[i].len == (int)strlen(text) && !memcmp(t[i].text, text, (size_t)t[i].len) && nth-- == 0) return &t[i];
  return NULL;
}

static void check_loc(const Token *t, int n, const char *text, int nth, int line, int col) {
  const Token *k = find_tok(t, n, text, nth);
  CHECK(k && k->loc.line == line && k->loc.col == col, "token '%s' #%d at %d:%d (got %d:%d)", text, nth,
        line, col, k ? k->loc.line : -1, k ? k->loc.col : -1);
}

static void test_tokens(void) {
  static const char text[] =
      "def f(a,\n"                          /*  1 */
      "      b):\n"                         /*  2: inside brackets, no INDENT */
      "    x = a + \\\n"                    /*  3: backslash continuation */
      "        b\n"                         /*  4 */
      "    s = \"\"\"two\n"                 /*  5: triple-quoted, two lines */
      "lines\"\"\"\n"                       /*  6 */
      "    y = 0x1F + 1e-6 + 1_000 + .5\n"  /*  7 */
      "  # a comment at an odd indent\n"    /*  8: no DEDENT for comments */
      "\n"                                  /*  9: nor for blank lines */
      "    x //= y ** 2 if [1,\n"           /* 10 */
      "  2] else 3\n"                       /* 11: less indented, but inside [] */
      "    if x:\n"                         /* 12 */
      "        return x  # trailing\n"      /* 13 */
      "    return s\n"                      /* 14: one DEDENT */
      "def g() -> int:\n"                   /* 15: one more */
      "    pass";                           /* 16: no final newline: NL and DE made up */
  static const char expected[] =
      "def f ( a , b ) : NL "
      "IN x = a + b NL "
      "s = str:\"two\\nlines\" NL "
      "y = int:31 + float:1e-06 + int:1000 + float:0.5 NL "
      "x //= y ** int:2 if [ int:1 , int:2 ] else int:3 NL "
      "if x : NL IN return x NL DE "
      "return s NL DE "
      "def g ( ) -> int : NL IN pass NL DE EOF";
  Arena a = {0};
  Diag d = {0};
  SrcFile f = src("tok.py", text);
  int n = 0;
  Token *t = lex_file(&a, &d, &f, &n);
  StrBuf b = {0};
  dump_tokens(&b, t, n);
  CHECK(d.nerrors == 0, "tricky snippet lexes without errors%s%s", d.nerrors ? ":\n" : "", d.text.s ? d.text.s : "");
  bool same = b.s && !strcmp(b.s, expected);
  CHECK(same, "token stream%s%s%s%s", same ? "" : "\n  want: ", same ? "" : expected, same ? "" : "\n  got:  ",
        same ? "" : b.s ? b.s : "");
  check_loc(t, n, "b", 0, 2, 7);
  check_loc(t, n, "b", 1, 4, 9);     /* after the continuation: its own line and column */
  check_loc(t, n, "s", 0, 5, 5);
  check_loc(t, n, "y", 0, 7, 5);     /* line count kept across the triple-quoted string */
  check_loc(t, n, ".5", 0, 7, 31);
  check_loc(t, n, "//=", 0, 10, 7);
  check_loc(t, n, "**", 0, 10, 13);
  check_loc(t, n, "2", 1, 11, 3);    /* the 2 of "2]"; the first "2" is 10:16 */
  check_loc(t, n, "->", 0, 15, 9);
  const Token *str = NULL;
  for (int i = 0; i < n; i++)
    if (t[i].kind == TK_STR) str = &t[i];
  CHECK(str && str->loc.line == 5 && str->loc.col == 9, "a multi-line string is located where it starts (5:9)");
  sb_free(&b);
  sb_free(&d.text);
  arena_free(&a);

  /* Numbers on their own: every base, underscores, exponent forms. */
  static const char nums[] = "0x1F 0o17 0b101 1_000_000 1e-6 2.5E+3 .5 5. 0 007e0\n";
  static const char nums_expected[] =
      "int:31 int:15 int:5 int:1000000 float:1e-06 float:2500 float:0.5 float:5 int:0 float:7 NL EOF";
  f = src("nums.py", nums);
  t = lex_file(&a, &d, &f, &n);
  memset(&b, 0, sizeof b);
  dump_tokens(&b, t, n);
  same = d.nerrors == 0 && b.s && !strcmp(b.s, nums_expected);
  CHECK(same, "number literals: 0x1F 0o17 0b101 1_000_000 1e-6 2.5E+3 .5 5. 0 007e0%s%s%s%s", same ? "" : "\n  want: ",
        same ? "" : nums_expected, same ? "" : "\n  got:  ", same ? "" : b.s ? b.s : "");
  sb_free(&b);
  sb_free(&d.text);
  arena_free(&a);
}

/* ---- syntax tree ------------------------------------------------------------------------- */

static void test_ast(void) {
  static const char text[] =
      "import triton\n"
      "import triton.language as tl\n"
      "\n"
      "@triton.jit\n"
      "def k(x_ptr, n, BLOCK: tl.constexpr = 64):\n"
      "    i = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)\n"
      "    tl.store(x_ptr + i, -i ** 2, mask=i < n)\n";
  /* What this checks beyond the shape: '*' binds tighter than '+', '**' tighter than unary
   * '-', keyword arguments kept apart, the annotation and default of a parameter, and
   * locations (1-based; an attribute is located at its name). */
  static const char expected[] =
      "Import triton @1:8\n"
      "Import triton.language as tl @2:8\n"
      "FunctionDef k @5:5\n"
      "  args:\n"
      "    Param x_ptr @5:7\n"
      "    Param n @5:14\n"
      "    Param BLOCK @5:17\n"
      "      Int 64 @5:39\n"
      "      Attr constexpr @5:27\n"
      "        Name tl @5:24\n"
      "  decorators:\n"
      "    Attr jit @4:9\n"
      "      Name triton @4:2\n"
      "  body:\n"
      "    Assign @6:7\n"
      "      BinOp + @6:34\n"
      "        BinOp * @6:26\n"
      "          Call @6:12\n"
      "            Attr program_id @6:12\n"
      "              Name tl @6:9\n"
      "            args:\n"
      "              Int 0 @6:23\n"
      "          Name BLOCK @6:28\n"
      "        Call @6:39\n"
      "          Attr arange @6:39\n"
      "            Name tl @6:36\n"
      "          args:\n"
      "            Int 0 @6:46\n"
      "            Name BLOCK @6:49\n"
      "      args:\n"
      "        Name i @6:5\n"
      "    Expr @7:5\n"
      "      Call @7:8\n"
      "        Attr store @7:8\n"
      "          Name tl @7:5\n"
      "        args:\n"
      "          BinOp + @7:20\n"
      "            Name x_ptr @7:14\n"
      "            Name i @7:22\n"
      "          UnOp - @7:25\n"
      "            BinOp ** @7:28\n"
      "              Name i @7:26\n"
      "              Int 2 @7:31\n"
      "        kwargs:\n"
      "          Keyword mask @7:34\n"
      "            Compare < @7:41\n"
      "              args:\n"
      "                Name i @7:39\n"
      "                Name n @7:43\n";
  Arena a = {0};
  Diag d = {0};
  SrcFile f = src("k.py", text);
  Module *m = parse_module(&a, &d, &f);
  CHECK(m != NULL && d.nerrors == 0, "small kernel parses%s%s", d.nerrors ? ":\n" : "", d.text.s ? d.text.s : "");
  if (m) {
    StrBuf b = {0};
    for (int i = 0; i < m->body.n; i++) ast_dump(&b, m->body.items[i], 0);
    bool same = b.s && !strcmp(b.s, expected);
    CHECK(same, "ast_dump of the kernel matches the text in the test%s%s%s%s", same ? "" : "\n--- want\n",
          same ? "" : expected, same ? "" : "--- got\n", same ? "" : b.s ? b.s : "");
    sb_free(&b);
  }
  sb_free(&d.text);
  arena_free(&a);
}

/* ---- errors ------------------------------------------------------------------------------ */

/* The message must hold "file:line:col: error:", then the source line (indented by two) and
 * a caret line whose '^' stands under column `col`. */
static bool has_located_error(const char *msg, const char *file, int line, int col) {
  char head[256];
  snprintf(head, sizeof head, "%s:%d:%d: error:", file, line, col);
  const char *p = strstr(msg, head);
  if (!p) return false;
  const char *src_line = strchr(p, '\n');
  if (!src_line) return false;
  const char *caret_line = strchr(src_line + 1, '\n');
  if (!caret_line) return false;
  caret_line++;
  const char *caret = caret_line;
  while (*caret == ' ' || *caret == '\t') caret++;
  if (*caret != '^' || (caret[1] != '\n' && caret[1] != '\0')) return false;
  return caret - caret_line == 2 + (col - 1);
}

static void expect_error(const char *what, const char *text, int line, int col, const char *words) {
  Arena a = {0};
  Diag d = {0};
  SrcFile f = src("err.py", text);
  Module *m = parse_module(&a, &d, &f);
  const char *msg = d.text.s ? d.text.s : "";
  CHECK(m == NULL && d.nerrors > 0, "%s: parse_module returns NULL", what);
  CHECK(has_located_error(msg, "err.py", line, col), "%s: reported at err.py:%d:%d with a caret under it:\n%s",
        what, line, col, msg);
  if (words) CHECK(strstr(msg, words) != NULL, "%s: the message says \"%s\"", what, words);
  sb_free(&d.text);
  arena_free(&a);
}

static void test_errors(void) {
  expect_error("unterminated string",
               "@triton.jit\n"
               "def k(x):\n"
               "    s = \"abc\n"
               "    return\n",
               3, 9, "unterminated string");
  expect_error("unterminated triple-quoted string",
               "x = 1\n"
               "doc = '''never\n"
               "closed\n",
               2, 7, "unterminated string");
  expect_error("bad dedent",
               "def f():\n"
               "        x = 1\n"
               "    y = 2\n",
               3, 5, "unindent");
  /* An open bracket at the end of the file: Python itself refuses such a file, so it must
   * not load, in a kernel or in host code. The error may point at the bracket (3:9, as
   * Python does) or at the end of the file; both are accepted below. */
  const char *open_kernel =
      "@triton.jit\n"
      "def k(x):\n"
      "    x = (1,\n";
  const char *open_host = "y = 2\nx = (1,";
  for (int pass = 0; pass < 2; pass++) {
    Arena a = {0};
    Diag d = {0};
    SrcFile f = src("eof.py", pass ? open_host : open_kernel);
    Module *m = parse_module(&a, &d, &f);
    const char *msg = d.text.s ? d.text.s : "";
    bool located = pass ? has_located_error(msg, "eof.py", 2, 5) || has_located_error(msg, "eof.py", 2, 8)
                        : has_located_error(msg, "eof.py", 3, 9) || has_located_error(msg, "eof.py", 4, 1);
    CHECK(m == NULL && located, "'x = (1,' at end of file (%s) is an error at the bracket or the end:\n%s",
          pass ? "host code" : "in a kernel", msg);
    sb_free(&d.text);
    arena_free(&a);
  }
}

/* ---- host Python around kernels -------------------------------------------------------- */

static const char host_prefix[] =
    "import torch\n"
    "import triton\n"
    "import triton.language as tl\n"
    "\n"
    "class Foo(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        try:\n"
    "            y = x * 2\n"
    "        except Exception as e:\n"
    "            raise RuntimeError(\"bad\") from e\n"
    "        with torch.no_grad():\n"
    "            z = [v for v in range(3)]\n"
    "        return y\n"
    "\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        return g, None\n"
    "\n"
    "try:\n"
    "    import numpy as np\n"
    "except ImportError:\n"
    "    np = None\n"
    "\n";

static void test_host_code(void) {
  StrBuf text = {0};
  sb_puts(&text, host_prefix);
  sb_puts(&text,
          "@triton.jit\n"                      /* 25 */
          "def double_kernel(x_ptr, n):\n"     /* 26 */
          "    i = tl.arange(0, 16)\n"         /* 27 */
          "    tl.store(x_ptr + i, i * 2, mask=i < n)\n"
          "\n"
          "def launch(x):\n"
          "    double_kernel[(1,)](x, x.numel())\n");
  Arena a = {0};
  Diag d = {0};
  SrcFile f = src("host.py", text.s);
  Module *m = parse_module(&a, &d, &f);
  CHECK(m != NULL && d.nerrors == 0 && d.text.len == 0, "class / try / with host code is skipped silently%s%s",
        d.text.len ? ":\n" : "", d.text.s ? d.text.s : "");
  bool found = false;
  for (int i = 0; m && i < m->body.n; i++) {
    const Node *s = m->body.items[i];
    if (s->kind == ND_FUNCDEF && !strcmp(s->name, "double_kernel") && s->decorators.n == 1 && s->body.n == 2)
      found = true;
  }
  CHECK(found, "the @triton.jit function after the host code is in the module, whole");
  sb_free(&d.text);
  arena_free(&a);
  sb_free(&text);

  /* f-strings are everywhere in host code (error messages); only a kernel may not use one. */
  static const char fstr[] =
      "def check(x):\n"
      "    if x < 0:\n"
      "        raise ValueError(f\"x must be >= 0, got {x}\")\n"
      "\n"
      "@triton.jit\n"
      "def k(x_ptr):\n"
      "    pass\n";
  memset(&a, 0, sizeof a);
  memset(&d, 0, sizeof d);
  f = src("fstr.py", fstr);
  m = parse_module(&a, &d, &f);
  CHECK(m != NULL && d.nerrors == 0, "an f-string in host code is skipped silently too%s%s", d.text.len ? ":\n" : "",
        d.text.s ? d.text.s : "");
  sb_free(&d.text);
  arena_free(&a);

  /* The same host code, but the kernel has a syntax error: that one must be reported. */
  memset(&text, 0, sizeof text);
  sb_puts(&text, host_prefix);
  sb_puts(&text,
          "@triton.jit\n"                      /* 25 */
          "def double_kernel(x_ptr, n):\n"     /* 26 */
          "    i = tl.arange(0, 16)\n"         /* 27 */
          "    y = i * / 2\n"                  /* 28: '/' at column 13 */
          "    tl.store(x_ptr + i, y, mask=i < n)\n");
  memset(&a, 0, sizeof a);
  memset(&d, 0, sizeof d);
  f = src("host.py", text.s);
  m = parse_module(&a, &d, &f);
  const char *msg = d.text.s ? d.text.s : "";
  CHECK(m == NULL && has_located_error(msg, "host.py", 28, 13),
        "a syntax error inside the @triton.jit function is reported at host.py:28:13:\n%s", msg);
  CHECK(d.nerrors == 1, "and it is the only error (the host code above stays silent): %d", d.nerrors);
  sb_free(&d.text);
  arena_free(&a);
  sb_free(&text);
}

int main(void) {
  test_tokens();
  test_ast();
  test_errors();
  test_host_code();
  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
