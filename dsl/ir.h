/*
 * ir.h — the tile IR: typed SSA over tiles with structured regions.
 *
 * sema.c builds it, ir.c prints and verifies it, codegen/ lays it out and lowers it.
 * A value is a scalar or a block (tile) of a fixed power-of-two shape; every op is declared
 * once in the table below, and the printer, verifier and lowering read that table.
 *
 *   func @add(%0: *fp32, %1: *fp32, %2: *fp32, %3: i32) num_warps=4 {
 *     %4 = program_id 0 : i32
 *     %5 = mul %4, %c1024 : i32
 *     ...
 *   }
 */
#ifndef LIGER_IR_H
#define LIGER_IR_H

#include "dsl.h"

/* Element types. The first 13 follow liger_dtype in liger.h. */
typedef enum DType {
  DT_I1, DT_I8, DT_I16, DT_I32, DT_I64,
  DT_U8, DT_U16, DT_U32, DT_U64,
  DT_F16, DT_BF16, DT_F32, DT_F64,
  DT_PTR, /* pointer; the pointee is IrType.pointee */
  DT_COUNT
} DType;

#define IR_MAX_RANK 4

typedef struct IrType IrType;
struct IrType {
  DType dt;              /* element kind */
  const IrType *pointee; /* DT_PTR: the scalar type pointed to */
  int rank;              /* 0: a scalar; otherwise a block of `shape` */
  int64_t shape[IR_MAX_RANK];
  int64_t numel;         /* product of shape (1 for scalars) */
};

const char *dtype_name(DType dt);  /* Triton spelling: "fp32", "bf16", "i32", "u8", "i1" */
int dtype_bits(DType dt);          /* 1, 8, ..., 64; pointers 64 */
bool dtype_is_float(DType dt);
bool dtype_is_int(DType dt);       /* signed or unsigned, including i1 */
bool dtype_is_signed(DType dt);    /* signed ints (i1 counts as unsigned) */

/* Op classes drive the generic parts of verification and lowering. */
typedef enum OpClass {
  OC_OTHER,
  OC_UNARY,   /* elementwise, one operand */
  OC_BINARY,  /* elementwise, two operands of the same type */
  OC_TERNARY, /* elementwise, three operands */
} OpClass;

