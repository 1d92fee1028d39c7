/*
 * liger.h — the public C API of libliger-jit.
 *
 * libliger-jit compiles Triton-syntax kernels (the .py files in kernels/) for NVIDIA (PTX/cubin),
 * AMD (AMDGCN/hsaco) and the host CPU, and launches them on the caller's stream.
 *
 * Conventions that hold for every function below:
 *  - Every call that can fail returns a liger_status. On failure the message of that
 *    failure is kept per thread and read with liger_last_error(); a successful call does
 *    not clear it. Nothing in the library calls exit() or abort().
 *  - Objects come in _create/_destroy (or _load/_release) pairs. The caller owns what a
 *    function hands out through an `out` parameter until it passes it to the paired
 *    release function. Strings passed in are copied; the caller keeps ownership of them.
 *  - Thread-safety: a liger_context and the liger_kernel objects made from it may be used
 *    from several threads at once. Building a new specialisation of a kernel holds that
 *    kernel's lock, so other threads launching the same kernel wait for it; different kernels
 *    compile in parallel. Destroying an object while another thread uses it is the caller's
 *    error.
 */
#ifndef LIGER_LIGER_H
#define LIGER_LIGER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LIGER_API __attribute__((visibility("default")))
#else
#define LIGER_API
#endif

/* ---- status and errors ------------------------------------------------------------- */

typedef enum liger_status {
  LIGER_OK = 0,
  LIGER_ERR_INVALID_ARG,   /* a bad argument to an API call (NULL, out of range, wrong type) */
  LIGER_ERR_NO_DEVICE,     /* the requested device or its driver is not present */
  LIGER_ERR_COMPILE,       /* the kernel source has an error; the message has file:line:col */
  LIGER_ERR_UNSUPPORTED,   /* a valid Triton construct or target feature we do not support yet */
  LIGER_ERR_IO,            /* a file could not be read or written */
  LIGER_ERR_DRIVER,        /* the CUDA/HIP driver or a vendor library returned an error */
  LIGER_ERR_OUT_OF_MEMORY, /* host or device allocation failed */
  LIGER_ERR_INTERNAL,      /* a bug in liger-jit: please report the message */
  LIGER_ERR_ASSERT         /* a tl.device_assert failed in a debug build of a kernel; the message
                            * has its file:line (CPU: and the program id). On GPUs the failure
                            * is fatal to the context, as in CUDA: create a new context. */
} liger_status;

/* Message of the last failed call made by the calling thread ("" if none). The pointer
 * stays valid until the next failing call on this thread. Never NULL. */
LIGER_API const char *liger_last_error(void);

/* Short constant name of a status, e.g. "LIGER_ERR_COMPILE". Never NULL. */
LIGER_API const char *liger_status_name(liger_status status);

/* Version string of the library, e.g. "0.1.0 (LLVM 22.1.8)". Static storage. */
LIGER_API const char *liger_version(void);

/* ---- data types ---------------------------------------------------------------------- */

typedef enum liger_dtype {
  LIGER_I1, LIGER_I8, LIGER_I16, LIGER_I32, LIGER_I64,
  LIGER_U8, LIGER_U16, LIGER_U32, LIGER_U64,
  LIGER_F16, LIGER_BF16, LIGER_F32, LIGER_F64
} liger_dtype;

/* Size in bytes of one element of `dt` (int1 is stored as one byte). */
LIGER_API size_t liger_dtype_size(liger_dtype dt);

/* ---- contexts ------------------------------------------------------------------------ */

typedef struct liger_context liger_context;

