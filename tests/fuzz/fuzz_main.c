/*
 * fuzz_main.c — a portable driver for the front-end fuzz target (fuzz_frontend.c), used where
 * libFuzzer is not available (gcc, CI):
 *
 *   fuzz_frontend_smoke [--seconds S] [--runs N] [--seed X] [--dict FILE] [--artifacts DIR]
 *                       [--timeout T] [--strict] [-v] PATH...
 *
 * PATH is a corpus folder (every file in it, in name order) or one file. Every corpus file
 * runs once; then mutants of them run until N runs or S seconds, whichever comes first (with
 * neither, only the corpus runs: the way to replay a crash file). The mutants are a pure
 * function of the seed and the corpus, so run k is the same input on every machine; only how
 * far a --seconds run gets depends on the machine's speed.
 *
 * Mutations are chosen to reach the lexer's and parser's corners rather than to be clever:
 * bit flips, byte inserts/deletes/replacements, lines spliced in from other corpus files,
 * dictionary tokens (Python/Triton keywords and operators; --dict reads a libFuzzer
 * dictionary), indentation changes, duplicated/dropped/swapped lines, odd numbers, deep
 * bracket nesting and long repeated runs. A mutant sometimes goes on from the previous one,
 * so that changes stack up.
 *
 * A crash (sanitizer report, signal) or a hang (--timeout, default 10 s per input) leaves the
 * input in DIR/crash-RUN.py or DIR/timeout-RUN.py (DIR: --artifacts, default "."). The last
 * line is "N passed, M failed"; an input fails when it hits an "internal error" diagnostic
 * and --strict is given (without --strict those are counted and reported, not failed).
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Present only in sanitizer builds: ASan calls it before it exits on an error. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* Read by UBSan at start-up. gcc links libubsan apart from libasan, each with its own copy of
 * the death callback above, so UBSan is made to abort instead: SIGABRT saves the input. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) { return "abort_on_error=1:print_stacktrace=1"; }

/* ---- byte buffers ------------------------------------------------------------------------- */

typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "fuzz_frontend_smoke: out of memory\n");
    exit(2);
  }
  return q;
}

static void buf_reserve(Buf *b, size_t n) {
  if (n <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < n) cap *= 2;
  b->s = xrealloc(b->s, cap);
  b->cap = cap;
}

static void buf_set(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  if (n) memcpy(b->s, s, n);
  b->len = n;
}

/* Replaces b[at, at+del) with s[0, n). */
static void buf_splice(Buf *b, size_t at, size_t del, const char *s, size_t n) {
  if (at > b->len) at = b->len;
  if (del > b->len - at) del = b->len - at;
  buf_reserve(b, b->len - del + n);
  memmove(b->s + at + n, b->s + at + del, b->len - at - del);
  if (n) memcpy(b->s + at, s, n);
  b->len = b->len - del + n;
}

static void buf_insert(Buf *b, size_t at, const char *s, size_t n) { buf_splice(b, at, 0, s, n); }

/* ---- corpus and dictionary ---------------------------------------------------------------- */

typedef struct Input {
  char *name;
  Buf data;
} Input;

static Input *corpus;
static int ncorpus, corpus_cap;

static char **dict;
static size_t *dict_len;
static int ndict, dict_cap;

static void add_input(const char *name, const char *s, size_t n) {
  if (ncorpus == corpus_cap) {
    corpus_cap = corpus_cap ? corpus_cap * 2 : 64;
    corpus = xrealloc(corpus, sizeof(Input) * (size_t)corpus_cap);
  }
  Input *in = &corpus[ncorpus++];
  in->name = strdup(name);
  memset(&in->data, 0, sizeof in->data);
  buf_set(&in->data, s, n);
}

static void add_token(const char *s, size_t n) {
  if (!n) return;
  if (ndict == dict_cap) {
    dict_cap = dict_cap ? dict_cap * 2 : 128;
    dict = xrealloc(dict, sizeof(char *) * (size_t)dict_cap);
    dict_len = xrealloc(dict_len, sizeof(size_t) * (size_t)dict_cap);
  }
  dict[ndict] = xrealloc(NULL, n);
  memcpy(dict[ndict], s, n);
  dict_len[ndict++] = n;
}

