/*
 * dsl.h — internal header of the front end: arena, diagnostics, tokens, syntax tree.
 *
 * Pipeline: lex.c (source → tokens) → parse.c (tokens → Node tree) → sema.c (tree +
 * constexprs + argument signature → tile IR, see ir.h). One section per file below.
 */
#ifndef LIGER_DSL_H
#define LIGER_DSL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- arena.c: one arena per compilation, freed at the end ------------------------------ */

typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
  ArenaChunk *head;
} Arena;

void *arena_alloc(Arena *a, size_t size);              /* zeroed, 16-byte aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);

/* Growable array of pointers, allocated from an arena. */
typedef struct PtrVec {
  void **items;
  int n, cap;
} PtrVec;
void vec_push(Arena *a, PtrVec *v, void *item);

/* Growable text buffer on the heap (used for dumps and messages). */
typedef struct StrBuf {
  char *s;
  size_t len, cap;
} StrBuf;
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
void sb_puts(StrBuf *b, const char *s);
void sb_free(StrBuf *b);

/* ---- diag.c: source files and diagnostics --------------------------------------------- */

typedef struct SrcFile {
  const char *name;
  const char *text; /* NUL-terminated */
  size_t len;
} SrcFile;

typedef struct SrcLoc {
  const SrcFile *file;
  int line, col; /* 1-based; line 0 = no location */
} SrcLoc;

/* Collects errors of one compilation. Each is formatted as
 *   file:line:col: error: message
 *     source line
 *         ^
 * followed by an optional hint line. Compilation continues after an error where it is
 * safe (independent statements). An error identical to one already shown (same place, same
 * message: a helper inlined twice, an unrolled loop) is counted but not shown again, and
 * only the first DIAG_MAX errors are shown. */
#define DIAG_MAX 20
typedef struct Diag {
  StrBuf text;
  int nerrors;      /* every error, shown or not: "did this step fail?" compares it */
  int nshown;       /* errors written to `text` */
  bool hidden;      /* the last error was not shown (so neither is its hint) */
  int notes;        /* notes under the last error (a call chain is cut after a few) */
  bool unsupported; /* at least one error is "valid Triton we do not support" */
} Diag;