/*  X(enum, text, class) */
#define IR_OPS(X)                                                                                \
  X(CONST, "const", OC_OTHER)             /* i or f; result scalar or splat block */           \
  X(PROGRAM_ID, "program_id", OC_OTHER)   /* i = axis */                                        \
  X(NUM_PROGRAMS, "num_programs", OC_OTHER) /* i = axis */                                      \
  X(ARANGE, "arange", OC_OTHER)           /* i = start, i2 = end */                             \
  X(SPLAT, "splat", OC_OTHER)             /* scalar -> block */                                  \
  X(BROADCAST, "broadcast", OC_OTHER)     /* block -> block, size-1 dims grow */                 \
  X(EXPAND_DIMS, "expand_dims", OC_OTHER) /* i = axis */                                        \
  X(TRANS, "trans", OC_OTHER)             /* i = permutation, 4 bits per result dim */          \
  X(RESHAPE, "reshape", OC_OTHER)         /* same elements in row-major order, new shape */     \
  X(ADD, "add", OC_BINARY)                                                                       \
  X(SUB, "sub", OC_BINARY)                                                                       \
  X(MUL, "mul", OC_BINARY)                                                                       \
  X(DIV, "div", OC_BINARY)                /* floats: true division (i = 1: IEEE); ints: trunc */ \
  X(REM, "rem", OC_BINARY)                /* C remainder (fmod for floats) */                   \
  X(MIN, "min", OC_BINARY)                /* i = 1: propagate NaN */                            \
  X(MAX, "max", OC_BINARY)                                                                       \
  X(AND, "and", OC_BINARY)                                                                       \
  X(OR, "or", OC_BINARY)                                                                         \
  X(XOR, "xor", OC_BINARY)                                                                       \
  X(SHL, "shl", OC_BINARY)                                                                       \
  X(SHR, "shr", OC_BINARY)                /* arithmetic for signed, logical for unsigned */     \
  X(CMP, "cmp", OC_OTHER)                 /* i = CmpPred; result i1 */                          \
  X(NEG, "neg", OC_UNARY)                                                                        \
  X(NOT, "not", OC_UNARY)                 /* bitwise complement (logical on i1) */              \
  X(ABS, "abs", OC_UNARY)                                                                        \
  X(EXP, "exp", OC_UNARY)                                                                        \
  X(EXP2, "exp2", OC_UNARY)                                                                      \
  X(LOG, "log", OC_UNARY)                                                                        \
  X(LOG2, "log2", OC_UNARY)                                                                      \
  X(SQRT, "sqrt", OC_UNARY)                                                                      \
  X(SQRT_RN, "sqrt_rn", OC_UNARY)                                                                \
  X(RSQRT, "rsqrt", OC_UNARY)                                                                    \
  X(SIN, "sin", OC_UNARY)                                                                        \
  X(COS, "cos", OC_UNARY)                                                                        \
  X(TANH, "tanh", OC_UNARY)                                                                      \
  X(ERF, "erf", OC_UNARY)                                                                        \
  X(FLOOR, "floor", OC_UNARY)                                                                    \
  X(CEIL, "ceil", OC_UNARY)                                                                      \
  X(FMA, "fma", OC_TERNARY)                                                                      \
  X(UMULHI, "umulhi", OC_BINARY)          /* high half of the full integer product */           \
  X(EXTERN, "extern", OC_OTHER)           /* args (1-3); str = C math name ("log1p"): libdevice, \
                                             ocml or libm, per target */                         \
  X(SELECT, "select", OC_OTHER)           /* cond, a, b */                                      \
  X(CAST, "cast", OC_OTHER)               /* i = 1: bitcast */                                  \
  X(HINT, "hint", OC_OTHER)               /* x; i = HintKind | dim << 8, i2 = value (a promise) */ \
  X(ADDPTR, "addptr", OC_OTHER)           /* ptr + int offset in elements */                    \
  X(LOAD, "load", OC_OTHER)               /* ptr [mask [other]]; flags, i = cache, i2 = evict */\
  X(STORE, "store", OC_OTHER)             /* ptr, value [mask]; flags, i = cache, i2 = evict */ \
  X(ATOMIC_RMW, "atomic_rmw", OC_OTHER)   /* ptr, val [mask]; i = AtomicOp, i2 = MemSem */      \
  X(ATOMIC_CAS, "atomic_cas", OC_OTHER)   /* ptr, cmp, val; i2 = MemSem; scope in flags */      \
  X(DOT, "dot", OC_OTHER)                 /* a [M,K], b [K,N], acc [M,N] -> acc type */         \
  X(REDUCE, "reduce", OC_OTHER)           /* inputs...; i = axis, i2 = ReduceKind [region] */  \
  X(SCAN, "scan", OC_OTHER)               /* inputs...; i = axis, i2 = kind, flags 1 = reverse */ \
  X(FOR, "for", OC_OTHER)                 /* lb, ub, step, inits...; region(iv, iters...) */    \
  X(IF, "if", OC_OTHER)                   /* cond; regions then, else */                        \
  X(WHILE, "while", OC_OTHER)             /* inits...; regions before(args), after(args) */     \
  X(CONDITION, "condition", OC_OTHER)     /* ends `before`: cond, values passed on */           \
  X(YIELD, "yield", OC_OTHER)             /* region terminator */                               \
  X(RETURN, "return", OC_OTHER)                                                                  \
  X(BARRIER, "barrier", OC_OTHER)                                                                \
  X(PRINT, "print", OC_OTHER)             /* values...; str = prefix, i = 1: hex */              \
  X(ASSERT, "assert", OC_OTHER)           /* cond; str = message; fails where cond is false */

typedef enum IrOpKind {
#define X(e, s, c) OP_##e,
  IR_OPS(X)
#undef X
  OP_COUNT
} IrOpKind;

/* Elementwise: every operand and the result share one shape; lowered element by element. */
struct IrOp;
bool ir_is_elementwise(const struct IrOp *op);

typedef struct IrOpInfo {
  const char *name;
  OpClass cls;
} IrOpInfo;
extern const IrOpInfo ir_op_info[OP_COUNT];

/* HINT: tl.multiple_of / tl.max_contiguous / tl.max_constancy along one dim */
typedef enum HintKind { HINT_MULTIPLE_OF, HINT_MAX_CONTIGUOUS, HINT_MAX_CONSTANCY } HintKind;

