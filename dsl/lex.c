/*
 * lex.c — first stage of the front end: Python source text → tokens.
 *
 * Follows Python's lexical rules for the subset kernels use: logical lines ending in
 * NEWLINE, INDENT/DEDENT from an indentation stack, implicit line joining inside brackets,
 * backslash continuation, comments, (triple-)quoted strings with r/b/u prefixes, and int
 * and float literals in every base Python has.
 */
#include "dsl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct Lexer {
  Arena *arena;
  Diag *diag;
  const SrcFile *file;
  const char *p;       /* current position */
  const char *line_start;
  int line;
  int depth;           /* bracket nesting: newlines are not tokens inside brackets */
  SrcLoc open[64];     /* where the innermost open brackets are */
  int indents[100];
  int nindent;
  Token *toks;
  int ntok, cap;
} Lexer;

static const struct { const char *word; TokKind kind; } keywords[] = {
    {"and", TK_AND},       {"as", TK_AS},         {"assert", TK_ASSERT}, {"break", TK_BREAK},
    {"class", TK_CLASS},   {"continue", TK_CONTINUE}, {"def", TK_DEF},   {"del", TK_DEL},
    {"elif", TK_ELIF},     {"else", TK_ELSE},     {"False", TK_FALSE},   {"for", TK_FOR},
    {"from", TK_FROM},     {"global", TK_GLOBAL}, {"if", TK_IF},         {"import", TK_IMPORT},
    {"in", TK_IN},         {"is", TK_IS},         {"lambda", TK_LAMBDA}, {"None", TK_NONE},
    {"nonlocal", TK_NONLOCAL}, {"not", TK_NOT},   {"or", TK_OR},         {"pass", TK_PASS},
    {"raise", TK_RAISE},   {"return", TK_RETURN}, {"True", TK_TRUE},     {"try", TK_TRY},
    {"while", TK_WHILE},   {"with", TK_WITH},     {"yield", TK_YIELD},
};

/* Operators, longest first so that "**=" wins over "**" and "*". */
static const struct { const char *text; TokKind kind; } punct[] = {
    {"**=", TK_POW_EQ}, {"//=", TK_DSLASH_EQ}, {"<<=", TK_SHL_EQ}, {">>=", TK_SHR_EQ},
    {"->", TK_ARROW},   {":=", TK_WALRUS},     {"**", TK_POW},     {"//", TK_DSLASH},
    {"<<", TK_SHL},     {">>", TK_SHR},        {"<=", TK_LE},      {">=", TK_GE},
    {"==", TK_EQ},      {"!=", TK_NE},         {"+=", TK_PLUS_EQ}, {"-=", TK_MINUS_EQ},
    {"*=", TK_STAR_EQ}, {"/=", TK_SLASH_EQ},   {"%=", TK_PERCENT_EQ}, {"&=", TK_AMP_EQ},
    {"|=", TK_PIPE_EQ}, {"^=", TK_CARET_EQ},   {"@=", TK_AT_EQ},
    {"(", TK_LPAREN},   {")", TK_RPAREN},      {"[", TK_LBRACK},   {"]", TK_RBRACK},
    {"{", TK_LBRACE},   {"}", TK_RBRACE},      {",", TK_COMMA},    {":", TK_COLON},
    {".", TK_DOT},      {";", TK_SEMI},        {"@", TK_AT},       {"=", TK_ASSIGN},
    {"+", TK_PLUS},     {"-", TK_MINUS},       {"*", TK_STAR},     {"/", TK_SLASH},
    {"%", TK_PERCENT},  {"&", TK_AMP},         {"|", TK_PIPE},     {"^", TK_CARET},
    {"~", TK_TILDE},    {"<", TK_LT},          {">", TK_GT},
};

const char *tok_name(TokKind k) {
  switch (k) {
  case TK_EOF: return "end of file";
  case TK_NEWLINE: return "end of line";
  case TK_INDENT: return "indent";
  case TK_DEDENT: return "dedent";
  case TK_NAME: return "name";
  case TK_INT: return "integer";
  case TK_FLOAT: return "float";
  case TK_STR: return "string";
  default: break;
  }
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (keywords[i].kind == k) return keywords[i].word;
  for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++)
    if (punct[i].kind == k) return punct[i].text;
  return "?";
}