/* Opens a device. `device` is "cpu", "cuda", "cuda:N", "hip", "hip:N" or "auto" (the first
 * CUDA device, else the first HIP device, else the CPU). NULL means "auto".
 * The compilation target is the device's own architecture ("sm_90" on an H200). The
 * environment variable LIGER_CUDA_TARGET, read here, makes a CUDA context compile for
 * another one: an older "sm_NN" (e.g. "sm_80"; the kernels reach the driver as PTX, which
 * it compiles for the device), or the device's arch-specific "sm_NNa" ("sm_90a"; cubins).
 * LIGER_HIP_TARGET does the same for HIP devices.
 * Errors: LIGER_ERR_INVALID_ARG for an unknown name or an unusable LIGER_CUDA_TARGET (not
 * sm_NN[a], newer than the device, or sm_NNa of another architecture),
 * LIGER_ERR_NO_DEVICE when the driver or the device is absent. On success *out is a new
 * context; release it with liger_context_destroy.
 *
 * "offline:TARGET[,sms=N][,occupancy=N][,ptx]" opens a target whose device is absent (TARGET
 * one of liger_targets(): sm_80, sm_90, sm_90a, gfx90a, gfx942, gfx1100, cpu), to compile
 * without it (liger-tune prewarm, docs/cache.md). Kernels and ops validate, plan and build
 * their binaries exactly as on that device, with the same binary-cache keys (cubins through
 * nvJitLink for sm_*, hsaco for gfx*, host objects for cpu), and launches are counted instead
 * of run. Ops take DLTensors of the device type the real device would have (kDLCUDA for
 * sm_*, kDLROCM for gfx*, kDLCPU for cpu; device_id 0). liger_malloc returns unique fake
 * addresses, 256-byte aligned, that must never be dereferenced (liger_free accepts them and
 * does nothing); liger_memcpy_htod / _dtoh and liger_memset_d8 fail with
 * LIGER_ERR_UNSUPPORTED, and so does an op that needs data on the host (cross entropy's
 * check_targets); liger_synchronize returns LIGER_OK. The device reports "offline TARGET" as
 * its name, the warp size and shared memory of the target, and sms=N SMs / CUs (default: 108
 * for sm_80, 132 for sm_90 / sm_90a (H100 SXM, H200), 104 for gfx90a, 304 for gfx942, 48 for
 * gfx1100, the online CPUs for cpu). liger_kernel_occupancy gives occupancy=N if set, else a
 * fixed estimate: min(8, 2048 / threads per program (1024 on gfx1100), shared memory of the
 * target / the program's), 1 on cpu; it only sizes the ops' persistent grids. `ptx` (NVIDIA
 * targets) models a device newer than TARGET, as LIGER_CUDA_TARGET=sm_80 on an H100 does:
 * the artifact is PTX. LIGER_CUDA_TARGET and LIGER_HIP_TARGET do not apply here. */
LIGER_API liger_status liger_context_create(const char *device, liger_context **out);

/* Releases the context and everything loaded through it (kernels must be released first).
 * NULL is accepted and ignored. */
LIGER_API void liger_context_destroy(liger_context *ctx);

/* Human-readable device description, e.g. "cuda:0 NVIDIA H200 (sm_90, 132 SMs)" or
 * "cpu x86-64 (2 threads)". Owned by the context. */
LIGER_API const char *liger_context_device(const liger_context *ctx);

/* Compilation target of the context's device: "sm_90", "gfx942", "cpu", ... (or what
 * LIGER_CUDA_TARGET / LIGER_HIP_TARGET chose). Owned by the context. */
LIGER_API const char *liger_context_target(const liger_context *ctx);

/* 1 when ctx is an offline context ("offline:TARGET", see liger_context_create), else 0
 * (NULL gives 0). With `launches` non-NULL, stores the number of launches made on it that
 * would have run on the device (a grid with a zero dimension is not counted; 0 for other
 * contexts). Thread-safe. */
LIGER_API int liger_context_offline(const liger_context *ctx, uint64_t *launches);

/* Device memory. On the CPU these are ordinary host allocations. The copies are
 * synchronous with respect to the host. */
LIGER_API liger_status liger_malloc(liger_context *ctx, size_t bytes, void **out);
LIGER_API liger_status liger_free(liger_context *ctx, void *ptr);
LIGER_API liger_status liger_memcpy_htod(liger_context *ctx, void *dst, const void *src, size_t bytes);
LIGER_API liger_status liger_memcpy_dtoh(liger_context *ctx, void *dst, const void *src, size_t bytes);
LIGER_API liger_status liger_memset_d8(liger_context *ctx, void *dst, int value, size_t bytes);

/* Waits for all work queued on `stream` (NULL: the default stream). CPU launches are
 * synchronous, so this returns at once there. */