typedef enum CmpPred { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } CmpPred;
/* REDUCE and SCAN combine with a built-in operation, or with their region (RED_CUSTOM):
 * 2n scalar arguments (a0..an-1, b0..bn-1) yielding n scalars. */
typedef enum ReduceKind { RED_SUM, RED_MAX, RED_MIN, RED_XOR, RED_PROD, RED_CUSTOM } ReduceKind;

/* LOAD/STORE flags */
enum {
  MEM_MASK = 1,      /* a mask operand is present */
  MEM_OTHER = 2,     /* LOAD: an `other` operand is present */
  MEM_VOLATILE = 4,
};
/* atomics: the operation, memory semantics, and scope (stored in flags >> MEM_SCOPE_SHIFT) */
typedef enum AtomicOp { ATOM_ADD, ATOM_MAX, ATOM_MIN, ATOM_AND, ATOM_OR, ATOM_XOR, ATOM_XCHG } AtomicOp;
typedef enum MemSem { SEM_ACQ_REL, SEM_ACQUIRE, SEM_RELEASE, SEM_RELAXED } MemSem;
typedef enum MemScope { SCOPE_GPU, SCOPE_CTA, SCOPE_SYS } MemScope;
#define MEM_SCOPE_SHIFT 4

/* cache modifiers (LOAD: ca cg cv; STORE: wb cg cs wt) and eviction policies */
typedef enum CacheMod { CACHE_NONE, CACHE_CA, CACHE_CG, CACHE_CV, CACHE_WB, CACHE_CS, CACHE_WT } CacheMod;
typedef enum Evict { EVICT_NONE, EVICT_FIRST, EVICT_LAST } Evict;

typedef struct IrOp IrOp;
typedef struct IrBlock IrBlock;

typedef struct IrValue {
  int id;
  const IrType *type;
  IrOp *def;      /* defining op, or NULL for block arguments and function parameters */
  IrBlock *owner; /* block arguments: their block */
  int index;      /* result or argument index */
  int nuses;      /* filled by ir_count_uses */
  void *aux;      /* per-pass annotation (codegen: layout and axis info) */
  /* Function parameters: divisibility in bytes (pointers) or units (ints) known from the
   * specialisation, 1 if nothing is known. */
  int64_t divisibility;
} IrValue;

struct IrOp {
  IrOpKind kind;
  SrcLoc loc;
  IrValue **opnds;
  int nopnds;
  IrValue **res;
  int nres;
  IrBlock **regions;
  int nregions;
  int64_t i, i2;   /* integer attributes (see the table) */
  double f;        /* CONST float value */
  const char *str; /* PRINT prefix, ASSERT message */
  int flags;
  IrOp *next, *prev;
  IrBlock *parent;
};

struct IrBlock {
  IrValue **args;
  int nargs;
  IrOp *first, *last;
  IrOp *parent_op; /* the FOR/IF owning this region; NULL for the function body */
};

typedef struct IrFunc {
  const char *name;
  IrValue **params;
  int nparams;
  const char **param_names;
  IrBlock *body;
  int num_warps;
} IrFunc;

/* A compilation unit of IR: one kernel with its types and values, all in `arena`. */
typedef struct IrModule {
  Arena *arena;
  PtrVec types; /* interned IrType* */
  int next_id;
  IrFunc *func;
} IrModule;

/* ---- ir.c -------------------------------------------------------------------------- */

IrModule *ir_module_new(Arena *a);
const IrType *ir_scalar(IrModule *m, DType dt);
const IrType *ir_ptr(IrModule *m, const IrType *pointee);
const IrType *ir_block(IrModule *m, const IrType *elem, int rank, const int64_t *shape);
const IrType *ir_elem(IrModule *m, const IrType *t);   /* scalar type of t's elements */
const IrType *ir_with_elem(IrModule *m, const IrType *shape_of, const IrType *elem);
bool ir_same_shape(const IrType *a, const IrType *b);
void ir_type_str(StrBuf *b, const IrType *t);         /* "fp32", "*bf16", "<1024xfp32>" */

IrValue *ir_value_new(IrModule *m, const IrType *t);
IrBlock *ir_block_new(IrModule *m);

/* Builder: appends ops at the end of a block. */
typedef struct IrBuilder {
  IrModule *m;
  IrBlock *block;
  SrcLoc loc;
} IrBuilder;

