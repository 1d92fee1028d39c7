#!/usr/bin/env bash
# pack.sh — builds what the GPU machine runs and puts it in .dev/ (git-ignored), to be
# carried there: the GPU machine has CUDA but no LLVM, so LLVM and lld are linked
# statically into libliger-jit.so (LIGER_STATIC_LLVM=ON, in build-dev/).
#
#   .dev/lib/libliger-jit.so*          (xz-compressed if the tree would pass ~50 MiB)
#   .dev/bin/ligerc, liger-demo, liger-bench, test_gpu_exec
#   .dev/kernels/                      a copy of kernels/
#   .dev/run-gpu.sh                    a copy of tools/device/run-gpu.sh
#   .dev/torch_ops.py, .dev/ops.h      the torch comparison and the header it checks against
#
# Then, on the device, from the repository root (carrying .dev):
#   bash tools/device/run-gpu.sh        (or bash .dev/run-gpu.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/setup.sh
if [[ ! -f build-dev/build.ninja ]]; then
  cmake -S . -B build-dev -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIGER_STATIC_LLVM=ON
fi
# The test programs of the GPU tests (CTest label `gpu`), run by run-gpu.sh.
gpu_tests=(test_gpu_exec test_gpu_targets test_ops_norm test_ops_glu_softmax test_ops_ce test_ops_rope test_ops_kl_jsd test_ops_embedding test_ops_sparsemax)
cmake --build build-dev --target liger-jit ligerc liger-demo liger-bench "${gpu_tests[@]}"

rm -rf .dev
mkdir -p .dev/lib .dev/bin
cp -P build-dev/lib/libliger-jit.so* .dev/lib/
cp build-dev/bin/ligerc build-dev/bin/liger-demo build-dev/bin/liger-bench .dev/bin/
for t in "${gpu_tests[@]}"; do cp "build-dev/tests/$t" .dev/bin/; done
cp -R kernels .dev/kernels
cp tools/device/run-gpu.sh .dev/run-gpu.sh
cp tools/device/torch_ops.py .dev/torch_ops.py
cp include/liger/ops.h .dev/ops.h # torch_ops.py checks its ctypes declarations against it

# What the carried library needs from the device (no libLLVM, no libz3, ...).
echo "libliger-jit.so needs:"
readelf -d .dev/lib/libliger-jit.so | awk '/NEEDED/ {print "  " $NF}'

limit=$((50 * 1024 * 1024))
size=$(du -sb .dev | cut -f1)
if ((size > limit)); then
  real=$(readlink -f .dev/lib/libliger-jit.so)
  echo "tree is $((size / 1024 / 1024)) MiB > 50 MiB: compressing $(basename "$real") with xz"
  xz -T0 -9 "$real" # leaves NAME.xz; run-gpu.sh unpacks it
fi
echo ".dev: $(du -sh .dev | cut -f1) ($(du -sb .dev | cut -f1) bytes)"
