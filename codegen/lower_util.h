/*
 * lower_util.h — private to lower*.c: the lowering state and helpers shared by the generic
 * part (lower.c: scalar and elementwise ops, the function frame) and the per-thread GPU
 * part (lower_gpu.c: layouts, memory, reductions) and the CPU vector part (lower_cpu.c).
 */
#ifndef LIGER_LOWER_UTIL_H
#define LIGER_LOWER_UTIL_H

#include "codegen.h"

/* A lowered tile: on GPUs, the `n` elements this thread owns (scalars, in layout register
 * order); on the CPU, the tile in row-major order cut into n chunks of lw_chunk() elements,
 * each one LLVM vector. Scalars are n == 1 everywhere. */
typedef struct TVal {
  int n;
  LLVMValueRef *e;
} TVal;

typedef struct Lower {
  Arena arena;
  LLVMContextRef ctx;
  LLVMModuleRef mod;
  LLVMBuilderRef b;
  const Target *t;
  IrFunc *f;
  Diag *d;
  LLVMValueRef fn;
  TVal *vals;          /* indexed by IrValue.id */
  int nvals;
  LLVMValueRef tid, lane, warp; /* GPU: i32 */
  LLVMValueRef pid[3], nprog[3];
  LLVMValueRef smem;   /* GPU: dynamic shared memory base */
  size_t smem_bytes;
  LLVMValueRef scratch; /* CPU: per-program scratch */
  bool failed;
  const IrOp *op;           /* the op being lowered (for messages) */
  IrValue *const *yield_to; /* where the current region's YIELD/CONDITION values go */
  TVal *yielded;            /* ... and what they were (in the targets' layouts) */
  LLVMValueRef cond;        /* the last CONDITION's condition */
  TVal *also;               /* GPU: by IrValue.id, loads issued again in ValInfo.also */
  struct CpuMem *cm;        /* CPU: the memory form of large tiles (lower_cpu_loop.c) */
  int lanes;                /* CPU: > 0 while a combine region runs on vectors of this many lanes */
  LLVMTypeRef i1, i8, i16, i32, i64, f16, bf16, f32, f64, ptr_g, ptr_s, vd;
} Lower;

/* lower.c */
LLVMTypeRef lw_elem_type(Lower *L, const IrType *t);           /* scalar LLVM type of t's elements */
/* CPU tiles are vectors of at most CPU_CHUNK elements: wide enough for the host's SIMD
 * registers, small enough that LLVM's instruction selection stays fast on large tiles. */
#define CPU_CHUNK 16
int lw_chunk(const IrType *t);                                 /* elements per CPU chunk */
LLVMTypeRef lw_type(Lower *L, const IrType *t);                /* CPU: one chunk's vector type */
LLVMValueRef lw_i32(Lower *L, int64_t v);
LLVMValueRef lw_const(Lower *L, const IrType *elem, int64_t i, double f);
LLVMValueRef lw_intrin(Lower *L, const char *name, LLVMTypeRef *over, int nover, LLVMValueRef *args, int nargs);
LLVMValueRef lw_elementwise(Lower *L, const IrOp *op, DType in_dt, LLVMValueRef *args);
LLVMValueRef lw_cast(Lower *L, LLVMValueRef v, const IrType *from, const IrType *to, bool bitcast);
LLVMValueRef lw_combine(Lower *L, ReduceKind k, DType dt, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef lw_atomic(Lower *L, const IrOp *op, LLVMValueRef ptr, LLVMValueRef val, LLVMValueRef cmp);
LLVMValueRef lw_atomic_if(Lower *L, const IrOp *op, LLVMValueRef pred, LLVMValueRef ptr, LLVMValueRef val,
                          LLVMValueRef cmp);
/* Combines n-tuples a and b with a REDUCE/SCAN op's operation (or region); scalars. */
void lw_combine_n(Lower *L, const IrOp *op, const LLVMValueRef *a, const LLVMValueRef *b, LLVMValueRef *out);
void lw_counted_loop(Lower *L, int64_t n, LLVMValueRef *acc, int nacc,
                     void (*body)(Lower *L, void *ctx, LLVMValueRef k, LLVMValueRef *acc), void *ctx);
LLVMValueRef lw_mac(Lower *L, const IrOp *dot, LLVMValueRef a, LLVMValueRef b, LLVMValueRef acc);
TVal lw_get(Lower *L, const IrValue *v);
void lw_set(Lower *L, const IrValue *v, TVal tv);
TVal lw_tval(Lower *L, int n);
void lw_fail(Lower *L, const IrOp *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
LLVMBasicBlockRef lw_block(Lower *L, const char *name);

/* lower_gpu.c: ops whose lowering depends on layouts (GPU targets) */
void gpu_prologue(Lower *L);
bool gpu_lower_op(Lower *L, IrOp *op); /* false: not handled here */
/* Operand `v` in the layout of `user` (converted through shared memory if it differs). */
TVal gpu_operand(Lower *L, const IrValue *v, const IrValue *user);
/* The row-major index (i32) of register r of v in the calling thread, and the predicate that
 * this thread owns v's elements (NULL: every thread does; replicated layouts hold copies). */
LLVMValueRef gpu_elem_index(Lower *L, const IrValue *v, int r);
LLVMValueRef gpu_elem_owner(Lower *L, const IrValue *v);
/* lower_debug.c: HINT, PRINT, ASSERT on every target */
bool lw_debug_op(Lower *L, IrOp *op);
/* lower_cpu.c */
void cpu_prologue(Lower *L);
bool cpu_lower_op(Lower *L, IrOp *op);
LLVMValueRef cpu_splat(Lower *L, LLVMValueRef s, int w);   /* scalar -> w-lane vector */
bool cpu_chunk_contiguous(const IrValue *p);              /* each chunk of pointer tile p is consecutive */
/* lower_cpu_loop.c: tiles above the unroll limit live in scratch memory, each op a runtime
 * loop over chunks. plan: forms and buffers (from cpu_prologue; sets the scratch size);
 * op: lowers `op` if it touches such a tile (false: not handled); enter: before FOR, WHILE
 * and IF (initial values into carried buffers); yield: at YIELD/CONDITION (values into the
 * targets' buffers). */
typedef struct CpuMem CpuMem;
void cpu_mem_plan(Lower *L);
bool cpu_mem_op(Lower *L, IrOp *op);
void cpu_mem_enter(Lower *L, IrOp *op);
void cpu_mem_yield(Lower *L, IrOp *op);

#endif
