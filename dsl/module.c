/*
 * module.c — a kernel file and the kernel files it imports. Triton kernels share jit
 * helpers across files (`from .utils import element_mul`); Python finds them by import
 * path, we find them next to the importing file. Only files that exist are loaded, so host
 * imports (torch, numpy, the autograd wrapper's helpers) stay unresolved and only an actual
 * use of one of their names inside a kernel is an error (reported by sema with the paths
 * looked at).
 */
#include "dsl.h"

#include <stdio.h>
#include <string.h>

enum {
  MOD_MAX_FILES = 64,               /* a closure larger than this is certainly a mistake */
  MOD_MAX_BYTES = 16 * 1024 * 1024, /* a kernel file larger than this is not a kernel file */
};

typedef struct Loader {
  Arena *a;
  Diag *d;
  const SrcFile *const *known;
  int nknown;
  Module *mods[MOD_MAX_FILES];
  int nmods;
  bool failed;
} Loader;

/* The folder of a file name ("a/b/k.py" → "a/b", "k.py" → "."), or NULL for text sources. */
static const char *dir_of(Arena *a, const char *name) {
  if (!name || name[0] == '<') return NULL;
  const char *slash = strrchr(name, '/');
  if (!slash) return ".";
  if (slash == name) return "/";
  return arena_strndup(a, name, (size_t)(slash - name));
}

/* Reads a whole text file into the arena; NULL if missing, unreadable, too big or binary. */
static const SrcFile *read_file(Loader *L, const char *path) {
  for (int i = 0; i < L->nknown; i++)
    if (L->known[i] && !strcmp(L->known[i]->name, path)) return L->known[i];
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  SrcFile *f = NULL;
  if (fseek(fp, 0, SEEK_END) == 0) {
    long n = ftell(fp);
    if (n >= 0 && n <= MOD_MAX_BYTES && fseek(fp, 0, SEEK_SET) == 0) {
      char *buf = arena_alloc(L->a, (size_t)n + 1);
      if (fread(buf, 1, (size_t)n, fp) == (size_t)n && strlen(buf) == (size_t)n) {
        f = arena_alloc(L->a, sizeof *f);
        *f = (SrcFile){arena_strdup(L->a, path), buf, (size_t)n};
      }
    }
  }
  fclose(fp);
  return f;
}

static bool file_exists(Loader *L, const char *path) {
  for (int i = 0; i < L->nknown; i++)
    if (L->known[i] && !strcmp(L->known[i]->name, path)) return true;
  FILE *fp = fopen(path, "rb");
  if (fp) fclose(fp);
  return fp != NULL;
}

static Module *load_file(Loader *L, const SrcFile *f);

/* Loads the first candidate path that exists; records what was tried either way. */
static void resolve(Loader *L, Module *m, const Node *stmt, const char *member, const char **cands, int ncands,
                    ModImport *out) {
  StrBuf tried = {0};
  *out = (ModImport){stmt, member, NULL, NULL};
  for (int i = 0; i < ncands && !out->mod; i++) {
    sb_printf(&tried, "%s%s", i ? ", " : "", cands[i]);
    if (!file_exists(L, cands[i])) continue;
    for (int k = 0; k < L->nmods && !out->mod; k++)
      if (!strcmp(L->mods[k]->file->name, cands[i])) out->mod = L->mods[k];
    if (out->mod) break;
    const SrcFile *f = read_file(L, cands[i]);
    if (!f) {
      diag_error(L->d, stmt->loc, "cannot read the imported kernel file '%s'", cands[i]);
      diag_hint(L->d, "it exists but is not a readable file: check its type and permissions");
      L->failed = true;
      break;
    }
    out->mod = load_file(L, f);
  }
  out->tried = arena_strdup(L->a, tried.s ? tried.s : "");
  sb_free(&tried);
  (void)m;
}

/* Candidate files for module `name` ("helpers", ".utils", "..pkg.mod", "pkg.mod") imported
 * from a file in `dir`; `member` appends one more component (from . import member). */
