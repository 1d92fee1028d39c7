#!/usr/bin/env bash
# test_liger_tune_tune.sh — liger-tune tune and prewarm --tune on the CPU (docs/cli.md,
# docs/tuning.md): a shapes file's ops timed and written to the database, the table's
# columns, the default (anchors.md shapes scaled down on the CPU), ops without a space,
# offline devices and targets refused, bad values refused, and prewarm --tune on cpu.
#
#   test_liger_tune_tune.sh LIGER_TUNE
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 LIGER_TUNE" >&2
  exit 2
fi
tool=$1
tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export LIGER_CACHE_DIR=$tmp/cache LIGER_TUNE= LIGER_OPS_CONFIG= LIGER_TUNE_DB=$tmp/env.db
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# run ARGS...: liger-tune ARGS, stdout in $out, stderr in $err, status in $rc
run() {
  echo "+ liger-tune $*"
  "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
  echo "$out"
}
# entries KERNEL DB: how many entries of KERNEL the database holds
entries() { "$tool" show --db "$2" --kernel "$1" | tail -1 | awk '{ print $1 }'; }

cat >"$tmp/shapes" <<'SHAPES'
# OP        DIMS      DTYPES
rms_norm    32x512    fp32
softmax     16x256    fp32
swiglu      64x1024   fp32
cross_entropy 16x1000 fp32
embedding   64x1000x128 fp32 # no tuning space: skipped
SHAPES

db=$tmp/tune.db
run tune --shapes "$tmp/shapes" --device cpu --db "$db" --samples 3 --budget-ms 30 --quiet
[[ $rc -eq 0 ]] && ok "tune with a shapes file" || bad "tune with a shapes file: rc $rc: $err"
head=$(grep -m1 '^OP ' "$tmp/out")
for col in OP DIR BUCKET DEFAULT DEFAULT_US BEST BEST_US SPEEDUP SAMPLES; do
  [[ " $head " == *" $col "* ]] || bad "the table has no $col column: $head"
done
for v in "rms_norm fwd" "rms_norm bwd" "softmax fwd" "softmax bwd" "swiglu fwd" "swiglu bwd" "cross_entropy fwd"; do
  set -- $v
  line=$(awk -v o="$1" -v d="$2" '$1 == o && $2 == d' "$tmp/out")
  if [[ -z $line ]]; then bad "no row for $v"; continue; fi
  # OP DIR BUCKET DEFAULT DEFAULT_US BEST BEST_US SPEEDUP SAMPLES
  read -r _ _ bucket dflt dus best bus speed samples <<<"$line"
  [[ $dflt =~ ^(rows|chunk)=[0-9]+,warps=[0-9]+$ && $best =~ ^(rows|chunk)=[0-9]+,warps=[0-9]+$ ]] ||
    bad "$v: configs '$dflt' '$best'"
  [[ $dus =~ ^[0-9]+\.[0-9]{3}$ && $bus =~ ^[0-9]+\.[0-9]{3}$ && $speed =~ ^[0-9]+\.[0-9]{2}x$ ]] ||
    bad "$v: times '$dus' '$bus' '$speed'"
  awk -v a="$bus" -v b="$dus" 'BEGIN { exit !(a <= b) }' || bad "$v: best $bus us slower than the default $dus us"
  [[ $samples -ge 1 && $samples -le 3 ]] || bad "$v: $samples samples (--samples 3)"
  [[ $bucket == cols=*,dtype=fp32,rows=* ]] || bad "$v: bucket $bucket"
done
# a fixed-row plan (SwiGLU's block, the losses' chunk) is bucketed by the call's shape
[[ $(awk '$1 == "swiglu" && $2 == "fwd" { print $3 }' "$tmp/out") == cols=1024,dtype=fp32,rows=64 &&
   $(awk '$1 == "cross_entropy" { print $3 }' "$tmp/out") == cols=1024,dtype=fp32,rows=16 ]] &&
  ok "swiglu and cross_entropy take the call's bucket" || bad "swiglu / cross_entropy buckets: $out"
[[ $out != *embedding* ]] && ok "ops without a space are not in the table" || bad "embedding was tuned"
[[ $out == *"7 variants tuned, 0 failed"* ]] && ok "7 variants tuned" || bad "summary: $out"
n=$(entries 'rms_norm.fwd' "$db")
[[ $n -ge 2 ]] && ok "the database holds $n rms_norm.fwd timings" || bad "rms_norm.fwd entries: $n"
n=$(entries 'softmax.bwd' "$db")
[[ $n -ge 2 ]] && ok "and $n softmax.bwd timings" || bad "softmax.bwd entries: $n"
[[ ! -e $LIGER_TUNE_DB ]] && ok "--db wins over LIGER_TUNE_DB" || bad "LIGER_TUNE_DB was written"
# a show --best of the database names the table's best config
best=$(awk '$1 == "softmax" && $2 == "fwd" { print $6 }' "$tmp/out")
"$tool" show --db "$db" --kernel softmax.fwd --best | grep -q -- " $best " && ok "show --best agrees: $best" ||
  bad "show --best does not list $best"

# the default shapes: anchors.md's, scaled down on the CPU (fp32)
run tune --ops softmax --device cpu --db "$tmp/d.db" --samples 2 --budget-ms 20 --quiet
[[ $rc -eq 0 && $out == *"cols=1024,dtype=fp32,rows=64"* ]] && ok "default: softmax at 16384x4096 scaled to 64x1024" ||
  bad "default shapes: rc $rc: $out $err"

# refusals
run tune --ops embedding --device cpu --db "$tmp/x.db"
[[ $rc -eq 2 && $err == *"no tuning space"* && $err == *rms_norm* ]] && ok "an op without a space is refused" ||
  bad "--ops embedding: rc $rc: $err"
run tune --ops softmax --device offline:sm_90 --db "$tmp/x.db"
[[ $rc -eq 1 && $err == *offline* && ! -e $tmp/x.db ]] && ok "an offline device is refused" ||
  bad "--device offline:sm_90: rc $rc: $err"
run tune --samples 0
[[ $rc -eq 2 && $err == *--samples* ]] && ok "--samples 0 is refused" || bad "--samples 0: rc $rc"
run tune --budget-ms x
[[ $rc -eq 2 && $err == *--budget-ms* ]] && ok "--budget-ms x is refused" || bad "--budget-ms x: rc $rc"
LIGER_CACHE_DIR=$tmp/cache2 run prewarm --tune --targets cpu,sm_90 --ops softmax --shapes "$tmp/shapes"
[[ $rc -eq 2 && $err == *"'sm_90' is an offline target"* && ! -d $tmp/cache2 ]] &&
  ok "prewarm --tune refuses an offline target before compiling anything" || bad "prewarm --tune sm_90: rc $rc: $err"

# prewarm --tune on the CPU: compiles, then tunes softmax at the file's shape
export LIGER_TUNE_DB=$tmp/prewarm.db
run prewarm --tune --targets cpu --ops softmax,embedding --shapes "$tmp/shapes" --quiet
[[ $rc -eq 0 && $out == *"softmax    fwd"* && $out == *"CACHE_HITS"* && $out != *"embedding  fwd"* ]] &&
  ok "prewarm --tune --targets cpu: compiled and tuned softmax" || bad "prewarm --tune cpu: rc $rc: $out $err"
n=$(entries 'softmax.*' "$LIGER_TUNE_DB")
[[ $n -ge 4 ]] && ok "prewarm --tune wrote $n softmax timings" || bad "prewarm --tune entries: $n"

exit $fail
