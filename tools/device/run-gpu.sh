#!/usr/bin/env bash
# run-gpu.sh — what the GPU machine runs, from the repository root, with .dev/ (made by
# tools/device/pack.sh) carried along. It unpacks the library if pack.sh compressed it,
# shows the GPUs, runs the GPU test programs (test_gpu_exec, test_gpu_targets, test_ops_norm,
# test_ops_glu_softmax, test_ops_ce, test_ops_rope, test_ops_kl_jsd, test_ops_embedding and test_ops_sparsemax, the ops tests also with every row through the looped
# kernels, or in chunks of 64 for CrossEntropy), liger-demo, liger-bench (compile times,
# launch overhead) and liger-bench --ops (the ops against the copy bandwidth; JSON into $OUT
# when set), torch_ops.py (the ops against PyTorch eager and under real Triton, where torch
# imports), and, where compute-sanitizer exists, test_gpu_exec and quick runs of the ops
# tests under its memcheck and racecheck tools. The last line is "N passed, N failed"; the
# exit status is 0 only if nothing failed.
#
# Arguments pick parts (default: all): tests (the GPU test programs and liger-demo), bench
# (liger-bench and liger-bench --ops), torch (torch_ops.py), sanitize (compute-sanitizer), so
# that a device call of limited time can run some of them.
set -uo pipefail
parts=" ${*:-tests bench torch sanitize} "
want() { [[ $parts == *" $1 "* ]]; }

root=$(pwd)
here=$(cd "$(dirname "$0")" && pwd)
if [[ -d $here/lib && -d $here/bin ]]; then
  dev=$here # running as .dev/run-gpu.sh
else
  dev=$root/.dev
fi
if [[ ! -d $dev/bin ]]; then
  echo "run-gpu: $dev/bin not found; run tools/device/pack.sh and carry .dev" >&2
  exit 1
fi
# The test binaries read the kernels from <root>/kernels/examples; fall back to .dev's copy.
src=$root
[[ -f $src/kernels/examples/add.py ]] || src=$dev
export LIGER_SOURCE_DIR=$src

for packed in "$dev"/lib/*.xz; do
  [[ -e $packed ]] || continue
  lib=${packed%.xz}
  if [[ ! -f $lib ]]; then
    echo "unpacking $(basename "$packed")"
    if command -v xz >/dev/null; then
      xz -dk "$packed"
    else
      python3 -c 'import lzma, shutil, sys
with lzma.open(sys.argv[1]) as i, open(sys.argv[2], "wb") as o: shutil.copyfileobj(i, o)' "$packed" "$lib"
    fi
  fi
done
export LD_LIBRARY_PATH=$dev/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "== nvidia-smi -L"
nvidia-smi -L || echo "(nvidia-smi failed)"

passed=0 failed=0
step() { # name, command...
  local name=$1
  shift
  echo
  echo "== $name: $*"
  local t0=$SECONDS
  "$@"
  local rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "== $name: passed ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "== $name: FAILED (exit $rc$( ((rc == 77)) && echo ", skipped: no CUDA device?"))"
  fi
}

if want tests; then
step test_gpu_exec "$dev/bin/test_gpu_exec" "$src"
step gpu_assert "$dev/bin/test_gpu_exec" "$src" assert
step gpu_targets "$dev/bin/test_gpu_targets" "$src"
step gpu_ops_norm "$dev/bin/test_ops_norm" --device cuda
step gpu_ops_norm_looped env LIGER_OPS_CONFIG=chunk=64 "$dev/bin/test_ops_norm" --device cuda --quick
step gpu_ops_glu_softmax "$dev/bin/test_ops_glu_softmax" --device cuda
step gpu_ops_glu_softmax_looped env LIGER_OPS_CONFIG=chunk=64 "$dev/bin/test_ops_glu_softmax" --device cuda --quick
step gpu_ops_ce "$dev/bin/test_ops_ce" --device cuda
step gpu_ops_ce_chunked env LIGER_OPS_CONFIG=chunk=64 "$dev/bin/test_ops_ce" --device cuda --quick
step gpu_ops_rope "$dev/bin/test_ops_rope" --device cuda
step gpu_ops_kl_jsd "$dev/bin/test_ops_kl_jsd" --device cuda
step gpu_ops_kl_jsd_chunked env LIGER_OPS_CONFIG=chunk=64 "$dev/bin/test_ops_kl_jsd" --device cuda --quick
step gpu_ops_embedding "$dev/bin/test_ops_embedding" --device cuda
step gpu_ops_embedding_blocks env LIGER_OPS_CONFIG=chunk=64,rows=2 "$dev/bin/test_ops_embedding" --device cuda --quick
step gpu_ops_sparsemax "$dev/bin/test_ops_sparsemax" --device cuda
step gpu_ops_sparsemax_looped env LIGER_OPS_CONFIG=chunk=64 "$dev/bin/test_ops_sparsemax" --device cuda --quick
step liger-demo "$dev/bin/liger-demo"
fi
if want bench; then
step liger-bench "$dev/bin/liger-bench" --device cuda --src "$src" --json "${OUT:-/tmp}/bench.json"
step liger-bench-ops "$dev/bin/liger-bench" --ops --device cuda --json "${OUT:-/tmp}/bench_ops.json"
fi
# torch_ops.py: every op against PyTorch eager, our kernels/*.py under real Triton, a benchmark beside
# torch (JSON and CSV into $OUT); beside this script (tools/device or .dev, where pack.sh copies it)
torch_ops=$here/torch_ops.py
[[ -f $torch_ops ]] || torch_ops=$root/tools/device/torch_ops.py
if ! want torch; then
  :
elif python3 -c 'import torch' 2>/dev/null; then
  step torch_ops python3 "$torch_ops" --lib "$dev/lib/libliger-jit.so" --json "${OUT:-/tmp}/torch_ops.json" \
    --csv "${OUT:-/tmp}/torch_ops.csv"
else
  echo
  echo "(torch not importable: torch_ops.py not run)"
fi

sanitizer=$(command -v compute-sanitizer || true)
[[ -n $sanitizer ]] || [[ ! -x /usr/local/cuda/bin/compute-sanitizer ]] || sanitizer=/usr/local/cuda/bin/compute-sanitizer
if ! want sanitize; then
  :
elif [[ -n $sanitizer ]]; then
  step memcheck "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_gpu_exec" "$src"
  step racecheck "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_gpu_exec" "$src"
  step memcheck_ops "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_norm" --device cuda --quick
  step racecheck_ops "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_norm" --device cuda --quick
  step memcheck_glu_softmax "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_glu_softmax" --device cuda --quick
  step racecheck_glu_softmax "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_glu_softmax" --device cuda --quick
  step memcheck_ce "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_ce" --device cuda --quick
  step racecheck_ce "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_ce" --device cuda --quick
  step memcheck_rope "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_rope" --device cuda --quick
  step memcheck_kl_jsd "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_kl_jsd" --device cuda --quick
  step racecheck_kl_jsd "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_kl_jsd" --device cuda --quick
  step memcheck_embedding "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_embedding" --device cuda --quick
  step racecheck_embedding "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_embedding" --device cuda --quick
  step memcheck_sparsemax "$sanitizer" --tool memcheck --error-exitcode 1 "$dev/bin/test_ops_sparsemax" --device cuda --quick
  step racecheck_sparsemax "$sanitizer" --tool racecheck --error-exitcode 1 "$dev/bin/test_ops_sparsemax" --device cuda --quick
else
  echo
  echo "(compute-sanitizer not found: memcheck and racecheck not run)"
fi

echo
echo "$passed passed, $failed failed"
((failed == 0))