static SrcLoc here(Lexer *L, const char *at) {
  return (SrcLoc){L->file, L->line, (int)(at - L->line_start) + 1};
}

static Token *push(Lexer *L, TokKind kind, const char *start, const char *end) {
  if (L->ntok == L->cap) {
    int cap = L->cap ? L->cap * 2 : 256;
    Token *t = arena_alloc(L->arena, sizeof(Token) * (size_t)cap);
    if (L->ntok) memcpy(t, L->toks, sizeof(Token) * (size_t)L->ntok);
    L->toks = t;
    L->cap = cap;
  }
  Token *t = &L->toks[L->ntok++];
  memset(t, 0, sizeof *t);
  t->kind = kind;
  t->loc = here(L, start);
  t->text = start;
  t->len = (int)(end - start);
  return t;
}

static void newline(Lexer *L, const char *after) {
  L->line++;
  L->line_start = after;
}

/* Decodes the body of a string literal (between the quotes) with Python's escapes. */
static char *decode_string(Lexer *L, const char *s, const char *e, bool raw, SrcLoc loc) {
  char *out = arena_alloc(L->arena, (size_t)(e - s) + 1), *o = out;
  for (const char *p = s; p < e; p++) {
    if (*p != '\\' || raw) { *o++ = *p; continue; }
    if (++p >= e) break;
    switch (*p) {
    case 'n': *o++ = '\n'; break;
    case 't': *o++ = '\t'; break;
    case 'r': *o++ = '\r'; break;
    case '0': *o++ = '\0'; break;
    case '\\': *o++ = '\\'; break;
    case '\'': *o++ = '\''; break;
    case '"': *o++ = '"'; break;
    case '\n': break; /* escaped newline: continuation inside the string */
    case 'x':
      if (p + 2 < e && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
        char hex[3] = {p[1], p[2], 0};
        *o++ = (char)strtol(hex, NULL, 16);
        p += 2;
        break;
      }
      /* fallthrough */
    default:
      *o++ = '\\';
      *o++ = *p;
      (void)loc;
    }
  }
  *o = 0;
  return out;
}

static const char *lex_string(Lexer *L, const char *start, const char *p) {
  bool raw = false, fstr = false;
  for (const char *q = start; q < p; q++) {
    if (*q == 'r' || *q == 'R') raw = true;
    if (*q == 'f' || *q == 'F') fstr = true;
  }
  char quote = *p;
  bool triple = p[1] == quote && p[2] == quote;
  const char *body = p + (triple ? 3 : 1);
  const char *q = body;
  int start_line = L->line;
  const char *start_line_start = L->line_start;
  for (;;) {
    if (!*q || (!triple && *q == '\n')) {
      SrcLoc loc = {L->file, start_line, (int)(start - start_line_start) + 1};
      diag_error(L->diag, loc, "unterminated string literal");
      diag_hint(L->diag, "close it with %s on this line; a string over several lines needs triple quotes", triple ? "the same three quotes" : "the same quote");
      return q;
    }
    if (*q == '\\' && q[1]) {
      if (q[1] == '\n') newline(L, q + 2);
      q += 2;
      continue;
    }
    if (*q == quote && (!triple || (q[1] == quote && q[2] == quote))) break;
    if (*q == '\n') newline(L, q + 1);
    q++;
  }
  const char *end = q + (triple ? 3 : 1);
  /* the token's location is where it started, even for multi-line strings */
  int save_line = L->line;
  const char *save_ls = L->line_start;
  L->line = start_line;
  L->line_start = start_line_start;
  Token *t = push(L, TK_STR, start, end);
  L->line = save_line;
  L->line_start = save_ls;
  t->str = decode_string(L, body, q, raw, t->loc);
  t->fstring = fstr;
  return end;
}

