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
# (liger-bench and liger-bench --ops), torch (torch_ops.py), sanitize (compute-sanitizer),
# cache and tune (issue 6, below), so that a device call of limited time can run some of them.
#
#   cache  the CI-made cache pack.sh carries (.dev/cache.tar.xz: liger-tune prewarm --targets
#          sm_90, no GPU) on this GPU: (a) liger-bench --prewarm over a copy of it, every op
#          at every default shape, must compile nothing (COMPILED 0); (b) liger-bench
#          --first-calls: each op's first calls in a new process with an empty cache, the
#          carried cache and the carried bundle (.dev/suite.lgb.xz), a table on stdout and
#          $OUT/first_calls.json; (c) test_bundle_rt_only: RMSNorm on cuda from the bundle
#          through libliger-jit-rt.so, with no LLVM in the process.
#   tune   runtime tuning of RMSNorm forward and backward at 16384x4096 bf16: liger-bench
#          --ops --only rms_norm --quick with the default plan, with LIGER_TUNE=1
#          LIGER_DEBUG=tune (a fresh database), then from that database; the tuned against
#          the default times on stdout and in $OUT/tune_rms_norm.json. liger-tune tune runs
#          too when .dev/bin/liger-tune exists (pack.sh does not carry it: it links LLVM).
# Both write their whole output to $OUT/cache_tune.log as well; with no GPU they are skipped.
set -uo pipefail
parts=" ${*:-tests bench torch sanitize cache tune} "
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
for packed in "$dev"/bin/*.xz; do # liger-tune, when pack.sh could carry it
  [[ -e $packed ]] || continue
  exe=${packed%.xz}
  if [[ ! -f $exe ]]; then
    echo "unpacking $(basename "$packed")"
    if command -v xz >/dev/null; then
      xz -dc "$packed" >"$exe"
    else
      python3 -c 'import lzma, shutil, sys
with lzma.open(sys.argv[1]) as i, open(sys.argv[2], "wb") as o: shutil.copyfileobj(i, o)' "$packed" "$exe"
    fi
    chmod +x "$exe"
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

# ---- issue 6: the carried cache and bundle; runtime tuning ------------------------------------
have_gpu() { nvidia-smi -L >/dev/null 2>&1; }
log=${OUT:-/tmp}/cache_tune.log
logged() { # command...: its stdout and stderr also into $log; its status
  "$@" 2>&1 | tee -a "$log"
  return "${PIPESTATUS[0]}"
}
# unxz FILE.xz DEST: decompress (xz, else Python's lzma)
unxz_to() {
  if command -v xz >/dev/null; then
    xz -dc "$1" >"$2"
  else
    python3 -c 'import lzma, shutil, sys
with lzma.open(sys.argv[1]) as i, open(sys.argv[2], "wb") as o: shutil.copyfileobj(i, o)' "$1" "$2"
  fi
}
# carried_cache DEST: a fresh copy of the carried cache at DEST/cache (mode 700, as the runtime wants)
carried_cache() {
  mkdir -p "$1" && chmod 700 "$1" || return 1
  if [[ -d $dev/cache ]]; then
    cp -R "$dev/cache" "$1/cache"
  elif [[ -f $dev/cache.tar.xz ]]; then
    unxz_to "$dev/cache.tar.xz" "$1/cache.tar" && tar -C "$1" -xf "$1/cache.tar" && rm -f "$1/cache.tar"
  else
    echo "run-gpu: no carried cache ($dev/cache or $dev/cache.tar.xz); run tools/device/pack.sh" >&2
    return 1
  fi
  chmod -R go-rwx "$1/cache"
}
# cuda_prewarm COMMAND...: a prewarm on the GPU (its summary's TARGET column starts with
# "cuda"); passes only if it succeeded and compiled nothing (COMPILED 0)
cuda_prewarm() {
  local out rc compiled
  out=$("$@" 2>&1)
  rc=$?
  echo "$out"
  compiled=$(awk 'f && $1 ~ /^cuda/ { print $4; exit } $1 == "TARGET" && $4 == "COMPILED" { f = 1 }' <<<"$out")
  echo "COMPILED ${compiled:-?} (must be 0: every variant from the carried cache), status $rc"
  [[ $rc -eq 0 && $compiled == 0 ]]
}
shapes=$dev/prewarm_anchors.shapes
[[ -f $shapes ]] || shapes=$root/tests/data/prewarm_anchors.shapes

if want cache || want tune; then
  : >"$log"
fi
if ! want cache; then
  :
elif ! have_gpu; then
  echo
  echo "(no CUDA GPU: part cache skipped)" | tee -a "$log"
else
  cw=$(mktemp -d)
  chmod 700 "$cw"
  if carried_cache "$cw/a" && carried_cache "$cw/b"; then
    bundle=$cw/suite.lgb
    if [[ -f $dev/suite.lgb ]]; then cp "$dev/suite.lgb" "$bundle"; elif [[ -f $dev/suite.lgb.xz ]]; then unxz_to "$dev/suite.lgb.xz" "$bundle"; fi
    echo "carried cache: $(find "$cw/a/cache" -name '*.bin' | wc -l) entries; bundle: $(stat -c %s "$bundle" 2>/dev/null || echo none) bytes" | tee -a "$log"
    # (a) every op at every default shape on the GPU: all cache hits
    if [[ -x $dev/bin/liger-tune ]]; then
      step cache_prewarm_cuda logged cuda_prewarm "$dev/bin/liger-tune" prewarm --targets cuda --ops all \
        --cache-dir "$cw/a/cache" --quiet
    else
      step cache_prewarm_cuda logged cuda_prewarm env LIGER_CACHE=on LIGER_CACHE_DIR="$cw/a/cache" "$dev/bin/liger-bench" \
        --prewarm --device cuda --ops all
    fi
    # (b) first calls per op: empty cache, carried cache (a pristine copy), carried bundle
    first_args=(--first-calls --device cuda --shapes "$shapes" --warm-cache "$cw/b/cache" --json "${OUT:-/tmp}/first_calls.json")
    [[ -f $bundle ]] && first_args+=(--bundle "$bundle")
    step cache_first_calls logged "$dev/bin/liger-bench" "${first_args[@]}"
    # (c) the runtime-only library on the GPU, from the bundle, no LLVM in the process
    if [[ -f $bundle && -x $dev/bin/test_bundle_rt_only ]]; then
      step bundle_rt_cuda logged env LIGER_CACHE=off "$dev/bin/test_bundle_rt_only" "$src" --device cuda --bundle "$bundle" --no-llvm
    else
      echo "(no bundle or test_bundle_rt_only carried: bundle_rt_cuda not run)" | tee -a "$log"
    fi
  else
    failed=$((failed + 1))
  fi
  rm -rf "$cw"
fi

if ! want tune; then
  :
elif ! have_gpu; then
  echo
  echo "(no CUDA GPU: part tune skipped)" | tee -a "$log"
else
  tw=$(mktemp -d)
  chmod 700 "$tw"
  if [[ -x $dev/bin/liger-tune ]]; then
    step tune_liger_tune logged env LIGER_TUNE=1 LIGER_DEBUG=tune "$dev/bin/liger-tune" tune --ops rms_norm --device cuda \
      --db "$tw/liger-tune.db"
  else
    echo "(liger-tune not carried (it links LLVM statically, over 100 MiB): runtime tuning through liger-bench)" | tee -a "$log"
  fi
  bench_norm=("$dev/bin/liger-bench" --ops --only rms_norm --quick --device cuda)
  step tune_default logged env LIGER_CACHE_DIR="$tw/cache" LIGER_TUNE_DB="$tw/empty.db" "${bench_norm[@]}" --json "$tw/default.json"
  step tune_runtime logged env LIGER_CACHE_DIR="$tw/cache" LIGER_TUNE=1 LIGER_DEBUG=tune LIGER_TUNE_DB="$tw/tune.db" \
    "${bench_norm[@]}" --json "$tw/tuned.json"
  step tune_from_db logged env LIGER_CACHE_DIR="$tw/cache" LIGER_DEBUG=tune LIGER_TUNE_DB="$tw/tune.db" \
    "${bench_norm[@]}" --json "$tw/from_db.json"
  # rms_norm's first row (16384x4096 bf16 on a GPU): default against tuned, forward and backward (ms)
  step tune_compare logged python3 - "$tw" "${OUT:-/tmp}/tune_rms_norm.json" <<'PY'
import json, sys
d, out = sys.argv[1], sys.argv[2]
def row(name):
    try:
        ops = json.load(open(f"{d}/{name}.json"))["ops"]
    except (OSError, ValueError, KeyError) as e:
        print(f"{name}.json unreadable: {e}")
        return None
    return next((r for r in ops if r["op"] == "rms_norm"), None)  # the anchors.md shape comes first
rows = {k: row(k) for k in ("default", "tuned", "from_db")}
ok = all(rows.values()) and len({(r["m"], r["n"]) for r in rows.values()}) == 1
shape = f'{rows["default"]["m"]}x{rows["default"]["n"]}' if ok else "?"
print(f"rms_norm {shape} bf16, median ms: default plan / tuned (LIGER_TUNE=1) / from the database")
res = {"op": "rms_norm", "shape": shape, "dtype": "bf16"}
for p in ("fwd", "bwd", "full"):
    v = [rows[k][p + "_ms"] if rows[k] else None for k in rows]
    res[p] = dict(zip(rows, v))
    if ok:
        print(f"  {p:4}: {v[0]:.4f} / {v[1]:.4f} / {v[2]:.4f}  (default / tuned = {v[0] / v[1]:.3f}x)")
json.dump(res, open(out, "w"), indent=2)
sys.exit(0 if ok else 1)
PY
  rm -rf "$tw"
fi

echo
echo "$passed passed, $failed failed"
((failed == 0))
