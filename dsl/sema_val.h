/*
 * sema_val.h — private to sema*.c: the values the semantic analyser computes with.
 *
 * A kernel is analysed the way Triton's code generator walks Python: every expression
 * yields an SVal, which is either a compile-time Python value (int, float, bool, str, None,
 * dtype, tuple, module, function — Triton's constexprs) or a typed IR value (a tensor or a
 * runtime scalar). Operations on compile-time values follow Python; on IR values, Triton.
 */
#ifndef LIGER_SEMA_VAL_H
#define LIGER_SEMA_VAL_H

#include "ir.h"

typedef enum SvKind {
  SV_ERR,     /* poisoned by an earlier error: operations on it stay silent */
  SV_VAL,     /* IR value (tensor or runtime scalar) */
  SV_INT, SV_FLOAT, SV_BOOL, SV_STR, SV_NONE,
  SV_DTYPE,   /* a dtype object: tl.float32, tl.pointer_type(...) */
  SV_TUPLE,
  SV_SLICE,   /* ':' inside a subscript */
  SV_FUNC,    /* a @triton.jit function (inlined at calls) */
  SV_MODULE,  /* a module: s = canonical path ("triton.language") */
  SV_USERMOD, /* an imported kernel file: mod = its globals, s = its file name */
  SV_BUILTIN, /* a builtin function: b */
  SV_METHOD,  /* a builtin bound to self (x.to, x.dtype.element_ty ...) */
  SV_DICT,    /* the `args` dict a @triton.heuristics lambda receives: keys, items */
} SvKind;

typedef struct Builtin Builtin;
typedef struct Sema Sema;
typedef struct SVal SVal;
struct SVal {
  SvKind kind;
  IrValue *v;
  int64_t i;
  double f;
  const char *s;
  const char **keys; /* SV_DICT */
  const IrType *dt;
  SVal *items;
  int n;
  const Node *fn;
  const Builtin *b;
  SVal *self;
  struct ModScope *mod; /* SV_USERMOD */
};

typedef struct ModScope ModScope;
typedef struct Binding Binding;
struct Binding {
  const char *name;
  SVal v;
  const Node *lazy;    /* module globals: the assignment, evaluated on first use */
  bool busy;           /* evaluating `lazy` (cycle guard) */
  bool wrapped;        /* module globals: the value is a tl.constexpr object (Triton's rule) */
  ModScope *from;      /* `from m import name`: the binding lives in m's globals ... */
  const char *from_name; /* ... under this name */
  const ModImport *unresolved; /* imported from a kernel file that does not exist */
  Binding *next;
};

typedef struct Scope {
  Binding *head;
} Scope;

/* The globals of one kernel file (the main one, or one it imports). */
struct ModScope {
  const Module *mod;
  Scope scope;
  ModScope *next;
};

struct Sema {
  Arena *a;
  Diag *d;
  IrModule *m;
  IrBuilder b;
  const Module *mod; /* the main file */
  ModScope *mods;   /* every file's globals, loaded on first use; the main file's first */
  Scope *gl;        /* the globals of the file whose code is being evaluated */
  Scope *scope;     /* current function's locals */
  bool in_default;  /* evaluating a parameter's default value (any global allowed, as Triton) */
  bool debug;       /* device_assert is compiled in (@triton.jit(debug=True), LIGER_KERNEL_DEBUG=1) */
  int depth;        /* inlining depth */
  bool returned;    /* the current function executed `return` */
  SVal ret;
  int runtime_if;   /* > 0 inside a branch of a runtime if */
  int runtime_loop; /* > 0 inside a runtime loop body */
  int block_depth;  /* statement-list nesting within the current function (1 = its body) */
  int eval_depth;   /* expression recursion, across inlined calls */
  int64_t steps;    /* expressions and statements evaluated: a budget against runaway unrolling */
  bool aborted;     /* the budget ran out: stop evaluating */
};

/* sema.c */
SVal sv_err(void);
SVal sv_int(int64_t i);
SVal sv_float(double f);
SVal sv_bool(bool b);
SVal sv_val(IrValue *v);
SVal sv_dtype(const IrType *t);
bool sv_is_const(SVal v);            /* int, float or bool */
SVal eval(Sema *S, const Node *n);
SVal call_jit(Sema *S, const Node *call, const Node *fn, SVal *args, int nargs, const Node *const *kwnodes,
              SVal *kwargs, int nkw);