LIGER_API liger_status liger_synchronize(liger_context *ctx, void *stream);

/* ---- kernels ------------------------------------------------------------------------- */

/* A compile-time (tl.constexpr) value, written as the Python literal Triton would receive:
 * "1024", "True", "1e-6", "'mean'", "tl.float32", "None". */
typedef struct liger_constexpr {
  const char *name;
  const char *value;
} liger_constexpr;

typedef enum liger_arg_kind {
  LIGER_ARG_PTR,  /* device pointer; `dtype` is the element type (Triton "*fp32") */
  LIGER_ARG_INT,  /* integer; specialised like Triton: ==1 folded, %16 noted; i32 or i64 by value */
  LIGER_ARG_FLOAT,/* float scalar, passed as fp32 (Triton's rule for Python floats) */
  LIGER_ARG_BOOL
} liger_arg_kind;

/* One runtime argument of a kernel, in declaration order (constexpr parameters excluded). */
typedef struct liger_arg {
  liger_arg_kind kind;
  liger_dtype dtype; /* LIGER_ARG_PTR: element type; otherwise ignored */
  union {
    void *ptr;
    int64_t i;
    double f;
    int b;
  } v;
} liger_arg;

static inline liger_arg liger_arg_ptr(void *p, liger_dtype elem) {
  liger_arg a; a.kind = LIGER_ARG_PTR; a.dtype = elem; a.v.ptr = p; return a;
}
static inline liger_arg liger_arg_int(int64_t i) {
  liger_arg a; a.kind = LIGER_ARG_INT; a.dtype = LIGER_I64; a.v.i = i; return a;
}
static inline liger_arg liger_arg_float(double f) {
  liger_arg a; a.kind = LIGER_ARG_FLOAT; a.dtype = LIGER_F32; a.v.f = f; return a;
}
static inline liger_arg liger_arg_bool(int b) {
  liger_arg a; a.kind = LIGER_ARG_BOOL; a.dtype = LIGER_I1; a.v.b = b; return a;
}

typedef struct liger_kernel liger_kernel;

/* Loads the @triton.jit function `name` from the kernel file `path` (jit helpers it calls in
 * the same file are inlined), binding the constexpr parameters listed in `consts`
 * (`nconsts` entries; defaults from the source, then the first @triton.autotune config, apply
 * to the rest; @triton.heuristics are evaluated at each launch). The source is parsed and its
 * parameters and decorators are checked now; type errors in the body are reported when a
 * specialisation is first built, at the first launch (or liger_kernel_compile), which
 * happens once per argument specialisation. `num_warps` 0 means the first autotune config's
 * num_warps, else 4.
 * Errors: LIGER_ERR_IO (file), LIGER_ERR_COMPILE (with file:line:col and a caret),
 * LIGER_ERR_UNSUPPORTED. Release with liger_kernel_release. */
LIGER_API liger_status liger_kernel_load(liger_context *ctx, const char *path, const char *name,
                                         const liger_constexpr *consts, int nconsts, int num_warps,
                                         liger_kernel **out);

/* As liger_kernel_load, from source text in memory; `filename` is used in diagnostics. */
LIGER_API liger_status liger_kernel_load_source(liger_context *ctx, const char *source,
                                                const char *filename, const char *name,
                                                const liger_constexpr *consts, int nconsts,
                                                int num_warps, liger_kernel **out);

LIGER_API void liger_kernel_release(liger_kernel *k);

/* Builds (or finds) the machine code for the specialisation that `args` select, without
 * launching. Useful to take compilation out of a timed region. */
LIGER_API liger_status liger_kernel_compile(liger_kernel *k, const liger_arg *args, int nargs);

/* How many programs of the specialisation that `args` select can be resident at once on
 * one SM (NVIDIA) or CU (AMD), given its registers, shared memory and num_warps; 1 on the
 * CPU, where a worker thread runs one program at a time. Builds the specialisation if
 * needed (as liger_kernel_compile). A persistent grid of (this x SMs) programs runs in one
 * wave. *blocks_per_sm is 0 on error. Thread-safe. Errors: LIGER_ERR_INVALID_ARG (NULL
 * blocks_per_sm, bad arguments as for liger_launch), compile errors, LIGER_ERR_DRIVER. */