static bool read_file(const char *path, Buf *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  out->len = 0;
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    buf_reserve(out, out->len + n);
    memcpy(out->s + out->len, chunk, n);
    out->len += n;
  }
  bool ok = !ferror(f);
  fclose(f);
  return ok;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool load_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "fuzz_frontend_smoke: %s: %s\n", path, strerror(errno));
    return false;
  }
  Buf b = {0};
  if (!S_ISDIR(st.st_mode)) {
    bool ok = read_file(path, &b);
    if (ok) add_input(path, b.s ? b.s : "", b.len);
    else fprintf(stderr, "fuzz_frontend_smoke: cannot read %s\n", path);
    free(b.s);
    return ok;
  }
  DIR *dir = opendir(path);
  if (!dir) {
    fprintf(stderr, "fuzz_frontend_smoke: %s: %s\n", path, strerror(errno));
    return false;
  }
  char **names = NULL;
  int n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      names = xrealloc(names, sizeof(char *) * (size_t)cap);
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    names[n] = xrealloc(NULL, len);
    snprintf(names[n++], len, "%s/%s", path, e->d_name);
  }
  closedir(dir);
  qsort(names, (size_t)n, sizeof(char *), cmp_str); /* readdir order is the file system's */
  bool ok = true;
  for (int i = 0; i < n; i++) {
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (read_file(names[i], &b)) add_input(names[i], b.s ? b.s : "", b.len);
      else ok = false;
    }
    free(names[i]);
  }
  free(names);
  free(b.s);
  return ok;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A libFuzzer dictionary: lines `name="value"` or `"value"`, # comments, escapes \\ \" \xNN. */
static bool load_dict(const char *path) {
  Buf b = {0};
  if (!read_file(path, &b)) {
    fprintf(stderr, "fuzz_frontend_smoke: cannot read dictionary %s\n", path);
    free(b.s);
    return false;
  }
  buf_insert(&b, b.len, "\n", 1);
  char *tok = xrealloc(NULL, b.len);
  for (size_t i = 0; i < b.len;) {
    size_t eol = i;
    while (b.s[eol] != '\n') eol++;
    size_t q = i;
    while (q < eol && b.s[q] != '"' && b.s[q] != '#') q++;
    if (q < eol && b.s[q] == '"') {
      size_t n = 0;
      for (q++; q < eol && b.s[q] != '"'; q++) {
        if (b.s[q] == '\\' && q + 1 < eol) {
          q++;
          if (b.s[q] == 'x' && q + 2 < eol && hexval(b.s[q + 1]) >= 0 && hexval(b.s[q + 2]) >= 0) {
            tok[n++] = (char)(hexval(b.s[q + 1]) * 16 + hexval(b.s[q + 2]));
            q += 2;
            continue;
          }
        }
        tok[n++] = b.s[q];
      }
      add_token(tok, n);
    }
    i = eol + 1;
  }
  free(tok);
  free(b.s);
  return true;
}

/* Used when no --dict is given. */
static const char *const builtin_dict[] = {
    "@triton.jit\n", "def ", "tl.constexpr", "tl.program_id(0)", "tl.arange(0, BLOCK)", "tl.load(",
    "tl.store(", "mask=", "other=", "axis=", "for ", " in range(", "if ", "elif ", "else:", "while ",
    "return", "import triton\n", "import triton.language as tl\n", "(", ")", "[", "]", ":", ",",
    "[:, None]", "[None, :]", "**", "//", "<<", ">>", "==", "!=", "+=", "->", ":=", "lambda", "\n    ",
    "\\\n", "'''", "\"", "0x", "1e", "1.5", "None", "True", "not ", " and ", " or ", "tl.float32",
};

/* ---- deterministic random numbers ---------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* ---- mutations ------------------------------------------------------------------------------ */

static const char interesting_chars[] =
    "()[]{}:,.;@=+-*/%<>!&|^~ \t\n\r\\'\"#0123456789_abcxyzjeEfFrRbBuUoO";

