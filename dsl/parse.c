/*
 * parse.c — second stage of the front end: tokens → syntax tree (Node, see dsl.h).
 *
 * A recursive-descent parser for the Python subset kernels are written in, with Python's
 * precedence. Kernel files also hold host-side Python (torch code, classes, helpers): a
 * top-level statement that is not needed for kernels and does not parse in our subset is
 * skipped rather than reported, so that real Triton files load. Inside function bodies
 * everything must parse, and constructs outside the subset are named in the error.
 */
#include "dsl.h"

#include <stdlib.h>
#include <string.h>

typedef struct Parser {
  Arena *arena;
  Diag *diag;
  Token *toks;
  int pos, ntok;
  bool failed; /* a syntax error happened in the current top-level statement */
  int depth;   /* nesting of the expression being parsed, see enter() */
} Parser;

/* How deep expressions may nest. Each level is a bracket, an operator or a trailer (a.b,
 * f(x), x[i]) of a chain: x+x+...+x is as deep as it is long. Both this recursive parser
 * and sema's walk over the tree take stack per level, so a limit keeps a hostile or
 * generated file from overflowing it; Python's own parser stops at a similar depth. */
enum { PARSE_MAX_DEPTH = 500 };

#define COMPREHENSION_HINT "compute on whole tensors (tl.arange, tl.where, tl.sum), or loop over tl.static_range"

static Node *expr(Parser *P);
static Node *test(Parser *P);
static Node *or_expr(Parser *P);
static void block(Parser *P, NodeList *out);
static Node *statement_list(Parser *P, NodeList *out);

void nl_push(Arena *a, NodeList *l, Node *n) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 4;
    Node **items = arena_alloc(a, sizeof(Node *) * (size_t)cap);
    if (l->n) memcpy(items, l->items, sizeof(Node *) * (size_t)l->n);
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = n;
}

static Token *peek(Parser *P) { return &P->toks[P->pos]; }
static Token *peek2(Parser *P) { return &P->toks[P->pos + 1 < P->ntok ? P->pos + 1 : P->pos]; }
static bool at(Parser *P, TokKind k) { return peek(P)->kind == k; }
static Token *next(Parser *P) {
  Token *t = &P->toks[P->pos];
  if (t->kind != TK_EOF) P->pos++;
  return t;
}
static bool at_name(Parser *P, const char *name) {
  Token *t = peek(P);
  return t->kind == TK_NAME && (size_t)t->len == strlen(name) && !memcmp(t->text, name, (size_t)t->len);
}
static bool accept(Parser *P, TokKind k) {
  if (!at(P, k)) return false;
  next(P);
  return true;
}

/* Reports a syntax error at `t`, with a hint saying what to do (or NULL when the message
 * says it: "expected ':' ..."). */