void diag_error(Diag *d, SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_verror(Diag *d, SrcLoc loc, const char *fmt, va_list ap);
/* As diag_error, for a construct Triton accepts but we do not (yet). */
void diag_unsupported(Diag *d, SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds "  hint: ..." (what to do) under the last error. */
void diag_hint(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds "  note: ..." (context: where an inlined helper was called) under the last error. */
void diag_note(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- lex.c: Python tokens ---------------------------------------------------------------- */

typedef enum TokKind {
  TK_EOF, TK_NEWLINE, TK_INDENT, TK_DEDENT,
  TK_NAME, TK_INT, TK_FLOAT, TK_STR,
  /* keywords */
  TK_AND, TK_AS, TK_ASSERT, TK_BREAK, TK_CLASS, TK_CONTINUE, TK_DEF, TK_DEL, TK_ELIF,
  TK_ELSE, TK_FALSE, TK_FOR, TK_FROM, TK_GLOBAL, TK_IF, TK_IMPORT, TK_IN, TK_IS, TK_LAMBDA,
  TK_NONE, TK_NONLOCAL, TK_NOT, TK_OR, TK_PASS, TK_RAISE, TK_RETURN, TK_TRUE, TK_TRY,
  TK_WHILE, TK_WITH, TK_YIELD,
  /* operators and delimiters */
  TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
  TK_COMMA, TK_COLON, TK_DOT, TK_SEMI, TK_AT, TK_ARROW, TK_ASSIGN, TK_WALRUS,
  TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_DSLASH, TK_PERCENT, TK_POW,
  TK_SHL, TK_SHR, TK_AMP, TK_PIPE, TK_CARET, TK_TILDE,
  TK_LT, TK_GT, TK_LE, TK_GE, TK_EQ, TK_NE,
  TK_PLUS_EQ, TK_MINUS_EQ, TK_STAR_EQ, TK_SLASH_EQ, TK_DSLASH_EQ, TK_PERCENT_EQ, TK_POW_EQ,
  TK_SHL_EQ, TK_SHR_EQ, TK_AMP_EQ, TK_PIPE_EQ, TK_CARET_EQ, TK_AT_EQ,
  TK_COUNT
} TokKind;

typedef struct Token {
  TokKind kind;
  SrcLoc loc;
  const char *text; /* points into the source */
  int len;
  int64_t ival;     /* TK_INT (values that do not fit in int64 are an error) */
  double fval;      /* TK_FLOAT */
  char *str;        /* TK_STR: decoded value (arena) */
  bool fstring;     /* TK_STR with an f prefix: the parser rejects it inside kernels */
} Token;

/* Spelling of a token kind for messages: "'('", "name", "end of line". */
const char *tok_name(TokKind k);

/* Tokenises a whole file. Returns an arena array terminated by TK_EOF; errors go to `d`
 * (the lexer recovers at the next line). */
Token *lex_file(Arena *a, Diag *d, const SrcFile *f, int *ntok);

/* ---- parse.c: syntax tree -------------------------------------------------------------- */

typedef enum NodeKind {
  /* expressions */
  ND_NAME,      /* name */
  ND_INT,       /* ival */
  ND_FLOAT,     /* fval */
  ND_STR,       /* name = decoded string */
  ND_BOOL,      /* ival 0/1 */
  ND_NONE,
  ND_ATTR,      /* a.name */
  ND_CALL,      /* a(args, kwargs) — kwargs are ND_KEYWORD */
  ND_KEYWORD,   /* name=a */
  ND_SUBSCRIPT, /* a[b]; b may be an ND_TUPLE of indices */
  ND_SLICE,     /* a:b:c inside a subscript, each may be NULL */
  ND_TUPLE,     /* args */
  ND_LIST,      /* args */
  ND_DICT,      /* keys in args, values in kwargs */
  ND_BINOP,     /* a op b, op is a TokKind (TK_PLUS ...) */
  ND_UNOP,      /* op a: TK_MINUS, TK_PLUS, TK_TILDE, TK_NOT */
  ND_BOOLOP,    /* op is TK_AND / TK_OR over args (2 or more) */
  ND_COMPARE,   /* args[0] ops[0] args[1] ops[1] args[2] ...; ops are TokKinds (TK_IN, TK_IS,
                   and TK_NOT/TK_IS... for "not in"/"is not": see CMP_NOT_IN / CMP_IS_NOT) */
  ND_IFEXP,     /* b if a else c */
  ND_LAMBDA,    /* lambda params: a */
  ND_STARRED,   /* *a */
  /* statements */
  ND_EXPR,      /* a */
  ND_ASSIGN,    /* targets in args (chained a = b = v), value a */
  ND_AUGASSIGN, /* b op= a (target b, value a) */
  ND_ANNASSIGN, /* b : c = a (target b, annotation c, value a or NULL) */
  ND_IF,        /* if a: body else: orelse (elif chains nest in orelse) */
  ND_FOR,       /* for b in a: body else: orelse */
  ND_WHILE,     /* while a: body */
  ND_RETURN,    /* return a (a may be NULL) */
  ND_PASS, ND_BREAK, ND_CONTINUE,
  ND_ASSERT,    /* assert a, b */
  ND_FUNCDEF,   /* def name(params in args: ND_PARAM) -> c: body; decorators */
  ND_PARAM,     /* name, annotation c, default a (either NULL) */
  ND_IMPORT,    /* import name [as alias]: one node per dotted name */
  ND_IMPORTFROM,/* from name import alias-list: args are ND_ALIAS */
  ND_ALIAS,     /* name as alias */
  ND_GLOBAL,    /* global/nonlocal names in args (ND_NAME) */
  ND_OTHER_STMT /* a statement kind we parse past but never accept (class, try, with, ...) */
} NodeKind;

enum { CMP_NOT_IN = TK_COUNT + 1, CMP_IS_NOT = TK_COUNT + 2 };

typedef struct Node Node;
typedef struct NodeList {
  Node **items;
  int n, cap;
} NodeList;

struct Node {
  NodeKind kind;
  SrcLoc loc;
  int op;            /* operator TokKind where relevant */
  const char *name;  /* identifier / attribute / string value / keyword name */
  const char *alias; /* ND_IMPORT / ND_ALIAS: "as" name, or NULL */
  int64_t ival;
  double fval;
  Node *a, *b, *c;
  NodeList args, kwargs;
  NodeList body, orelse;
  NodeList decorators;
  int *ops;          /* ND_COMPARE: args.n - 1 operators */
};

void nl_push(Arena *a, NodeList *l, Node *n);

/* A parsed module: its statements, and the file they came from. */
typedef struct Module Module;

/* How one module-level import of another kernel file was resolved (module.c). */
typedef struct ModImport {
  const Node *stmt;   /* the ND_IMPORT / ND_IMPORTFROM statement */
  const char *member; /* "from . import helpers": the imported name that is a module; else NULL */
  Module *mod;        /* the imported file, or NULL if no candidate exists */
  const char *tried;  /* the paths looked at, for messages */
} ModImport;

struct Module {
  const SrcFile *file;
  NodeList body;
  ModImport *imports; /* resolved imports of other kernel files (load_module) */
  int nimports;
  const SrcFile **closure; /* main module only: this file, then every file it imports, */
  int nclosure;            /* transitively, in first-import order */
};

/* Parses a whole file. Returns NULL only if lexing or parsing found errors (in `d`). */
Module *parse_module(Arena *a, Diag *d, const SrcFile *f);
/* Parses a file that holds one expression (a constexpr value given as text). NULL on errors. */
Node *parse_expression(Arena *a, Diag *d, const SrcFile *f);

/* Parses `main` and, transitively, the kernel files it imports from its own folder
 * (`from helpers import f`, `from .helpers import f`, `import helpers as h`,
 * `from pkg.helpers import f` → `<dir>/pkg/helpers.py`, else `<dir>/helpers.py`). Imports of
 * triton, and of files that do not exist (torch, host code), stay unresolved. A file is read
 * from `known` (matched by name) if there, else from disk, so a caller that hashed the
 * closure compiles exactly what it hashed. NULL if any file fails to parse (errors in `d`). */
Module *load_module(Arena *a, Diag *d, const SrcFile *main, const SrcFile *const *known, int nknown);
/* The resolution of an import statement (and member for `from . import m`), or NULL. */
const ModImport *module_import(const Module *m, const Node *stmt, const char *member);

/* Text dump of a tree (tests and LIGER_DEBUG=ast). */
void ast_dump(StrBuf *out, const Node *n, int indent);

#endif /* LIGER_DSL_H */