static char pick_char(void) {
  switch (rnd_below(4)) {
  case 0: return (char)rnd_below(256);
  case 1: return (char)(0x80 + rnd_below(0x80)); /* UTF-8 lead and continuation bytes */
  default: return interesting_chars[rnd_below(sizeof interesting_chars - 1)];
  }
}

/* Start of the line holding b[at], and of the next line (or the end). */
static size_t line_start(const Buf *b, size_t at) {
  while (at > 0 && b->s[at - 1] != '\n') at--;
  return at;
}
static size_t line_end(const Buf *b, size_t at) {
  while (at < b->len && b->s[at] != '\n') at++;
  return at < b->len ? at + 1 : at;
}

static void m_flip_bit(Buf *b) {
  if (b->len) b->s[rnd_below(b->len)] ^= (char)(1u << rnd_below(8));
}

static void m_insert_byte(Buf *b) {
  size_t n = 1 + (rnd_below(4) == 0 ? rnd_below(8) : 0);
  size_t at = rnd_below(b->len + 1);
  for (size_t i = 0; i < n; i++) {
    char c = pick_char();
    buf_insert(b, at, &c, 1);
  }
}

static void m_delete_bytes(Buf *b) {
  if (!b->len) return;
  size_t at = rnd_below(b->len);
  size_t n = 1 + rnd_below(rnd_below(2) ? 4 : 64);
  buf_splice(b, at, n, NULL, 0);
}

static void m_replace_byte(Buf *b) {
  if (b->len) b->s[rnd_below(b->len)] = pick_char();
}

static void m_splice_line(Buf *b) {
  const Buf *src = &corpus[rnd_below((size_t)ncorpus)].data;
  if (!src->len) return;
  size_t from = line_start(src, rnd_below(src->len));
  size_t to = line_end(src, from);
  if (rnd_below(4) == 0) to = line_end(src, to); /* two or three lines */
  if (rnd_below(8) == 0) to = line_end(src, to);
  size_t at = line_start(b, rnd_below(b->len + 1));
  if (rnd_below(2) && b->len) buf_splice(b, at, line_end(b, at) - at, src->s + from, to - from); /* replace */
  else buf_insert(b, at, src->s + from, to - from);
}

static void m_insert_token(Buf *b) {
  size_t at = rnd_below(b->len + 1);
  if (ndict) {
    size_t k = rnd_below((size_t)ndict);
    if (rnd_below(3) == 0) buf_insert(b, at, " ", 1);
    buf_insert(b, at, dict[k], dict_len[k]);
    if (rnd_below(3) == 0) buf_insert(b, at, " ", 1);
  } else {
    const char *t = builtin_dict[rnd_below(sizeof builtin_dict / sizeof builtin_dict[0])];
    buf_insert(b, at, t, strlen(t));
  }
}

static void m_indent(Buf *b) {
  size_t at = line_start(b, rnd_below(b->len + 1));
  size_t ws = at;
  while (ws < b->len && (b->s[ws] == ' ' || b->s[ws] == '\t')) ws++;
  switch (rnd_below(6)) {
  case 0: buf_insert(b, at, "    ", 1 + rnd_below(4)); break;
  case 1: buf_insert(b, at, "\t", 1); break;
  case 2: buf_splice(b, at, ws - at, NULL, 0); break;                 /* dedent to column 0 */
  case 3: if (ws > at) buf_splice(b, at, 1 + rnd_below(ws - at), NULL, 0); break;
  case 4: if (ws - at >= 4) buf_splice(b, at, 4, "\t", 1); break;      /* 4 spaces -> tab */
  default: {                                                         /* indent several lines */
    size_t end = at;
    for (size_t k = 1 + rnd_below(6); k > 0 && end < b->len; k--) end = line_end(b, end);
    for (size_t p = at; p < end;) {
      buf_insert(b, p, "  ", 2);
      end += 2;
      p = line_end(b, p);
    }
  }
  }
}