LIGER_API liger_status liger_kernel_occupancy(liger_kernel *k, const liger_arg *args, int nargs,
                                              int *blocks_per_sm);

/* Number of runtime (non-constexpr) parameters the kernel takes. */
LIGER_API int liger_kernel_num_args(const liger_kernel *k);

/* Launches the kernel over grid[0] x grid[1] x grid[2] programs on `stream` (a CUstream or
 * hipStream_t; NULL for the default stream; ignored on the CPU, where the call returns when
 * the grid has run). Asynchronous on GPUs. Errors: LIGER_ERR_INVALID_ARG (argument count,
 * an unknown argument kind, a grid dimension too large), compile errors as above (an
 * argument of the wrong kind for how the kernel uses it shows as a compile error),
 * LIGER_ERR_DRIVER. A grid with a zero dimension launches nothing and returns LIGER_OK
 * (as Triton does). */
LIGER_API liger_status liger_launch(liger_kernel *k, const uint32_t grid[3], void *stream,
                                    const liger_arg *args, int nargs);

/* ---- the binary cache -------------------------------------------------------------------- */

/* Compiled kernels are kept on disk so that a new process skips compilation. The directory
 * is $LIGER_CACHE_DIR, else $XDG_CACHE_HOME/liger-jit, else ~/.cache/liger-jit; it must
 * belong to the user and not be writable by group or others, or the cache stays off.
 * LIGER_CACHE=off disables it; LIGER_DEBUG=cache prints hits, misses and stores. Entries
 * are checksummed and a damaged one is deleted and rebuilt, never loaded. */
typedef struct liger_cache_info {
  const char *dir;       /* the directory in use (or that would be); thread-local storage */
  int enabled;           /* 0 when off; `reason` says why */
  const char *reason;
  uint64_t hits, misses, stores, rejected, store_errors; /* this process so far */
  uint64_t entries, bytes; /* what the directory holds now */
} liger_cache_info;

/* Fills *out with the cache's state. Thread-safe. */
LIGER_API liger_status liger_cache_query(liger_cache_info *out);

/* ---- bundles ------------------------------------------------------------------------------ */

/* A bundle (docs/bundle.md; made by `ligerc --emit=bundle`) ships compiled variants for
 * chosen targets, and a tuning database, in one checksummed file. Loaded bundles are looked
 * up before the disk cache, and a variant found in one is neither compiled nor written to
 * the cache; a runtime-only build of the library (LIGER_RUNTIME_ONLY, no LLVM) finds its
 * kernels only there and in the cache.
 *
 * Reads and checks the whole file at `path` (every entry's checksum, the index, the file's
 * checksum) and adds it to the process-wide list; a damaged bundle is rejected whole
 * (LIGER_ERR_INVALID_ARG, with a message) and nothing of it is used. The library keeps its
 * own copy of the contents until the process ends (there is no unload) and does not keep
 * `path`. Thread-safe; bundles are searched in load order, the first holding a key wins.
 * $LIGER_BUNDLE=/a.lgb[:/b.lgb] loads bundles the same way, first, on the first lookup;
 * a bad one there is reported on stderr and skipped. Kernels are looked up when they are
 * first launched, so load bundles before that (and, in a runtime-only build, before
 * creating a CPU context: the CPU variants' host descriptor comes from the bundle). */
LIGER_API liger_status liger_bundle_load(const char *path);

/* ---- the tuning database ------------------------------------------------------------- */

/* Writes the path of the tuning database (the fastest config per GPU model, kernel and key
 * bucket; format and tool in docs/tuning.md) into buf, `size` bytes with the terminator:
 * $LIGER_TUNE_DB, else $LIGER_CACHE_DIR/tune.db, else $XDG_CACHE_HOME/liger-jit/tune.db,
 * else $HOME/.cache/liger-jit/tune.db (empty variables count as unset). The environment is
 * read on every call; the file need not exist. Thread-safe. Errors: LIGER_ERR_INVALID_ARG
 * when buf is NULL or too small (buf then holds ""), LIGER_ERR_IO when none of the
 * variables is set. */
