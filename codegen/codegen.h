/*
 * codegen.h — internal header of the back end: targets, layouts, lowering, the pipeline.
 *
 * Pipeline (pipeline.c lists it in order): tile IR → layout.c (axis info + a layout per
 * tile value) → lower.c (per-thread LLVM IR through the LLVM C API; on the CPU a tile is
 * one LLVM vector) → default<O3> → target code (target_*.c: PTX, AMDGCN object, host
 * object) → link step (link.h: cubin, hsaco).
 */
#ifndef LIGER_CODEGEN_H
#define LIGER_CODEGEN_H

#include "../dsl/ir.h"
#include "liger/liger.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

/* ---- target.c: target descriptors ------------------------------------------------------ */

typedef enum TargetKind { TGT_NVPTX, TGT_AMDGPU, TGT_CPU } TargetKind;

typedef struct Target {
  const char *name;     /* "sm_90", "gfx942", "cpu" */
  TargetKind kind;
  const char *triple;
  const char *cpu;      /* LLVM CPU name ("sm_90", "gfx942", host CPU) */
  const char *features; /* LLVM features ("+ptx87") */
  int warp_size;        /* 32 / 64; 1 on the CPU (a program is one thread of vectors) */
  int global_as;        /* address space of global memory */
  int shared_as;        /* address space of shared memory (GPU) */
  size_t max_shared;    /* bytes of shared memory one block may use (opt-in limit); 0 on the CPU */
} Target;

/* Looks a target up by name ("cpu" means the host). NULL if unknown. */
const Target *cg_target(const char *name);
/* The host descriptor for an LLVM triple, CPU and feature string (the JIT asks LLVM for
 * them; a runtime-only build takes them from a bundle). */
Target cg_host_descriptor(const char *triple, const char *cpu, const char *features);
/* Comma-separated list of target names. */
const char *cg_target_names(void);
/* Creates an LLVM target machine for `t` (O3). NULL with the thread's error set. */
LLVMTargetMachineRef cg_target_machine(const Target *t);

/* ---- layout.c: axis info and layouts (GPU targets) ---------------------------------------- */

/* What is known of an integer or pointer tile along each dimension (Triton's AxisInfo):
 * contiguity — length of runs of consecutive values; divisibility — power of two dividing
 * the first value of each run (bytes for pointers); constancy — length of runs of equal
 * values. */
typedef struct AxisInfo {
  int64_t contig[IR_MAX_RANK];
  int64_t div[IR_MAX_RANK];
  int64_t constancy[IR_MAX_RANK];
} AxisInfo;

/* A blocked layout of a parent rank, possibly sliced: tensor dim i is parent dim dims[i].
 * Each thread owns spt contiguous elements per dim, threads of a warp tile tpw, warps tile
 * wpc; order[0] is the fastest-varying parent dim. A tile larger than spt*tpw*wpc wraps
 * (several repetitions per thread); a smaller one is replicated across threads. */
typedef struct Layout {
  int rank, prank;
  int dims[IR_MAX_RANK];
  int spt[IR_MAX_RANK], tpw[IR_MAX_RANK], wpc[IR_MAX_RANK], order[IR_MAX_RANK];
} Layout;

/* Per-value annotation the lowering reads (IrValue.aux). */
typedef struct ValInfo {
  AxisInfo ax;
  const Layout *layout; /* NULL for scalars */
  const Layout *also;   /* a 1-D load issued a second time in this layout, for its users that want it */
} ValInfo;

/* Runs axis analysis and assigns layouts over the function for `t` and its num_warps. */
void cg_layout(Arena *a, IrFunc *f, const Target *t);
/* Number of elements each thread holds of a tile of type `ty` under `l`. */
int layout_regs(const Layout *l, const IrType *ty);
bool layout_equal(const Layout *a, const Layout *b);
void layout_str(StrBuf *b, const Layout *l);
/* Prints a value's layout and axis info as a trailing comment (for --emit=layout). */
void cg_layout_annot(StrBuf *out, const IrValue *v, void *ctx);

/* ---- lower.c ------------------------------------------------------------------------------ */

/* What the runtime needs to launch a compiled kernel. */
typedef struct KernelMeta {
  int num_warps;
  int threads;       /* num_warps * warp size */
  size_t shared;     /* dynamic shared memory bytes (GPU), scratch bytes per program (CPU) */
} KernelMeta;

/* Lowers the laid-out function into a new LLVM module in `ctx`. NULL with `d` set. */
LLVMModuleRef cg_lower(LLVMContextRef ctx, IrFunc *f, const Target *t, KernelMeta *meta, Diag *d);

/* ---- libs.c: math libraries linked on demand --------------------------------------------- */

/* Links NVIDIA's libdevice into `m` when it calls __nv_* functions. */
bool cg_link_libdevice(LLVMModuleRef m, Diag *d);
/* Links AMD's ocml into `m` when it calls __ocml_* functions, configured for chip `cpu`. */
bool cg_link_ocml(LLVMModuleRef m, const char *cpu, int wave64, Diag *d);

/* ---- pipeline.c ------------------------------------------------------------------------------ */

/* One compilation request; everything the front end and back end need. */
typedef struct CompileJob {
  const SrcFile *file;
  const SrcFile *const *closure;  /* the files it imports, as read when the key was made */
  int nclosure;                   /* (Module.closure; may be 0: then read from disk) */
  const char *kernel;             /* NULL: the last @triton.jit in the file */
  const char *const *const_names; /* constexpr bindings */
  const char *const *const_values;
  int nconsts;
  const ArgSpec *args;
  int nargs;
  int num_warps;
  const Target *target;
  int opt_level;                  /* 0: O3; else LIGER_O0..LIGER_O3 (liger_compile, ligerc -O) */
} CompileJob;

typedef struct CompileResult {
  char *data;        /* malloc'd artifact */
  size_t len;
  char *kernel_name; /* malloc'd entry symbol */
  KernelMeta meta;
} CompileResult;

/* Runs the whole pipeline up to `emit`. On failure returns a status and sets the thread's
 * error message (diagnostics with file:line:col for source errors). */
liger_status cg_compile(const CompileJob *job, liger_emit emit, CompileResult *out);

#endif /* LIGER_CODEGEN_H */