static void m_lines(Buf *b) {
  if (!b->len) return;
  size_t a0 = line_start(b, rnd_below(b->len)), a1 = line_end(b, a0);
  switch (rnd_below(3)) {
  case 0: { /* duplicate */
    char *copy = xrealloc(NULL, a1 - a0);
    memcpy(copy, b->s + a0, a1 - a0);
    buf_insert(b, a1, copy, a1 - a0);
    free(copy);
    break;
  }
  case 1: buf_splice(b, a0, a1 - a0, NULL, 0); break; /* drop */
  default: {                                          /* swap with the next line */
    size_t b1 = line_end(b, a1);
    if (b1 == a1) break;
    size_t n1 = a1 - a0, n2 = b1 - a1;
    char *tmp = xrealloc(NULL, n1 + n2);
    memcpy(tmp, b->s + a1, n2);
    memcpy(tmp + n2, b->s + a0, n1);
    memcpy(b->s + a0, tmp, n1 + n2);
    free(tmp);
  }
  }
}

static const char *const odd_numbers[] = {
    "0", "1", "-1", "2", "3", "16", "17", "31", "32", "64", "127", "128", "255", "256", "1023", "1024",
    "4096", "65536", "1048576", "2147483647", "2147483648", "4294967295", "4294967296",
    "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "99999999999999999999999999999999999999", "0x7fffffffffffffff", "0xffffffffffffffff", "0b1",
    "0o777", "1_000", "0.0", "-0.0", "1e308", "1e309", "1e-400", "5e-324", "1.5", ".5", "1.",
    "1e", "0x", "00", "1j", "1__0", "0xg",
};

static void m_number(Buf *b) {
  const char *v = odd_numbers[rnd_below(sizeof odd_numbers / sizeof odd_numbers[0])];
  /* replace the digit run nearest after a random place, or insert one there */
  size_t at = rnd_below(b->len + 1), p = at;
  while (p < b->len && !(b->s[p] >= '0' && b->s[p] <= '9')) p++;
  if (p < b->len && p - at < 200) {
    size_t e = p;
    while (e < b->len && ((b->s[e] >= '0' && b->s[e] <= '9') || b->s[e] == '.' || b->s[e] == '_')) e++;
    buf_splice(b, p, e - p, v, strlen(v));
  } else {
    buf_insert(b, at, v, strlen(v));
  }
}

static void m_nest(Buf *b) {
  static const char open[] = "([{", close[] = ")]}";
  int k = rnd_below(2) ? 1 + (int)rnd_below(8) : rnd_below(8) ? 1 + (int)rnd_below(300) : 1 + (int)rnd_below(5000);
  int kind = (int)rnd_below(3);
  /* wrap b[at, at+n) on one line, or just open (a syntax error, still deep) */
  size_t at = rnd_below(b->len + 1);
  size_t end = at, eol = line_end(b, at);
  if (eol > at && b->s[eol - 1] == '\n') eol--;
  if (eol > at) end = at + rnd_below(eol - at + 1);
  bool closed = rnd_below(4) != 0;
  if (closed) for (int i = 0; i < k; i++) buf_insert(b, end, &close[kind], 1);
  for (int i = 0; i < k; i++) buf_insert(b, at, &open[kind], 1);
}

static void m_repeat(Buf *b) {
  /* a long run of one short piece: "+x", "-", "not ", "a.", "x[0]", ... */
  static const char *const pieces[] = {"+x", "-", "~", "not ", "a.", "[0]", "(1)", ", 1", " if 1 else 1",
                                       "**2", " < 1", " and 1", "\t", " ", "\n", "\\\n", "x", "9", "lambda: "};
  const char *p = pieces[rnd_below(sizeof pieces / sizeof pieces[0])];
  size_t n = rnd_below(4) ? 1 + rnd_below(64) : 1 + rnd_below(4000);
  size_t len = strlen(p);
  size_t at = rnd_below(b->len + 1);
  if (len * n > FUZZ_MAX_INPUT) n = FUZZ_MAX_INPUT / len;
  char *s = xrealloc(NULL, len * n);
  for (size_t i = 0; i < n; i++) memcpy(s + i * len, p, len);
  buf_insert(b, at, s, len * n);
  free(s);
}

