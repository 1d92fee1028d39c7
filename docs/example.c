/*
 * example.c — a complete host program over the public API of libliger-jit (docs/api.md).
 *
 * It JIT-compiles a Triton-syntax kernel held in a string, runs it on a device
 * (argv[1]: "cpu", "cuda", "auto", ...; default "cpu"), checks the result against a C loop,
 * prints the state of the binary cache, and compiles the same kernel ahead of time to PTX
 * for sm_90 (no GPU needed for that).
 *
 *   cc docs/example.c -Iinclude -Lbuild/lib -lliger-jit -Wl,-rpath,$PWD/build/lib -o example
 *   ./example cpu
 */
#include <liger/liger.h>

#include <stdio.h>
#include <stdlib.h>

static const char *source =
    "import triton\n"
    "import triton.language as tl\n"
    "\n"
    "@triton.jit\n"
    "def axpy_kernel(x_ptr, y_ptr, out_ptr, alpha, n, BLOCK: tl.constexpr):\n"
    "    pid = tl.program_id(0)\n"
    "    offs = pid * BLOCK + tl.arange(0, BLOCK)\n"
    "    mask = offs < n\n"
    "    x = tl.load(x_ptr + offs, mask=mask, other=0.0)\n"
    "    y = tl.load(y_ptr + offs, mask=mask, other=0.0)\n"
    "    tl.store(out_ptr + offs, alpha * x + y, mask=mask)\n";

/* Every call returns a status; on failure the message is read with liger_last_error(). */
#define CHECK(call)                                                                     \
  do {                                                                                  \
    liger_status st_ = (call);                                                          \
    if (st_ != LIGER_OK) {                                                              \
      fprintf(stderr, "%s failed (%s):\n%s\n", #call, liger_status_name(st_), liger_last_error()); \
      exit(1);                                                                          \
    }                                                                                   \
  } while (0)

int main(int argc, char **argv) {
  const char *device = argc > 1 ? argv[1] : "cpu";
  const int n = 100000, block = 1024;
  const float alpha = 2.5f;
  size_t bytes = sizeof(float) * (size_t)n;

  printf("liger-jit %s, targets: %s\n", liger_version(), liger_targets());

  /* 1. a device */
  liger_context *ctx;
  CHECK(liger_context_create(device, &ctx));
  printf("device: %s (target %s)\n", liger_context_device(ctx), liger_context_target(ctx));

  /* 2. data: host arrays, copied to device memory */
  float *x = malloc(bytes), *y = malloc(bytes), *out = malloc(bytes);
  for (int i = 0; i < n; i++) {
    x[i] = (float)(i % 100) * 0.25f;
    y[i] = (float)(i % 7) - 3.0f;
  }
  void *dx, *dy, *dout;
  CHECK(liger_malloc(ctx, bytes, &dx));
  CHECK(liger_malloc(ctx, bytes, &dy));
  CHECK(liger_malloc(ctx, bytes, &dout));
  CHECK(liger_memcpy_htod(ctx, dx, x, bytes));
  CHECK(liger_memcpy_htod(ctx, dy, y, bytes));

  /* 3. the kernel: BLOCK is a tl.constexpr, bound at load time as a Python literal */
  liger_constexpr consts[] = {{"BLOCK", "1024"}};
  liger_kernel *k;
  CHECK(liger_kernel_load_source(ctx, source, "axpy.py", "axpy_kernel", consts, 1, 4, &k));
  printf("axpy_kernel takes %d runtime arguments\n", liger_kernel_num_args(k));

  /* 4. launch: runtime arguments in declaration order, constexprs left out */
  liger_arg args[] = {
      liger_arg_ptr(dx, LIGER_F32), liger_arg_ptr(dy, LIGER_F32), liger_arg_ptr(dout, LIGER_F32),
      liger_arg_float(alpha),       liger_arg_int(n),
  };
  uint32_t grid[3] = {(uint32_t)((n + block - 1) / block), 1, 1};
  CHECK(liger_kernel_compile(k, args, 5)); /* optional: compile now rather than at launch */
  CHECK(liger_launch(k, grid, NULL, args, 5));
  CHECK(liger_synchronize(ctx, NULL));
  CHECK(liger_memcpy_dtoh(ctx, out, dout, bytes));

  int bad = 0;
  for (int i = 0; i < n; i++) bad += out[i] != alpha * x[i] + y[i];
  printf("axpy over %d elements: %s\n", n, bad ? "MISMATCH" : "verified");

  /* 5. the on-disk binary cache */
  liger_cache_info ci;
  CHECK(liger_cache_query(&ci));
  if (ci.enabled)
    printf("cache: %s, hits=%llu misses=%llu stores=%llu, %llu entries\n", ci.dir, (unsigned long long)ci.hits,
           (unsigned long long)ci.misses, (unsigned long long)ci.stores, (unsigned long long)ci.entries);
  else
    printf("cache: off (%s)\n", ci.reason);

  /* 6. ahead of time: the same source as PTX for sm_90 */
  liger_compile_options o = {.source = source, .filename = "axpy.py", .kernel = "axpy_kernel", .target = "sm_90",
                             .signature = "*fp32:16, *fp32:16, *fp32:16, fp32, i32", .consts = consts, .nconsts = 1,
                             .emit = LIGER_EMIT_PTX};
  char *ptx;
  size_t ptx_len;
  CHECK(liger_compile(&o, &ptx, &ptx_len));
  printf("PTX for sm_90: %zu bytes\n", ptx_len);
  liger_free_host(ptx);

  /* 7. release in reverse order: kernels before their context */
  liger_kernel_release(k);
  CHECK(liger_free(ctx, dx));
  CHECK(liger_free(ctx, dy));
  CHECK(liger_free(ctx, dout));
  liger_context_destroy(ctx);
  free(x);
  free(y);
  free(out);
  return bad ? 1 : 0;
}