LIGER_API liger_status liger_tune_db_path(char *buf, size_t size);

/* Lets this context measure on a tuning-database miss (docs/tuning.md, "Runtime use").
 * On the first launch of a kernel with @triton.autotune at a new key bucket (and on the
 * first call of a Liger op at a new (variant, bucket)), the library uses the database's
 * fastest config for this GPU model (falling back to its arch, then its vendor) or, when
 * there is none, the first autotune config (the op's default plan). With tuning on
 * (`on` != 0, or LIGER_TUNE=1 in the environment), a miss instead times every config there
 * and then — the launch waits for it, tens of milliseconds to seconds — writes every
 * timing to the database and uses the fastest. The decision is kept per kernel object (per
 * context for ops) and bucket. Tuning runs the kernel several times on the launch's own
 * arguments and grid: a kernel that updates its inputs in place must not be tuned this
 * way. Off by default, so a production process never stalls on tuning. LIGER_DEBUG=tune
 * prints every decision. Thread-safe. Errors: LIGER_ERR_INVALID_ARG for a NULL ctx. */
LIGER_API liger_status liger_context_set_tuning(liger_context *ctx, int on);

/* ---- ahead-of-time compilation (ligerc) ---------------------------------------------- */

typedef enum liger_emit {
  LIGER_EMIT_TIR,   /* tile IR text */
  LIGER_EMIT_LAYOUT,/* tile IR text annotated with the layouts chosen for the target */
  LIGER_EMIT_LLVM,  /* LLVM IR text after optimisation */
  LIGER_EMIT_PTX,   /* PTX text (NVIDIA targets) */
  LIGER_EMIT_CUBIN, /* cubin (NVIDIA targets; needs libnvJitLink at run time) */
  LIGER_EMIT_ASM,   /* target assembly text (PTX on NVIDIA, AMDGCN on AMD, host asm on cpu) */
  LIGER_EMIT_OBJ,   /* relocatable object (AMD and cpu) */
  LIGER_EMIT_HSACO  /* AMD code object, linked (AMD targets) */
} liger_emit;

typedef struct liger_compile_options {
  const char *path;      /* kernel file; or NULL and `source` */
  const char *source;    /* source text when path is NULL */
  const char *filename;  /* name for diagnostics when compiling `source` */
  const char *kernel;    /* @triton.jit function to compile; NULL: the last one in the file */
  const char *target;    /* "sm_80", "sm_90", "sm_90a", "gfx90a", "gfx942", "gfx1100", "cpu" */
  const char *signature; /* runtime argument types, Triton AOT style: "*fp32:16, i32, i64:16, fp32";
                            NULL: parameters whose names end in "ptr" are "*fp32:16", the others
                            "i32" */
  const liger_constexpr *consts;
  int nconsts;
  int num_warps;         /* 0: 4 */
  liger_emit emit;
  int opt_level;         /* LLVM optimisation level: LIGER_O0..LIGER_O3; 0 means LIGER_O3 (what
                            the JIT always uses; this affects liger_compile's output only) */
} liger_compile_options;

enum { LIGER_O0 = 1, LIGER_O1, LIGER_O2, LIGER_O3 };

/* Compiles one kernel for one target and returns the requested artifact in *out (allocated
 * with malloc, *out_len bytes, NUL-terminated for text forms; free with liger_free_host).
 * Needs no GPU. The first @triton.autotune config supplies constexprs not given; heuristic
 * constexprs must be given. Errors as for liger_kernel_load, plus LIGER_ERR_INVALID_ARG for a
 * target or emit kind that does not fit, and LIGER_ERR_NO_DEVICE for LIGER_EMIT_CUBIN when
 * libnvJitLink cannot be loaded. */
LIGER_API liger_status liger_compile(const liger_compile_options *opts, char **out, size_t *out_len);

/* Frees memory returned by liger_compile. */
LIGER_API void liger_free_host(void *p);

/* Lists the targets liger_compile accepts, comma separated. Static storage. */
LIGER_API const char *liger_targets(void);

#ifdef __cplusplus
}
#endif
#endif /* LIGER_LIGER_H */