static const char *lex_number(Lexer *L, const char *p) {
  const char *start = p;
  char buf[128];
  int n = 0;
  bool is_float = false, too_long = false;
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X' || p[1] == 'o' || p[1] == 'O' || p[1] == 'b' || p[1] == 'B')) {
    base = (p[1] == 'x' || p[1] == 'X') ? 16 : (p[1] == 'o' || p[1] == 'O') ? 8 : 2;
    p += 2;
    while (isalnum((unsigned char)*p) || *p == '_') {
      if (*p != '_') { if (n < 120) buf[n++] = *p; else too_long = true; }
      p++;
    }
  } else {
    while (isdigit((unsigned char)*p) || *p == '_') { if (*p != '_') { if (n < 120) buf[n++] = *p; else too_long = true; } p++; }
    if (*p == '.') {
      is_float = true;
      buf[n++] = *p++;
      while (isdigit((unsigned char)*p) || *p == '_') { if (*p != '_') { if (n < 120) buf[n++] = *p; else too_long = true; } p++; }
    }
    if (*p == 'e' || *p == 'E') {
      const char *q = p + 1;
      if (*q == '+' || *q == '-') q++;
      if (isdigit((unsigned char)*q)) {
        is_float = true;
        while (p < q) buf[n++] = *p++;
        while (isdigit((unsigned char)*p) || *p == '_') { if (*p != '_') { if (n < 120) buf[n++] = *p; else too_long = true; } p++; }
      }
    }
  }
  buf[n] = 0;
  Token *t = push(L, is_float ? TK_FLOAT : TK_INT, start, p);
  if (isalpha((unsigned char)*p) || *p == '_') {
    bool complex = (*p == 'j' || *p == 'J') && !isalnum((unsigned char)p[1]) && p[1] != '_';
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    t->len = (int)(p - start);
    if (complex) {
      diag_error(L->diag, t->loc, "complex literals are not supported in kernels");
      diag_hint(L->diag, "kernels compute on real numbers; keep real and imaginary parts in two tensors");
    } else {
      diag_error(L->diag, t->loc, "invalid number literal %.*s", t->len, start);
      diag_hint(L->diag, "a name cannot start with a digit; put an operator or a space between a number and a name");
    }
    return p;
  }
  if (too_long) {
    diag_error(L->diag, t->loc, "number literal %.*s... has more than 120 digits", t->len > 40 ? 40 : t->len, start);
    diag_hint(L->diag, "Triton ints are at most 64-bit; write a float with an exponent (1e130) for a huge value");
    return p;
  }
  if (is_float) {
    t->fval = strtod(buf, NULL);
  } else {
    errno = 0;
    char *end;
    unsigned long long v = strtoull(buf, &end, base);
    if (n && *end) {
      diag_error(L->diag, t->loc, "invalid digit '%c' in a base-%d literal", *end, base);
      diag_hint(L->diag, "%s", base == 2 ? "0b literals take the digits 0 and 1" : base == 8 ? "0o literals take the digits 0 to 7"
                                                                                   : "0x literals take the digits 0 to 9 and a to f");
      return p;
    }
    if (n == 0) {
      diag_error(L->diag, t->loc, "integer literal %.*s has no digits", t->len, start);
      diag_hint(L->diag, "write the digits after the base prefix, e.g. %.*s10", t->len, start);
    } else if (errno || v > (unsigned long long)INT64_MAX) {
      diag_error(L->diag, t->loc, "integer literal %.*s is out of range (Triton ints are at most 64-bit)", t->len, start);
      diag_hint(L->diag, "use a value below 2**63, or a float literal such as 1e20");
    }
    t->ival = (int64_t)v;
  }
  return p;
}

/* Measures the indentation at the start of a line; returns the first non-blank char. */
static const char *measure_indent(const char *p, int *col) {
  int c = 0;
  for (;; p++) {
    if (*p == ' ') c++;
    else if (*p == '\t') c = (c / 8 + 1) * 8;
    else if (*p == '\f') c = 0;
    else break;
  }
  *col = c;
  return p;
}