static void syntax_error(Parser *P, Token *t, const char *hint, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void syntax_error(Parser *P, Token *t, const char *hint, const char *fmt, ...) {
  if (P->failed) return; /* one error per statement: the rest would be noise */
  P->failed = true;
  va_list ap;
  va_start(ap, fmt);
  diag_verror(P->diag, t->loc, fmt, ap);
  va_end(ap);
  if (hint) diag_hint(P->diag, "%s", hint);
}

static Token *expect(Parser *P, TokKind k, const char *what) {
  Token *t = peek(P);
  if (t->kind == k) return next(P);
  if (t->kind == TK_EOF || t->kind == TK_NEWLINE || t->kind == TK_INDENT || t->kind == TK_DEDENT || t->kind == TK_STR)
    syntax_error(P, t, NULL, "expected %s, found %s", what, tok_name(t->kind));
  else
    syntax_error(P, t, NULL, "expected %s, found '%.*s'", what, t->len, t->text);
  return t;
}

static Node *mk(Parser *P, NodeKind kind, Token *t) {
  Node *n = arena_alloc(P->arena, sizeof(Node));
  n->kind = kind;
  n->loc = t->loc;
  return n;
}

/* One level deeper; false (with an error) past PARSE_MAX_DEPTH. The caller restores
 * P->depth when it is done with the level. */
static bool enter(Parser *P, Token *t) {
  if (++P->depth <= PARSE_MAX_DEPTH) return true;
  syntax_error(P, t, "split it into several statements with intermediate variables",
               "expression nested too deeply (more than %d levels)", PARSE_MAX_DEPTH);
  return false;
}

/* ---- expressions ---------------------------------------------------------------------- */

static Node *atom(Parser *P) {
  Token *t = peek(P);
  Node *n;
  switch (t->kind) {
  case TK_NAME:
    next(P);
    n = mk(P, ND_NAME, t);
    n->name = arena_strndup(P->arena, t->text, (size_t)t->len);
    return n;
  case TK_INT:
    next(P);
    n = mk(P, ND_INT, t);
    n->ival = t->ival;
    return n;
  case TK_FLOAT:
    next(P);
    n = mk(P, ND_FLOAT, t);
    n->fval = t->fval;
    return n;
  case TK_STR: {
    next(P);
    if (t->fstring) syntax_error(P, t, "use a plain string literal", "f-strings are not supported in kernels");
    n = mk(P, ND_STR, t);
    StrBuf b = {0};
    sb_puts(&b, t->str);
    while (at(P, TK_STR)) sb_puts(&b, next(P)->str); /* "a" "b" concatenation */
    n->name = arena_strdup(P->arena, b.s ? b.s : "");
    sb_free(&b);
    return n;
  }
  case TK_TRUE: case TK_FALSE:
    next(P);
    n = mk(P, ND_BOOL, t);
    n->ival = t->kind == TK_TRUE;
    return n;
  case TK_NONE:
    next(P);
    return mk(P, ND_NONE, t);
  case TK_LPAREN: {
    next(P);
    if (accept(P, TK_RPAREN)) return mk(P, ND_TUPLE, t);
    Node *first = test(P);
    if (at(P, TK_FOR)) {
      syntax_error(P, peek(P), COMPREHENSION_HINT, "generator expressions are not supported in kernels");
      return first;
    }
    if (!at(P, TK_COMMA)) {
      expect(P, TK_RPAREN, "')'");
      return first;
    }
    n = mk(P, ND_TUPLE, t);
    nl_push(P->arena, &n->args, first);
    while (accept(P, TK_COMMA) && !at(P, TK_RPAREN)) nl_push(P->arena, &n->args, test(P));
    expect(P, TK_RPAREN, "')'");
    return n;
  }
  case TK_LBRACK:
    next(P);
    n = mk(P, ND_LIST, t);
    while (!at(P, TK_RBRACK) && !at(P, TK_EOF)) {
      nl_push(P->arena, &n->args, test(P));
      if (at(P, TK_FOR)) {
        syntax_error(P, peek(P), COMPREHENSION_HINT, "list comprehensions are not supported in kernels");
        return n;
      }
      if (!accept(P, TK_COMMA)) break;
    }
    expect(P, TK_RBRACK, "']'");
    return n;
  case TK_LBRACE:
    next(P);
    n = mk(P, ND_DICT, t);
    while (!at(P, TK_RBRACE) && !at(P, TK_EOF)) {
      nl_push(P->arena, &n->args, test(P));
      expect(P, TK_COLON, "':' in a dict");
      nl_push(P->arena, &n->kwargs, test(P));
      if (at(P, TK_FOR)) {
        syntax_error(P, peek(P), "dicts are not supported in kernels; pass the values as separate arguments",
                     "dict comprehensions are not supported in kernels");
        return n;
      }
      if (!accept(P, TK_COMMA)) break;
    }
    expect(P, TK_RBRACE, "'}'");
    return n;
  case TK_DOT:
    /* "..." (Ellipsis) lexes as three dots */
    if (peek2(P)->kind == TK_DOT) {
      next(P); next(P); expect(P, TK_DOT, "'.'");
      syntax_error(P, t, "write ':' for each dimension to keep, e.g. x[:, None]",
                   "'...' (Ellipsis) is not supported in kernels");
      return mk(P, ND_NONE, t);
    }
    break;
  default:
    break;
  }
  if (t->kind == TK_EOF || t->kind == TK_NEWLINE)
    syntax_error(P, t, NULL, "expected an expression, found %s", tok_name(t->kind));
  else
    syntax_error(P, t, NULL, "expected an expression, found '%.*s'", t->len, t->text);
  if (t->kind != TK_EOF && t->kind != TK_NEWLINE && t->kind != TK_DEDENT && t->kind != TK_INDENT) next(P);
  return mk(P, ND_NONE, t);
}

static Node *subscript_item(Parser *P) {
  Token *t = peek(P);
  Node *lo = NULL;
  if (!at(P, TK_COLON)) {
    lo = test(P);
    if (!at(P, TK_COLON)) return lo;
  }
  Node *s = mk(P, ND_SLICE, t);
  s->a = lo;
  expect(P, TK_COLON, "':'");
  if (!at(P, TK_COLON) && !at(P, TK_COMMA) && !at(P, TK_RBRACK)) s->b = test(P);
  if (accept(P, TK_COLON) && !at(P, TK_COMMA) && !at(P, TK_RBRACK)) s->c = test(P);
  return s;
}

static Node *call_args(Parser *P, Node *fn, Token *t) {
  Node *n = mk(P, ND_CALL, t);
  n->a = fn;
  n->loc = fn->loc; /* errors about a call point at the function's name: tl.load(...) at "load" */
  while (!at(P, TK_RPAREN) && !at(P, TK_EOF) && !P->failed) {
    Token *at_tok = peek(P);
    if (at_tok->kind == TK_NAME && peek2(P)->kind == TK_ASSIGN) {
      next(P);
      next(P);
      Node *kw = mk(P, ND_KEYWORD, at_tok);
      kw->name = arena_strndup(P->arena, at_tok->text, (size_t)at_tok->len);
      kw->a = test(P);
      nl_push(P->arena, &n->kwargs, kw);
    } else if (accept(P, TK_STAR)) {
      Node *s = mk(P, ND_STARRED, at_tok);
      s->a = test(P);
      nl_push(P->arena, &n->args, s);
    } else if (at(P, TK_POW)) {
      syntax_error(P, at_tok, "pass the arguments one by one, by name",
                   "'**' argument unpacking is not supported in kernels");
      return n;
    } else {
      if (n->kwargs.n)
        syntax_error(P, at_tok, "put the positional arguments before the keyword arguments",
                     "positional argument follows keyword argument");
      nl_push(P->arena, &n->args, test(P));
      if (at(P, TK_FOR)) {
        syntax_error(P, peek(P), COMPREHENSION_HINT, "generator expressions are not supported in kernels");
        return n;
      }
    }
    if (!accept(P, TK_COMMA)) break;
  }
  expect(P, TK_RPAREN, "')' to close the call");
  return n;
}

static Node *primary(Parser *P) {
  int depth = P->depth;
  Node *n = atom(P);
  for (;;) {
    Token *t = peek(P);
    if (t->kind != TK_DOT && t->kind != TK_LPAREN && t->kind != TK_LBRACK) break;
    if (!enter(P, t)) break; /* a.b.c...: the tree gets one level deeper per trailer */
    if (accept(P, TK_DOT)) {
      Token *name = expect(P, TK_NAME, "an attribute name after '.'");
      Node *a = mk(P, ND_ATTR, t);
      a->a = n;
      a->name = arena_strndup(P->arena, name->text, (size_t)name->len);
      a->loc = name->loc;
      n = a;
    } else if (accept(P, TK_LPAREN)) {
      n = call_args(P, n, t);
    } else if (accept(P, TK_LBRACK)) {
      Node *s = mk(P, ND_SUBSCRIPT, t);
      s->a = n;
      Node *first = subscript_item(P);
      if (at(P, TK_COMMA)) {
        Node *tup = mk(P, ND_TUPLE, t);
        nl_push(P->arena, &tup->args, first);
        while (accept(P, TK_COMMA) && !at(P, TK_RBRACK)) nl_push(P->arena, &tup->args, subscript_item(P));
        first = tup;
      }
      s->b = first;
      expect(P, TK_RBRACK, "']'");
      n = s;
    }
  }
  P->depth = depth;
  return n;
}

static Node *power(Parser *P) {
  Node *n = primary(P);
  Token *t = peek(P);
  int depth = P->depth;
  if (at(P, TK_POW) && enter(P, t)) {
    next(P);
    Node *b = mk(P, ND_BINOP, t);
    b->op = TK_POW;
    b->a = n;
    b->b = NULL;
    /* right-associative and binds tighter than a unary operator on its left */
    Token *u = peek(P);
    if (u->kind == TK_MINUS || u->kind == TK_PLUS || u->kind == TK_TILDE) {
      next(P);
      Node *un = mk(P, ND_UNOP, u);
      un->op = u->kind;
      un->a = power(P);
      b->b = un;
    } else {
      b->b = power(P);
    }
    P->depth = depth;
    return b;
  }
  P->depth = depth;
  return n;
}

static Node *unary(Parser *P) {
  Token *t = peek(P);
  if (t->kind == TK_MINUS || t->kind == TK_PLUS || t->kind == TK_TILDE) {
    int depth = P->depth;
    if (!enter(P, t)) {
      P->depth = depth;
      return mk(P, ND_NONE, t);
    }
    next(P);
    Node *n = mk(P, ND_UNOP, t);
    n->op = t->kind;
    n->a = unary(P);
    P->depth = depth;
    return n;
  }
  return power(P);
}

/* Binary levels from tightest to loosest: * / // % @, + -, << >>, &, ^, | */
static const TokKind level_ops[6][5] = {
    {TK_STAR, TK_SLASH, TK_DSLASH, TK_PERCENT, TK_AT},
    {TK_PLUS, TK_MINUS},
    {TK_SHL, TK_SHR},
    {TK_AMP},
    {TK_CARET},
    {TK_PIPE},
};

static bool in_level(int level, TokKind k) {
  for (int i = 0; i < 5; i++)
    if (level_ops[level][i] == k && k != TK_EOF) return true;
  return false;
}

static Node *binary(Parser *P, int level) {
  int depth = P->depth;
  Node *n = level == 0 ? unary(P) : binary(P, level - 1);
  while (in_level(level, peek(P)->kind)) {
    if (!enter(P, peek(P))) break; /* x+x+...: one level deeper per operator */
    Token *t = next(P);
    if (t->kind == TK_AT) syntax_error(P, t, "write tl.dot(a, b)", "the '@' matrix operator is not supported");
    Node *b = mk(P, ND_BINOP, t);
    b->op = t->kind;
    b->a = n;
    b->b = level == 0 ? unary(P) : binary(P, level - 1);
    n = b;
  }
  P->depth = depth;
  return n;
}

static Node *or_expr(Parser *P) { return binary(P, 5); }

static int comp_op(Parser *P) {
  Token *t = peek(P);
  switch (t->kind) {
  case TK_LT: case TK_GT: case TK_LE: case TK_GE: case TK_EQ: case TK_NE: case TK_IN:
    next(P);
    return t->kind;
  case TK_IS:
    next(P);
    return accept(P, TK_NOT) ? CMP_IS_NOT : TK_IS;
  case TK_NOT:
    if (peek2(P)->kind == TK_IN) { next(P); next(P); return CMP_NOT_IN; }
    return 0;
  default:
    return 0;
  }
}

static Node *comparison(Parser *P) {
  Node *first = or_expr(P);
  Token *t = peek(P); /* a comparison is located at its (first) operator, like a binary one */
  int op = comp_op(P);
  if (!op) return first;
  Node *n = mk(P, ND_COMPARE, t);
  nl_push(P->arena, &n->args, first);
  int cap = 4, nops = 0;
  n->ops = arena_alloc(P->arena, sizeof(int) * (size_t)cap);
  while (op) {
    if (nops == cap) {
      int *ops = arena_alloc(P->arena, sizeof(int) * (size_t)cap * 2);
      memcpy(ops, n->ops, sizeof(int) * (size_t)cap);
      n->ops = ops;
      cap *= 2;
    }
    n->ops[nops++] = op;
    nl_push(P->arena, &n->args, or_expr(P));
    op = comp_op(P);
  }
  return n;
}

static Node *not_test(Parser *P) {
  Token *t = peek(P);
  if (at(P, TK_NOT)) {
    int depth = P->depth;
    if (!enter(P, t)) {
      P->depth = depth;
      return mk(P, ND_NONE, t);
    }
    next(P);
    Node *n = mk(P, ND_UNOP, t);
    n->op = TK_NOT;
    n->a = not_test(P);
    P->depth = depth;
    return n;
  }
  return comparison(P);
}

static Node *bool_op(Parser *P, TokKind op) {
  Token *t = peek(P);
  Node *first = op == TK_OR ? bool_op(P, TK_AND) : not_test(P);
  if (!at(P, op)) return first;
  Node *n = mk(P, ND_BOOLOP, t);
  n->op = op;
  nl_push(P->arena, &n->args, first);
  while (accept(P, op)) nl_push(P->arena, &n->args, op == TK_OR ? bool_op(P, TK_AND) : not_test(P));
  return n;
}

static void params(Parser *P, NodeList *out, TokKind end);

static Node *test_in(Parser *P);

/* Any expression, one level deeper than the one it is part of (brackets, arguments, the
 * branches of a conditional expression, a lambda's body all come through here). */
static Node *test(Parser *P) {
  int depth = P->depth;
  Node *n = enter(P, peek(P)) ? test_in(P) : mk(P, ND_NONE, peek(P));
  P->depth = depth;
  return n;
}

static Node *test_in(Parser *P) {
  Token *t = peek(P);
  if (accept(P, TK_LAMBDA)) {
    Node *n = mk(P, ND_LAMBDA, t);
    params(P, &n->args, TK_COLON);
    expect(P, TK_COLON, "':' after lambda parameters");
    n->a = test(P);
    return n;
  }
  Node *n = bool_op(P, TK_OR);
  if (at(P, TK_IF)) {
    Token *it = next(P);
    Node *c = mk(P, ND_IFEXP, it);
    c->b = n;
    c->a = bool_op(P, TK_OR);
    expect(P, TK_ELSE, "'else' in a conditional expression");
    c->c = test(P);
    return c;
  }
  if (at(P, TK_WALRUS))
    syntax_error(P, peek(P), "assign the value in a statement of its own first",
                 "':=' (assignment expressions) is not supported in kernels");
  return n;
}

static Node *expr(Parser *P) { return test(P); }

/* An expression list: "a, b" becomes a tuple. */
static Node *expr_list(Parser *P) {
  Token *t = peek(P);
  Node *first = at(P, TK_STAR) ? NULL : test(P);
  if (!first) {
    Token *s = next(P);
    first = mk(P, ND_STARRED, s);
    first->a = or_expr(P);
  }
  if (!at(P, TK_COMMA)) return first;
  Node *tup = mk(P, ND_TUPLE, t);
  nl_push(P->arena, &tup->args, first);
  while (accept(P, TK_COMMA)) {
    if (at(P, TK_NEWLINE) || at(P, TK_ASSIGN) || at(P, TK_RPAREN) || at(P, TK_COLON) || at(P, TK_SEMI) || at(P, TK_IN))
      break;
    nl_push(P->arena, &tup->args, test(P));
  }
  return tup;
}

/* A for-loop target: "i" or "a, b" — bitwise-level expressions, so that `in` ends it. */
static Node *target_list(Parser *P) {
  Token *t = peek(P);
  Node *first = or_expr(P);
  if (!at(P, TK_COMMA)) return first;
  Node *tup = mk(P, ND_TUPLE, t);
  nl_push(P->arena, &tup->args, first);
  while (accept(P, TK_COMMA) && !at(P, TK_IN)) nl_push(P->arena, &tup->args, or_expr(P));
  return tup;
}

/* ---- statements ----------------------------------------------------------------------- */

static void params(Parser *P, NodeList *out, TokKind end) {
  while (!at(P, end) && !at(P, TK_EOF) && !P->failed) {
    Token *t = peek(P);
    if (accept(P, TK_STAR) || accept(P, TK_POW)) {
      if (at(P, TK_COMMA)) { next(P); continue; } /* bare "*": keyword-only marker */
      syntax_error(P, t, "name every parameter", "*args and **kwargs parameters are not supported in kernels");
      return;
    }
    if (accept(P, TK_SLASH)) { accept(P, TK_COMMA); continue; } /* positional-only marker */
    Token *name = expect(P, TK_NAME, "a parameter name");
    Node *p = mk(P, ND_PARAM, name);
    p->name = arena_strndup(P->arena, name->text, (size_t)name->len);
    if (end != TK_COLON && accept(P, TK_COLON)) p->c = test(P);
    if (accept(P, TK_ASSIGN)) p->a = test(P);
    nl_push(P->arena, out, p);
    if (!accept(P, TK_COMMA)) break;
  }
}

static Node *funcdef(Parser *P, NodeList *decorators) {
  Token *t = next(P); /* def */
  Node *n = mk(P, ND_FUNCDEF, t);
  Token *name = expect(P, TK_NAME, "a function name after 'def'");
  n->name = arena_strndup(P->arena, name->text, (size_t)name->len);
  n->loc = name->loc;
  if (decorators) n->decorators = *decorators;
  expect(P, TK_LPAREN, "'('");
  params(P, &n->args, TK_RPAREN);
  expect(P, TK_RPAREN, "')'");
  if (accept(P, TK_ARROW)) n->c = test(P);
  expect(P, TK_COLON, "':' after the function signature");
  block(P, &n->body);
  return n;
}

static Node *if_stmt(Parser *P) {
  Token *t = next(P); /* if / elif */
  Node *n = mk(P, ND_IF, t);
  n->a = expr(P);
  expect(P, TK_COLON, "':' after the condition");
  block(P, &n->body);
  if (at(P, TK_ELIF)) {
    /* an elif nests in the orelse of the if before it: deep like an expression */
    int depth = P->depth;
    if (enter(P, peek(P))) nl_push(P->arena, &n->orelse, if_stmt(P));
    P->depth = depth;
  } else if (accept(P, TK_ELSE)) {
    expect(P, TK_COLON, "':' after 'else'");
    block(P, &n->orelse);
  }
  return n;
}

static Node *dotted_name(Parser *P, Token **first) {
  Token *t = expect(P, TK_NAME, "a module name");
  if (first) *first = t;
  StrBuf b = {0};
  sb_printf(&b, "%.*s", t->len, t->text);
  while (accept(P, TK_DOT)) {
    Token *u = expect(P, TK_NAME, "a module name");
    sb_printf(&b, ".%.*s", u->len, u->text);
  }
  Node *n = mk(P, ND_NAME, t);
  n->name = arena_strdup(P->arena, b.s ? b.s : "");
  sb_free(&b);
  return n;
}

/* Statements kernels cannot have: what they are, and what to do instead. */
static const char *unsupported_stmt(TokKind k, const char **hint) {
  switch (k) {
  case TK_CLASS: *hint = "define @triton.jit functions at module level instead"; return "class definitions";
  case TK_TRY: *hint = "kernels cannot catch errors; test the condition with 'if' or tl.where"; return "try statements";
  case TK_WITH: *hint = "kernels have no context managers; write the body without it"; return "with statements";
  case TK_RAISE:
    *hint = "use tl.static_assert(cond, msg) for a compile-time check, or assert for a runtime one";
    return "raise statements";
  case TK_DEL: *hint = "stop using the name instead"; return "del statements";
  case TK_YIELD: *hint = "return the value instead"; return "yield expressions";
  default: return NULL;
  }
}

/* One simple statement (no trailing NEWLINE). */
static Node *simple_stmt(Parser *P) {
  Token *t = peek(P);
  Node *n;
  switch (t->kind) {
  case TK_PASS: next(P); return mk(P, ND_PASS, t);
  case TK_BREAK: next(P); return mk(P, ND_BREAK, t);
  case TK_CONTINUE: next(P); return mk(P, ND_CONTINUE, t);
  case TK_RETURN:
    next(P);
    n = mk(P, ND_RETURN, t);
    if (!at(P, TK_NEWLINE) && !at(P, TK_SEMI)) n->a = expr_list(P);
    return n;
  case TK_ASSERT:
    next(P);
    n = mk(P, ND_ASSERT, t);
    n->a = test(P);
    if (accept(P, TK_COMMA)) n->b = test(P);
    return n;
  case TK_GLOBAL: case TK_NONLOCAL:
    next(P);
    n = mk(P, ND_GLOBAL, t);
    do {
      Token *name = expect(P, TK_NAME, t->kind == TK_GLOBAL ? "a name after 'global'" : "a name after 'nonlocal'");
      Node *x = mk(P, ND_NAME, name);
      x->name = arena_strndup(P->arena, name->text, (size_t)name->len);
      nl_push(P->arena, &n->args, x);
    } while (accept(P, TK_COMMA));
    return n;
  case TK_IMPORT: {
    next(P);
    Node *first = NULL;
    do {
      Node *m = dotted_name(P, NULL);
      Node *imp = mk(P, ND_IMPORT, t);
      imp->name = m->name;
      imp->loc = m->loc;
      if (accept(P, TK_AS)) {
        Token *al = expect(P, TK_NAME, "a name after 'as'");
        imp->alias = arena_strndup(P->arena, al->text, (size_t)al->len);
      }
      if (!first) first = imp;
      else nl_push(P->arena, &first->args, imp); /* "import a, b": extra imports hang off the first */
    } while (accept(P, TK_COMMA));
    return first;
  }
  case TK_FROM: {
    next(P);
    n = mk(P, ND_IMPORTFROM, t);
    StrBuf b = {0};
    while (at(P, TK_DOT)) { next(P); sb_puts(&b, "."); }
    if (!at(P, TK_IMPORT)) sb_puts(&b, dotted_name(P, NULL)->name);
    n->name = arena_strdup(P->arena, b.s ? b.s : "");
    sb_free(&b);
    expect(P, TK_IMPORT, "'import'");
    bool paren = accept(P, TK_LPAREN);
    if (accept(P, TK_STAR)) {
      Node *al = mk(P, ND_ALIAS, t);
      al->name = "*";
      nl_push(P->arena, &n->args, al);
    } else {
      do {
        if (paren && at(P, TK_RPAREN)) break;
        Token *name = expect(P, TK_NAME, "a name to import");
        Node *al = mk(P, ND_ALIAS, name);
        al->name = arena_strndup(P->arena, name->text, (size_t)name->len);
        if (accept(P, TK_AS)) {
          Token *x = expect(P, TK_NAME, "a name after 'as'");
          al->alias = arena_strndup(P->arena, x->text, (size_t)x->len);
        }
        nl_push(P->arena, &n->args, al);
      } while (accept(P, TK_COMMA));
    }
    if (paren) expect(P, TK_RPAREN, "')'");
    return n;
  }
  default:
    break;
  }
  const char *hint = NULL, *what = unsupported_stmt(t->kind, &hint);
  if (what) {
    syntax_error(P, t, hint, "%s are not supported in kernels", what);
    next(P);
    return mk(P, ND_OTHER_STMT, t);
  }
  /* expression, assignment, augmented or annotated assignment */
  Node *lhs = expr_list(P);
  Token *op = peek(P);
  switch (op->kind) {
  case TK_ASSIGN: {
    n = mk(P, ND_ASSIGN, op);
    nl_push(P->arena, &n->args, lhs);
    next(P);
    Node *v = expr_list(P);
    while (accept(P, TK_ASSIGN)) {
      nl_push(P->arena, &n->args, v);
      v = expr_list(P);
    }
    n->a = v;
    return n;
  }
  case TK_COLON:
    next(P);
    n = mk(P, ND_ANNASSIGN, op);
    n->b = lhs;
    n->c = test(P);
    if (accept(P, TK_ASSIGN)) n->a = expr_list(P);
    return n;
  case TK_PLUS_EQ: case TK_MINUS_EQ: case TK_STAR_EQ: case TK_SLASH_EQ: case TK_DSLASH_EQ:
  case TK_PERCENT_EQ: case TK_POW_EQ: case TK_SHL_EQ: case TK_SHR_EQ: case TK_AMP_EQ:
  case TK_PIPE_EQ: case TK_CARET_EQ: case TK_AT_EQ: {
    static const TokKind base[][2] = {
        {TK_PLUS_EQ, TK_PLUS}, {TK_MINUS_EQ, TK_MINUS}, {TK_STAR_EQ, TK_STAR}, {TK_SLASH_EQ, TK_SLASH},
        {TK_DSLASH_EQ, TK_DSLASH}, {TK_PERCENT_EQ, TK_PERCENT}, {TK_POW_EQ, TK_POW}, {TK_SHL_EQ, TK_SHL},
        {TK_SHR_EQ, TK_SHR}, {TK_AMP_EQ, TK_AMP}, {TK_PIPE_EQ, TK_PIPE}, {TK_CARET_EQ, TK_CARET},
        {TK_AT_EQ, TK_AT}};
    next(P);
    n = mk(P, ND_AUGASSIGN, op);
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
      if (base[i][0] == op->kind) n->op = base[i][1];
    if (n->op == TK_AT) syntax_error(P, op, "write acc = tl.dot(a, b, acc)", "'@=' is not supported");
    n->b = lhs;
    n->a = expr_list(P);
    return n;
  }
  default:
    n = mk(P, ND_EXPR, t);
    n->a = lhs;
    return n;
  }
}

/* simple_stmt (';' simple_stmt)* NEWLINE */
static Node *statement_list(Parser *P, NodeList *out) {
  Node *first = NULL;
  for (;;) {
    Node *s = simple_stmt(P);
    if (!first) first = s;
    nl_push(P->arena, out, s);
    if (s->kind == ND_IMPORT)
      for (int i = 0; i < s->args.n; i++) nl_push(P->arena, out, s->args.items[i]);
    if (s->kind == ND_IMPORT) s->args.n = 0; /* the extra imports now stand on their own */
    if (!accept(P, TK_SEMI) || at(P, TK_NEWLINE)) break;
  }
  if (!P->failed) expect(P, TK_NEWLINE, "end of line");
  return first;
}

/* After a syntax error: skips to where the next statement of the same block starts — the
 * rest of the logical line, the indented block under it, and the elif/else clauses of a
 * failed if — and clears the error state. Errors inside a nested block were recovered in
 * that block, so what is skipped here is only the failed statement itself. */
static void recover(Parser *P) {
  do {
    /* at the start of a line (or a block's end), the failed statement ended with the line
     * before: `if x:` with nothing indented under it */
    bool line_start = P->pos > 0 && P->toks[P->pos - 1].kind == TK_NEWLINE;
    if (at(P, TK_DEDENT) || (line_start && !at(P, TK_INDENT))) break;
    if (!at(P, TK_INDENT)) {
      while (!at(P, TK_NEWLINE) && !at(P, TK_EOF)) next(P);
      accept(P, TK_NEWLINE);
    }
    if (at(P, TK_INDENT)) {
      int depth = 0;
      do {
        if (at(P, TK_INDENT)) depth++;
        if (at(P, TK_DEDENT)) depth--;
        next(P);
      } while (depth > 0 && !at(P, TK_EOF));
    }
  } while (at(P, TK_ELIF) || at(P, TK_ELSE) || at_name(P, "except") || at_name(P, "finally"));
  P->failed = false;
}

static void statement(Parser *P, NodeList *out);

/* ':' already consumed: NEWLINE INDENT statement+ DEDENT, or a simple statement list. */
static void block(Parser *P, NodeList *out) {
  if (P->failed) return;
  if (!at(P, TK_NEWLINE)) {
    statement_list(P, out);
    return;
  }
  next(P);
  expect(P, TK_INDENT, "an indented block");
  if (P->failed) return;
  /* a statement that fails is skipped and the next one parsed: independent syntax errors
   * of one function are reported together */
  while (!at(P, TK_DEDENT) && !at(P, TK_EOF)) {
    int start = P->pos;
    statement(P, out);
    if (!P->failed) continue;
    recover(P);
    if (P->pos == start) next(P);
  }
  expect(P, TK_DEDENT, "end of the block");
}

static void statement(Parser *P, NodeList *out) {
  Token *t = peek(P);
  switch (t->kind) {
  case TK_AT: {
    NodeList decos = {0};
    while (accept(P, TK_AT)) {
      nl_push(P->arena, &decos, expr(P));
      expect(P, TK_NEWLINE, "end of line after the decorator");
      if (P->failed) return;
    }
    if (!at(P, TK_DEF)) {
      syntax_error(P, peek(P), "decorators apply to functions here; classes are not supported in kernels",
                   "a decorator must be followed by 'def'");
      return;
    }
    nl_push(P->arena, out, funcdef(P, &decos));
    return;
  }
  case TK_DEF:
    nl_push(P->arena, out, funcdef(P, NULL));
    return;
  case TK_IF:
    nl_push(P->arena, out, if_stmt(P));
    return;
  case TK_FOR: {
    next(P);
    Node *n = mk(P, ND_FOR, t);
    n->b = target_list(P);
    expect(P, TK_IN, "'in'");
    n->a = expr_list(P);
    expect(P, TK_COLON, "':' after the for header");
    block(P, &n->body);
    if (accept(P, TK_ELSE)) {
      expect(P, TK_COLON, "':' after 'else'");
      block(P, &n->orelse);
    }
    nl_push(P->arena, out, n);
    return;
  }
  case TK_WHILE: {
    next(P);
    Node *n = mk(P, ND_WHILE, t);
    n->a = expr(P);
    expect(P, TK_COLON, "':' after the condition");
    block(P, &n->body);
    if (accept(P, TK_ELSE)) {
      expect(P, TK_COLON, "':' after 'else'");
      block(P, &n->orelse);
    }
    nl_push(P->arena, out, n);
    return;
  }
  case TK_INDENT:
    syntax_error(P, t, "indent this line like the statement before it", "unexpected indent");
    return;
  default:
    statement_list(P, out);
  }
}

/* True if the statement at toks[start] has a decorator naming jit, autotune or heuristics
 * (@triton.jit, @jit, @triton.autotune(...)): a kernel, even if its def does not parse. */
static bool kernel_decorators(const Token *toks, int start) {
  for (int i = start; toks[i].kind == TK_AT; i++) {
    for (; toks[i].kind != TK_NEWLINE && toks[i].kind != TK_EOF; i++) {
      const Token *t = &toks[i];
      static const char *const names[] = {"jit", "autotune", "heuristics"};
      for (int k = 0; k < 3 && t->kind == TK_NAME; k++)
        if ((size_t)t->len == strlen(names[k]) && !memcmp(t->text, names[k], (size_t)t->len)) return true;
    }
    if (toks[i].kind == TK_EOF) break;
  }
  return false;
}

static void top_statement(Parser *P, Module *m, bool nested);

/* A module-level `try:` is host code choosing between spellings of an import (Liger tries
 * triton.language.extra.libdevice, then the older paths, in `except ImportError:`). Python
 * keeps the try body when it runs, so its statements are read as top-level statements; the
 * except, else and finally clauses are skipped. */
static void top_try(Parser *P, Module *m) {
  next(P); /* try */
  next(P); /* : */
  next(P); /* NEWLINE */
  next(P); /* INDENT */
  while (!at(P, TK_DEDENT) && !at(P, TK_EOF)) {
    if (accept(P, TK_NEWLINE)) continue;
    top_statement(P, m, true);
  }
  accept(P, TK_DEDENT);
  if (at_name(P, "except") || at_name(P, "finally") || at(P, TK_ELSE)) recover(P);
}

/* Parses one top-level statement (or one statement of a top-level try body, `nested`);
 * host code we cannot parse is skipped, but a kernel (a def decorated with
 * jit/autotune/heuristics) must parse. */
static void top_statement(Parser *P, Module *m, bool nested) {
  Arena *a = P->arena;
  Diag *d = P->diag;
  int start = P->pos;
  if (at(P, TK_TRY) && start + 3 < P->ntok && P->toks[start + 1].kind == TK_COLON &&
      P->toks[start + 2].kind == TK_NEWLINE && P->toks[start + 3].kind == TK_INDENT) {
    top_try(P, m);
    return;
  }
  size_t text_len = d->text.len;
  Diag saved = *d;
  NodeList one = {0};
  P->failed = false;
  P->depth = 0;
  statement(P, &one);
  if (d->nerrors == saved.nerrors) {
    for (int i = 0; i < one.n; i++) nl_push(a, &m->body, one.items[i]);
    return;
  }
  /* not a kernel (host code): forget its errors and the statement */
  if (!kernel_decorators(P->toks, start)) {
    d->text.len = text_len;
    if (d->text.s) d->text.s[text_len] = 0;
    d->nerrors = saved.nerrors;
    d->nshown = saved.nshown;
    d->hidden = saved.hidden;
    d->unsupported = saved.unsupported;
  }
  if (P->failed) recover(P);
  if (P->pos == start) next(P);
  if (!nested) /* inside a try body, the dedent that ends it is top_try's */
    while (at(P, TK_DEDENT)) next(P);
}

Module *parse_module(Arena *a, Diag *d, const SrcFile *f) {
  int ntok = 0;
  int errors_before = d->nerrors;
  Token *toks = lex_file(a, d, f, &ntok);
  if (d->nerrors > errors_before) return NULL;
  Parser P = {.arena = a, .diag = d, .toks = toks, .ntok = ntok};
  Module *m = arena_alloc(a, sizeof(Module));
  m->file = f;
  while (!at(&P, TK_EOF)) {
    if (accept(&P, TK_NEWLINE)) continue;
    top_statement(&P, m, false);
  }
  return d->nerrors > errors_before ? NULL : m;
}

/* A file holding one expression (a constexpr given as text: -D BLOCK=128): its syntax errors
 * are reported, not skipped as host code would be. */
Node *parse_expression(Arena *a, Diag *d, const SrcFile *f) {
  int ntok = 0, errors = d->nerrors;
  Token *toks = lex_file(a, d, f, &ntok);
  if (d->nerrors > errors) return NULL;
  Parser P = {.arena = a, .diag = d, .toks = toks, .ntok = ntok};
  while (accept(&P, TK_NEWLINE) || accept(&P, TK_INDENT)) {}
  Node *e = expr_list(&P);
  while (accept(&P, TK_NEWLINE) || accept(&P, TK_DEDENT)) {}
  if (!at(&P, TK_EOF))
    syntax_error(&P, peek(&P), "a constexpr value is one Python expression, e.g. 128, 1e-6 or tl.float16",
                 "expected the end of the value, found '%.*s'", peek(&P)->len, peek(&P)->text);
  return d->nerrors > errors ? NULL : e;
}

/* ---- dump ------------------------------------------------------------------------------ */

static const char *node_names[] = {
    "Name", "Int", "Float", "Str", "Bool", "None", "Attr", "Call", "Keyword", "Subscript", "Slice",
    "Tuple", "List", "Dict", "BinOp", "UnOp", "BoolOp", "Compare", "IfExp", "Lambda", "Starred",
    "Expr", "Assign", "AugAssign", "AnnAssign", "If", "For", "While", "Return", "Pass", "Break",
    "Continue", "Assert", "FunctionDef", "Param", "Import", "ImportFrom", "Alias", "Global", "Other"};

static void dump_list(StrBuf *out, const char *label, const NodeList *l, int indent) {
  if (!l->n) return;
  sb_printf(out, "%*s%s:\n", indent, "", label);
  for (int i = 0; i < l->n; i++) ast_dump(out, l->items[i], indent + 2);
}

void ast_dump(StrBuf *out, const Node *n, int indent) {
  if (!n) {
    sb_printf(out, "%*s-\n", indent, "");
    return;
  }
  sb_printf(out, "%*s%s", indent, "", node_names[n->kind]);
  if (n->op) {
    const char *o = n->op == CMP_NOT_IN ? "not in" : n->op == CMP_IS_NOT ? "is not" : tok_name((TokKind)n->op);
    sb_printf(out, " %s", o);
  }
  if (n->kind == ND_COMPARE)
    for (int i = 0; i + 1 < n->args.n; i++)
      sb_printf(out, " %s", n->ops[i] == CMP_NOT_IN ? "not in" : n->ops[i] == CMP_IS_NOT ? "is not" : tok_name((TokKind)n->ops[i]));
  if (n->name) sb_printf(out, n->kind == ND_STR ? " '%s'" : " %s", n->name);
  if (n->alias) sb_printf(out, " as %s", n->alias);
  if (n->kind == ND_INT || n->kind == ND_BOOL) sb_printf(out, " %lld", (long long)n->ival);
  if (n->kind == ND_FLOAT) sb_printf(out, " %g", n->fval);
  sb_printf(out, " @%d:%d\n", n->loc.line, n->loc.col);
  if (n->a) ast_dump(out, n->a, indent + 2);
  if (n->b) ast_dump(out, n->b, indent + 2);
  if (n->c) ast_dump(out, n->c, indent + 2);
  dump_list(out, "args", &n->args, indent + 2);
  dump_list(out, "kwargs", &n->kwargs, indent + 2);
  dump_list(out, "decorators", &n->decorators, indent + 2);
  dump_list(out, "body", &n->body, indent + 2);
  dump_list(out, "orelse", &n->orelse, indent + 2);
}