IrOp *ir_op_new(IrModule *m, IrOpKind kind, int nopnds, int nres, int nregions);
void ir_append(IrBlock *b, IrOp *op);
/* Creates an op with the given operands and one result of type `t` (NULL: no result). */
IrOp *ir_build(IrBuilder *b, IrOpKind kind, const IrType *t, int nopnds, IrValue **opnds);
IrValue *ir_build1(IrBuilder *b, IrOpKind kind, const IrType *t, IrValue *x);
IrValue *ir_build2(IrBuilder *b, IrOpKind kind, const IrType *t, IrValue *x, IrValue *y);
IrValue *ir_const_int(IrBuilder *b, const IrType *t, int64_t v);
IrValue *ir_const_float(IrBuilder *b, const IrType *t, double v);

/* Prints the function; `annot` (may be NULL) adds a trailing comment per value. */
typedef void (*IrAnnot)(StrBuf *out, const IrValue *v, void *ctx);
void ir_print(StrBuf *out, const IrFunc *f, IrAnnot annot, void *ctx);
/* Checks structural and type invariants; messages go to `d` as internal errors. */
bool ir_verify(const IrFunc *f, Diag *d);
/* Removes ops without side effects whose results are unused; recounts uses. */
void ir_dce(IrFunc *f);
void ir_count_uses(IrFunc *f);

/* ---- sema.c: syntax tree → tile IR --------------------------------------------------- */

/* How one runtime argument is specialised (Triton's rules): its type, and what is known of
 * its value. Pointers: dt = DT_PTR, elem = pointee, divisibility 16 when the address is
 * 16-byte aligned. Ints: DT_I32/DT_I64 (by value range), divisibility 16 when value % 16 == 0,
 * equal_to_one when the value is 1 (then it is folded to the constant 1 and leaves the
 * kernel signature). Floats: DT_F32. Bools: DT_I1. */
typedef struct ArgSpec {
  DType dt;
  DType elem;
  int64_t divisibility;
  bool equal_to_one;
} ArgSpec;

typedef struct KernelParam {
  const char *name;
  bool constexpr_; /* annotated tl.constexpr */
  bool has_default;
} KernelParam;

/* Finds the @triton.jit function `name` (NULL: the last kernel in the file) and lists its
 * parameters. Returns the number of parameters, or -1 with an error in `d`. */
int sema_kernel_params(Arena *a, Diag *d, const Module *mod, const char **name, KernelParam **out);

/* Builds the tile IR of kernel `name` for the given constexpr bindings (Python literals as
 * text, evaluated in the module's scope) and the specialisations of its runtime arguments
 * (`nargs` of them, in order, constexpr parameters excluded). NULL on error (in `d`). */
IrModule *sema_build(Arena *a, Diag *d, const Module *mod, const char *name, const char *const *const_names,
                     const char *const *const_values, int nconsts, const ArgSpec *args, int nargs,
                     int num_warps);

/* ---- sema.c: decorators ------------------------------------------------------------- */

/* One triton.Config: constexpr values as Python literals, and launch options. */
typedef struct TuneConfig {
  int n;
  const char **names, **values;
  int num_warps, num_stages; /* 0: not given */
} TuneConfig;

/* What @triton.autotune and @triton.heuristics say about a kernel. */
typedef struct KernelDecor {
  TuneConfig *configs;
  int nconfigs;
  const char **keys;        /* autotune key: argument names */
  int nkeys;
  const char **heur_names;  /* heuristics, in order: constexpr name ← lambda */
  const Node **heur_lambdas;
  int nheur;
} KernelDecor;

/* Reads the decorators of kernel `name`. false on an error (in `d`). */
bool sema_kernel_decor(Arena *a, Diag *d, const Module *mod, const char *name, KernelDecor *out);

/* One argument of a launch, by parameter name, as a heuristic sees it. */
typedef struct LaunchArg {
  const char *name;
  enum { LA_INT, LA_FLOAT, LA_BOOL, LA_POINTER, LA_LITERAL } kind;
  int64_t i;
  double f;
  const char *text; /* LA_LITERAL: a constexpr's Python literal */
} LaunchArg;

/* Evaluates a heuristic `lambda args: ...` over the launch's arguments and writes the result
 * as a Python literal into out (n bytes). false on an error (in `d`). */
bool sema_eval_heuristic(Arena *a, Diag *d, const Module *mod, const Node *lambda, const LaunchArg *args, int nargs,
                         char *out, size_t n);

#endif /* LIGER_IR_H */