Token *lex_file(Arena *a, Diag *d, const SrcFile *f, int *ntok) {
  Lexer L = {.arena = a, .diag = d, .file = f, .p = f->text, .line_start = f->text, .line = 1};
  L.indents[0] = 0;
  L.nindent = 1;
  bool at_line_start = true;
  const char *p = f->text;
  if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
  while (*p) {
    if (at_line_start && L.depth == 0) {
      int col;
      const char *q = measure_indent(p, &col);
      if (*q == '\n' || *q == '#' || *q == '\r' || !*q) {
        /* blank or comment-only line: no tokens, no indentation change */
        while (*q && *q != '\n') q++;
        if (*q == '\n') { q++; newline(&L, q); }
        p = q;
        continue;
      }
      if (col > L.indents[L.nindent - 1]) {
        if (L.nindent == 100) {
          diag_error(d, here(&L, q), "too deeply nested (more than 99 indentation levels)");
          diag_hint(d, "move the inner part into a @triton.jit helper function");
        }
        else L.indents[L.nindent++] = col;
        push(&L, TK_INDENT, q, q);
      } else {
        while (col < L.indents[L.nindent - 1]) {
          L.nindent--;
          push(&L, TK_DEDENT, q, q);
        }
        if (col != L.indents[L.nindent - 1]) {
          diag_error(d, here(&L, q), "unindent does not match any outer indentation level");
          diag_hint(d, "indent this line like the block it belongs to (and do not mix tabs and spaces)");
        }
      }
      p = q;
      at_line_start = false;
    }
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') { p++; continue; }
    if (c == '#') { while (*p && *p != '\n') p++; continue; }
    if (c == '\\' && (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n'))) {
      p += p[1] == '\n' ? 2 : 3;
      newline(&L, p);
      continue;
    }
    if (c == '\n') {
      if (L.depth == 0) {
        if (L.ntok && L.toks[L.ntok - 1].kind != TK_NEWLINE) push(&L, TK_NEWLINE, p, p + 1);
        at_line_start = true;
      }
      p++;
      newline(&L, p);
      continue;
    }
    /* string with optional prefix */
    {
      const char *q = p;
      while (q - p < 2 && strchr("rRbBuUfF", *q) && *q) q++;
      if (*q == '\'' || *q == '"') {
        p = lex_string(&L, p, q);
        continue;
      }
    }
    if (isalpha((unsigned char)c) || c == '_') {
      const char *s = p;
      while (isalnum((unsigned char)*p) || *p == '_') p++;
      TokKind k = TK_NAME;
      for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if ((size_t)(p - s) == strlen(keywords[i].word) && !memcmp(s, keywords[i].word, (size_t)(p - s))) k = keywords[i].kind;
      push(&L, k, s, p);
      continue;
    }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)p[1]))) {
      p = lex_number(&L, p);
      continue;
    }
    bool matched = false;
    for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++) {
      size_t n = strlen(punct[i].text);
      if (!strncmp(p, punct[i].text, n)) {
        TokKind k = punct[i].kind;
        if (k == TK_LPAREN || k == TK_LBRACK || k == TK_LBRACE) {
          if (L.depth < 64) L.open[L.depth] = here(&L, p);
          L.depth++;
        }
        if ((k == TK_RPAREN || k == TK_RBRACK || k == TK_RBRACE) && L.depth > 0) L.depth--;
        push(&L, k, p, p + n);
        p += n;
        matched = true;
        break;
      }
    }
    if (!matched) {
      if ((unsigned char)c >= 0x80) {
        diag_error(d, here(&L, p), "non-ASCII character in source (only ASCII identifiers are supported)");
        diag_hint(d, "use ASCII names; other characters may appear in comments and strings");
      } else {
        diag_error(d, here(&L, p), "unexpected character '%c'", c);
        diag_hint(d, "it is not part of Python's syntax; remove it or put it in a string or a comment");
      }
      p++;
      while (((unsigned char)*p & 0xC0) == 0x80) p++;
    }
  }
  if (L.depth > 0) {
    diag_error(d, L.open[L.depth <= 64 ? L.depth - 1 : 63], "this bracket is never closed");
    diag_hint(d, "the file ends inside it: close it where the expression ends");
  }
  if (L.ntok && L.toks[L.ntok - 1].kind != TK_NEWLINE) push(&L, TK_NEWLINE, p, p);
  while (L.nindent > 1) {
    L.nindent--;
    push(&L, TK_DEDENT, p, p);
  }
  push(&L, TK_EOF, p, p);
  *ntok = L.ntok;
  return L.toks;
}
