#!/usr/bin/env bash
# pack.sh — builds what the GPU machine runs and puts it in .dev/ (git-ignored), to be
# carried there: the GPU machine has CUDA but no LLVM, so LLVM and lld are linked
# statically into libliger-jit.so (LIGER_STATIC_LLVM=ON, in build-dev/).
#
#   .dev/lib/libliger-jit.so*          (xz-compressed if the tree would pass ~50 MiB)
#   .dev/lib/libliger-jit-rt.so*       the runtime-only library (no LLVM; docs/bundle.md)
#   .dev/bin/liger-demo, liger-bench, test_gpu_exec, the ops tests, test_bundle_rt_only
#   .dev/cache.tar.xz                  a CI-style prewarm for sm_90: liger-tune prewarm --targets
#                                      sm_90 --ops all (every default shape), as a tar + xz
#   .dev/suite.lgb.xz                  a bundle of that cache (ligerc --emit=bundle), xz'd
#   .dev/prewarm_anchors.shapes        the shapes liger-bench --first-calls times (run-gpu.sh cache)
#   .dev/bin/liger-tune.xz             liger-tune, stripped, when the tree stays under 58 MiB
#   .dev/kernels/                      a copy of kernels/
#   .dev/run-gpu.sh                    a copy of tools/device/run-gpu.sh
#   .dev/torch_ops.py, .dev/ops.h      the torch comparison and the header it checks against
#
# ligerc and liger-tune link LLVM statically too (they use liger_core) and are over 100 MiB
# each: they run here (prewarm, bundle); ligerc is not carried, liger-tune only compressed and
# if it fits. On the device, liger-bench --prewarm and --first-calls work over the carried
# shared library.
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
gpu_tests=(test_gpu_exec test_gpu_targets test_ops_norm test_ops_glu_softmax test_ops_ce test_ops_rope test_ops_kl_jsd test_ops_embedding test_ops_sparsemax test_bundle_rt_only)
cmake --build build-dev --target liger-jit liger-jit-rt ligerc liger-tune liger-demo liger-bench "${gpu_tests[@]}"

rm -rf .dev
mkdir -p .dev/lib .dev/bin
cp -P build-dev/lib/libliger-jit.so* build-dev/lib/libliger-jit-rt.so* .dev/lib/
cp build-dev/bin/liger-demo build-dev/bin/liger-bench .dev/bin/
for t in "${gpu_tests[@]}"; do cp "build-dev/tests/$t" .dev/bin/; done
cp -R kernels .dev/kernels
cp tools/device/run-gpu.sh .dev/run-gpu.sh
cp tools/device/torch_ops.py .dev/torch_ops.py
cp include/liger/ops.h .dev/ops.h # torch_ops.py checks its ctypes declarations against it
cp tests/data/prewarm_anchors.shapes .dev/prewarm_anchors.shapes

# The carried cache: a CI-style prewarm (no GPU) for the H200's sm_90, every op at every
# default shape, made by this tree's liger-tune. Keys contain the build id, so the tools and
# the carried library must be of one build: check that the id ligerc reports is in both
# libraries.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
build-dev/bin/liger-tune prewarm --targets sm_90 --ops all --cache-dir "$work/cache" --quiet 2>"$work/prewarm.err" ||
  { tail -20 "$work/prewarm.err"; exit 1; }
build-dev/bin/ligerc --emit=bundle --from-cache "$work/cache" --targets sm_90 -o "$work/suite.lgb"
build-dev/bin/ligerc --emit=bundle --from-cache "$work/cache" --targets sm_90 -o "$work/again.lgb" 2>/dev/null
cmp "$work/suite.lgb" "$work/again.lgb" || { echo "pack: the bundle is not deterministic" >&2; exit 1; }
build-dev/bin/ligerc --bundle-info "$work/suite.lgb" >"$work/info"
head -2 "$work/info"
id=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "id") print $(i + 1) }' "$work/info")
grep -q '(this build)' "$work/info" || { echo "pack: the bundle is not of ligerc's build" >&2; exit 1; }
for lib in .dev/lib/libliger-jit.so.0.* .dev/lib/libliger-jit-rt.so.0.*; do
  grep -qaF "$id" "$lib" || { echo "pack: $lib is not of build $id (the carried cache would miss)" >&2; exit 1; }
done
echo "build id $id: liger-tune, ligerc, libliger-jit.so and libliger-jit-rt.so agree"
echo "cache: $(find "$work/cache" -name '*.bin' | wc -l) entries, $(du -sb "$work/cache" | cut -f1) bytes; bundle $(stat -c %s "$work/suite.lgb") bytes"
# tar and xz, byte for byte the same from the same cache (sorted names, no times or owners)
tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=go-rwx -cf - cache | xz -9 -T1 >.dev/cache.tar.xz
xz -9 -T1 -c "$work/suite.lgb" >.dev/suite.lgb.xz
echo "packed: cache.tar.xz $(stat -c %s .dev/cache.tar.xz) bytes, suite.lgb.xz $(stat -c %s .dev/suite.lgb.xz) bytes"

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
# liger-tune links LLVM statically (over 100 MiB): carried stripped and xz'd only when the tree
# stays under 58 MiB with it (the carry limit is 64 MiB); run-gpu.sh uses liger-bench instead
# when it is not there.
strip -o "$work/liger-tune" build-dev/bin/liger-tune
xz -9 -T1 -c "$work/liger-tune" >"$work/liger-tune.xz"
size=$(du -sb .dev | cut -f1)
tune_xz=$(stat -c %s "$work/liger-tune.xz")
if ((size + tune_xz < 58 * 1024 * 1024)); then
  cp "$work/liger-tune.xz" .dev/bin/liger-tune.xz
  echo "liger-tune carried: $tune_xz bytes (xz)"
else
  echo "liger-tune not carried: $tune_xz bytes (xz) would take .dev past 58 MiB"
fi
echo ".dev: $(du -sh .dev | cut -f1) ($(du -sb .dev | cut -f1) bytes)"