static int candidates(Arena *a, const char *dir, const char *name, const char *member, const char **out) {
  int up = 0;
  while (name[up] == '.') up++;
  StrBuf base = {0};
  sb_puts(&base, dir);
  for (int i = 1; i < up; i++) sb_puts(&base, "/..");
  StrBuf rel = {0};
  for (const char *p = name + up; *p; p++) sb_printf(&rel, "%c", *p == '.' ? '/' : *p);
  if (member) sb_printf(&rel, "%s%s", rel.len ? "/" : "", member);
  int n = 0;
  if (rel.len) {
    out[n++] = arena_printf(a, "%s/%s.py", base.s, rel.s);
    out[n++] = arena_printf(a, "%s/%s/__init__.py", base.s, rel.s);
    /* "from liger_kernel.ops.utils import f": the last component, next to the importer */
    const char *last = strrchr(rel.s, '/');
    if (!up && last) out[n++] = arena_printf(a, "%s/%s.py", dir, last + 1);
  }
  sb_free(&base);
  sb_free(&rel);
  return n;
}

/* Modules that are never kernel files: Triton itself and the usual host-side imports. */
static bool foreign_module(const char *name) {
  static const char *const prefixes[] = {"triton", "torch", "numpy", "math", "typing", "functools", "operator",
                                         "os", "sys"};
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
    size_t n = strlen(prefixes[i]);
    if (!strncmp(name, prefixes[i], n) && (name[n] == 0 || name[n] == '.')) return true;
  }
  return false;
}

static Module *load_file(Loader *L, const SrcFile *f) {
  if (L->nmods == MOD_MAX_FILES) {
    diag_error(L->d, (SrcLoc){f, 0, 0}, "more than %d kernel files are imported; stopping", MOD_MAX_FILES);
    diag_hint(L->d, "a kernel needs only the files of its jit helpers; look for an import cycle through a package");
    L->failed = true;
    return NULL;
  }
  Module *m = parse_module(L->a, L->d, f);
  if (!m) {
    L->failed = true;
    return NULL;
  }
  L->mods[L->nmods++] = m; /* before its imports: cycles end here */
  const char *dir = dir_of(L->a, f->name);
  if (!dir) return m;
  int cap = 0;
  for (int i = 0; i < m->body.n; i++) {
    const Node *s = m->body.items[i];
    if (s->kind == ND_IMPORT) cap++;
    if (s->kind == ND_IMPORTFROM) cap += 1 + s->args.n;
  }
  m->imports = arena_alloc(L->a, sizeof(ModImport) * (size_t)(cap + 1));
  for (int i = 0; i < m->body.n && !L->failed; i++) {
    const Node *s = m->body.items[i];
    if ((s->kind != ND_IMPORT && s->kind != ND_IMPORTFROM) || foreign_module(s->name)) continue;
    const char *cands[3];
    if (s->kind == ND_IMPORTFROM && s->name[strspn(s->name, ".")] == 0) {
      /* from . import a, b: each name is a module of that folder */
      for (int k = 0; k < s->args.n && !L->failed; k++) {
        int n = candidates(L->a, dir, s->name, s->args.items[k]->name, cands);
        resolve(L, m, s, s->args.items[k]->name, cands, n, &m->imports[m->nimports++]);
      }
      continue;
    }
    int n = candidates(L->a, dir, s->name, NULL, cands);
    resolve(L, m, s, NULL, cands, n, &m->imports[m->nimports++]);
  }
  return m;
}

Module *load_module(Arena *a, Diag *d, const SrcFile *main, const SrcFile *const *known, int nknown) {
  Loader L = {.a = a, .d = d, .known = known, .nknown = nknown};
  Module *m = load_file(&L, main);
  if (!m || L.failed) return NULL;
  m->closure = arena_alloc(a, sizeof(SrcFile *) * (size_t)L.nmods);
  for (int i = 0; i < L.nmods; i++) m->closure[i] = L.mods[i]->file;
  m->nclosure = L.nmods;
  return m;
}

const ModImport *module_import(const Module *m, const Node *stmt, const char *member) {
  for (int i = 0; i < m->nimports; i++) {
    const ModImport *im = &m->imports[i];
    if (im->stmt != stmt) continue;
    if (!member ? !im->member : im->member && !strcmp(im->member, member)) return im;
  }
  return NULL;
}