const char *sv_kind_name(SVal v);
Binding *find(Scope *s, const char *name);
void bind(Sema *S, Scope *s, const char *name, SVal v);
void assign(Sema *S, const Node *target, SVal v);
void exec_block(Sema *S, const NodeList *body);

/* sema_cf.c: statements with regions */
bool branch_returns(const Node *if_stmt); /* a branch of this if ends in `return`, or holds an if that returns */
void exec_if(Sema *S, const Node *n, const NodeList *rest);
void exec_for(Sema *S, const Node *n);
void exec_while(Sema *S, const Node *n);

/* sema_ops.c: Triton's typing rules */
IrValue *to_ir(Sema *S, SrcLoc loc, SVal v);                     /* constexpr → typed constant */
SVal binop(Sema *S, SrcLoc loc, int op, SVal l, SVal r);         /* op: TK_PLUS ... */
SVal compare(Sema *S, SrcLoc loc, int op, SVal l, SVal r);       /* op: TK_LT ... */
SVal unop(Sema *S, SrcLoc loc, int op, SVal x);
IrValue *cast_to(Sema *S, SrcLoc loc, IrValue *v, const IrType *elem); /* keeps the shape */
IrValue *broadcast_to(Sema *S, SrcLoc loc, IrValue *v, const IrType *shape_of);
bool broadcast_pair(Sema *S, SrcLoc loc, IrValue **x, IrValue **y);
IrValue *expand_dims(Sema *S, SrcLoc loc, IrValue *v, int axis);
/* Promotes two operands to their common computation type (the literal rule included) and
 * broadcasts them. `div_or_mod` selects the fp32 rule for 16-bit floats. */
bool promote_pair(Sema *S, SrcLoc loc, SVal l, SVal r, bool div_or_mod, bool arith, IrValue **x, IrValue **y);
SVal maximum_minimum(Sema *S, SrcLoc loc, bool is_max, SVal l, SVal r, bool propagate_nan);
bool py_truthy(Sema *S, SrcLoc loc, SVal v, bool *out);

/* builtins.c: triton / triton.language / libdevice / Python builtins */
typedef SVal (*BuiltinFn)(Sema *S, const Node *call, const Builtin *b, SVal *a);
struct Builtin {
  const char *module; /* canonical: "tl", "triton", "libdevice", "builtins", "dtype" */
  const char *name;
  const char *params; /* "input,axis=None,keep_dims=False" */
  BuiltinFn fn;
  int op;             /* handler-specific: an IrOpKind, a ReduceKind ... */
  bool member;        /* also callable as a tensor method: x.to(...), x.sum() */
};
bool want_int(Sema *S, SrcLoc loc, SVal v, const char *what, int64_t *out);
bool want_tensor(Sema *S, SrcLoc loc, SVal v, const char *what, IrValue **out);
bool want_dtype(Sema *S, SrcLoc loc, SVal v, const IrType **out);
const char *want_str(Sema *S, SrcLoc loc, SVal v, const char *what);

/* builtins_reduce.c: reductions and scans */
SVal b_reduce(Sema *S, const Node *call, const Builtin *b, SVal *a);
SVal b_argminmax(Sema *S, const Node *call, const Builtin *b, SVal *a);
SVal b_tl_reduce(Sema *S, const Node *call, const Builtin *b, SVal *a);
SVal b_scan(Sema *S, const Node *call, const Builtin *b, SVal *a);
SVal b_assoc_scan(Sema *S, const Node *call, const Builtin *b, SVal *a);

const Builtin *builtin_find(const char *module, const char *name);
bool module_known(const char *path);
const char *module_canonical(const char *path);
SVal call_builtin(Sema *S, const Node *call, const Builtin *b, SVal *self, SVal *args, int nargs,
                  const Node *const *kwnodes, SVal *kwargs, int nkw);
SVal value_attr(Sema *S, const Node *n, SVal obj, const char *name); /* x.dtype, x.to ... */
SVal module_attr(Sema *S, const Node *n, ModScope *m, const char *name); /* sema.c: helpers.f */
SVal dtype_by_name(Sema *S, const char *name);                      /* "float32" → dtype */

#endif