static void m_copy_chunk(Buf *b) {
  if (!b->len) return;
  size_t from = rnd_below(b->len), n = 1 + rnd_below(b->len - from < 256 ? b->len - from : 256);
  char *copy = xrealloc(NULL, n);
  memcpy(copy, b->s + from, n);
  buf_insert(b, rnd_below(b->len + 1), copy, n);
  free(copy);
}

static void (*const mutators[])(Buf *) = {
    m_flip_bit, m_insert_byte, m_delete_bytes, m_replace_byte, m_splice_line, m_splice_line,
    m_insert_token, m_insert_token, m_insert_token, m_indent, m_indent, m_lines, m_number,
    m_nest, m_repeat, m_copy_chunk,
};

/* ---- crash and hang reports ------------------------------------------------------------------ */

static const char *artifacts = ".";
static const char *volatile cur_data;
static volatile size_t cur_len;
static volatile long cur_run;

/* Writes the current input to DIR/KIND-RUN.py with async-signal-safe calls only. */
static void save_current(const char *kind) {
  char path[4096], num[32];
  int n = 0;
  long r = cur_run;
  do num[n++] = (char)('0' + r % 10); while ((r /= 10) > 0);
  size_t p = 0;
  for (const char *s = artifacts; *s && p < sizeof path - 64; s++) path[p++] = *s;
  path[p++] = '/';
  for (const char *s = kind; *s; s++) path[p++] = *s;
  path[p++] = '-';
  while (n > 0) path[p++] = num[--n];
  memcpy(path + p, ".py", 4);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    for (size_t off = 0; off < cur_len;) {
      ssize_t w = write(fd, cur_data + off, cur_len - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    close(fd);
  }
  static const char msg[] = "\nfuzz_frontend_smoke: the failing input is in ";
  if (write(2, msg, sizeof msg - 1) < 0 || write(2, path, strlen(path)) < 0 || write(2, "\n", 1) < 0) return;
}

static void on_death(void) { save_current("crash"); }

static void on_signal(int sig) {
  save_current(sig == SIGALRM ? "timeout" : "crash");
  if (sig == SIGALRM) {
    static const char msg[] = "fuzz_frontend_smoke: one input ran past --timeout\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(1);
    _exit(1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/* ---- main ------------------------------------------------------------------------------------ */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long passed, failed, internal_seen;
static int timeout_s = 10;
static bool strict, verbose;

static void run_one(const char *data, size_t len, long run) {
  cur_data = data;
  cur_len = len;
  cur_run = run;
  long before = fuzz_stats()->internal_errors;
  if (timeout_s > 0) alarm((unsigned)timeout_s);
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  if (timeout_s > 0) alarm(0);
  if (fuzz_stats()->internal_errors > before) {
    internal_seen++;
    if (internal_seen <= 20) {
      save_current("internal");
      if (verbose || strict) fprintf(stderr, "%s", fuzz_last_internal_error());
    }
    if (strict) {
      failed++;
      return;
    }
  }
  passed++;
}

static void usage(void) {
  fprintf(stderr, "usage: fuzz_frontend_smoke [--seconds S] [--runs N] [--seed X] [--dict FILE] [--artifacts DIR]\n"
                  "                           [--timeout T] [--strict] [-v] PATH...\n");
  exit(2);
}

int main(int argc, char **argv) {
  double seconds = 0;
  long runs = -1;
  uint64_t seed = 1;
  const char *dict_path = NULL;
  int npaths = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool has_val = i + 1 < argc;
    if (!strcmp(a, "--seconds") && has_val) seconds = atof(argv[++i]);
    else if (!strcmp(a, "--runs") && has_val) runs = atol(argv[++i]);
    else if (!strcmp(a, "--seed") && has_val) seed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(a, "--dict") && has_val) dict_path = argv[++i];
    else if (!strcmp(a, "--artifacts") && has_val) artifacts = argv[++i];
    else if (!strcmp(a, "--timeout") && has_val) timeout_s = atoi(argv[++i]);
    else if (!strcmp(a, "--strict")) strict = true;
    else if (!strcmp(a, "-v")) verbose = true;
    else if (a[0] == '-') usage();
    else {
      if (!load_path(a)) return 2;
      npaths++;
    }
  }
  if (!npaths) usage();
  if (dict_path && !load_dict(dict_path)) return 2;
  if (!ncorpus) add_input("<empty>", "", 0);
  if (runs < 0) runs = seconds > 0 ? -1 : 0; /* only --seconds: no run limit */
  rng_state = seed;

  if (__sanitizer_set_death_callback) {
    __sanitizer_set_death_callback(on_death); /* the sanitizer owns SIGSEGV & co. */
  } else {
    /* on a stack of their own, so that a stack overflow is reported too */
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
      struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_ONSTACK | SA_RESETHAND};
      sigaction(fatal[i], &sa, NULL);
    }
  }
  signal(SIGABRT, on_signal);
  signal(SIGALRM, on_signal);

  printf("fuzz_frontend_smoke: %d corpus inputs, %d dictionary tokens, seed %llu\n", ncorpus,
         ndict ? ndict : (int)(sizeof builtin_dict / sizeof builtin_dict[0]), (unsigned long long)seed);
  fflush(stdout);
  double t0 = now(), last_report = t0;
  long run = 0;
  for (int i = 0; i < ncorpus; i++, run++) {
    Buf *d = &corpus[i].data;
    if (verbose) printf("corpus %s (%zu bytes)\n", corpus[i].name, d->len);
    run_one(d->s ? d->s : "", d->len > FUZZ_MAX_INPUT ? FUZZ_MAX_INPUT : d->len, run);
  }
  printf("corpus: %ld inputs in %.1f s\n", run, now() - t0);
  fflush(stdout);

  Buf cur = {0};
  int chain = 0;
  long mutants = 0;
  while (runs < 0 || mutants < runs) {
    if (seconds > 0 && (mutants & 15) == 0 && now() - t0 >= seconds) break;
    if (chain == 0 || chain >= 4 || rnd_below(2) == 0) {
      const Buf *base = &corpus[rnd_below((size_t)ncorpus)].data;
      buf_set(&cur, base->s ? base->s : "", base->len);
      chain = 0;
    }
    chain++;
    for (size_t k = rnd_below(4) ? 1 : 2 + rnd_below(4); k > 0; k--)
      mutators[rnd_below(sizeof mutators / sizeof mutators[0])](&cur);
    if (cur.len > FUZZ_MAX_INPUT) cur.len = FUZZ_MAX_INPUT;
    buf_reserve(&cur, 1);
    run_one(cur.s, cur.len, run++);
    mutants++;
    double t = now();
    if (t - last_report >= 5.0) {
      const FuzzStats *s = fuzz_stats();
      printf("#%ld  %.0f s  %.0f exec/s  parsed %ld  kernels built %ld/%ld  internal errors %ld\n", run, t - t0,
             (double)run / (t - t0), s->parsed, s->built, s->kernels, s->internal_errors);
      fflush(stdout);
      last_report = t;
    }
  }
  double t = now() - t0;
  const FuzzStats *s = fuzz_stats();
  printf("done: %ld runs (%ld mutants) in %.1f s, %.0f exec/s; parsed %ld, kernels built %ld of %ld\n", run, mutants,
         t, t > 0 ? (double)run / t : 0.0, s->parsed, s->built, s->kernels);
  if (internal_seen)
    printf("%ld inputs hit an internal error%s (first ones saved as %s/internal-RUN.py)\n", internal_seen,
           strict ? "" : " (not counted as failures without --strict)", artifacts);
  printf("%ld passed, %ld failed\n", passed, failed);

  free(cur.s);
  for (int i = 0; i < ncorpus; i++) {
    free(corpus[i].name);
    free(corpus[i].data.s);
  }
  free(corpus);
  for (int i = 0; i < ndict; i++) free(dict[i]);
  free(dict);
  free(dict_len);
  return failed ? 1 : 0;
}
