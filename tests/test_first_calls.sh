#!/usr/bin/env bash
# test_first_calls.sh — liger-bench --first-calls and --prewarm on the CPU (docs/cli.md), the
# way tools/device/run-gpu.sh runs them on a GPU with a carried cache: liger-tune prewarm
# fills a cache for two small shapes, ligerc packs it into a bundle, and then every op's first
# calls in a new process must compile nothing from the cache and from the bundle (the bundle's
# CPU shared objects: several are dlopen'd in one process, forward and backward), while an
# empty cache compiles. liger-bench --prewarm must report COMPILED 0 over the full cache and
# fail over an empty one. Then the runtime-only program runs RMSNorm from a bundle of a prewarm
# at its shape (run-gpu.sh does the same on cuda at 16384x4096 with the carried suite).
#
#   test_first_calls.sh LIGER_TUNE LIGERC LIGER_BENCH RT_PROG SRC_DIR
set -uo pipefail
tune=$1 ligerc=$2 bench=$3 rt=$4 src=$5
tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

printf 'rms_norm 64x256 fp32\nsoftmax 64x256 fp32\n' >"$tmp/s.shapes"
"$tune" prewarm --targets cpu --ops rms_norm,softmax --shapes "$tmp/s.shapes" --cache-dir "$tmp/cache" --quiet ||
  bad "liger-tune prewarm"
"$ligerc" --emit=bundle --from-cache "$tmp/cache" -o "$tmp/s.lgb" || bad "ligerc --emit=bundle"

"$bench" --first-calls --device cpu --shapes "$tmp/s.shapes" --warm-cache "$tmp/cache" --bundle "$tmp/s.lgb" \
  --json "$tmp/fc.json" | tee "$tmp/out"
st=${PIPESTATUS[0]}
[[ $st -eq 0 ]] && ok "--first-calls: status 0" || bad "--first-calls: status $st"
rows=$(grep -c "^| rms_norm \|^| softmax " "$tmp/out")
[[ $rows -eq 2 ]] && ok "a row per op" || bad "$rows rows"
# columns: cold compiled something, warm cache and bundle nothing
awk -F'|' '/^\| (rms_norm|softmax) / { if ($7 ~ /\(0 built\)/ || $8 !~ /\(0 built\)/ || $9 !~ /\(0 built\)/) bad = 1 } END { exit bad }' \
  "$tmp/out" && ok "cold compiles; the warm cache and the bundle compile nothing" || bad "the built counts"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["ops"]) == 2 and d["bad"] == 0' "$tmp/fc.json" &&
  ok "--json parses, 2 ops, bad 0" || bad "--json"

LIGER_CACHE_DIR=$tmp/cache "$bench" --prewarm --device cpu --ops rms_norm,softmax --shapes "$tmp/s.shapes" >"$tmp/p"
st=$?
cat "$tmp/p"
[[ $st -eq 0 ]] && awk '$1 == "cpu" && $4 == 0 { f = 1 } END { exit !f }' "$tmp/p" && ok "--prewarm over the cache: COMPILED 0" ||
  bad "--prewarm over the cache (status $st)"
mkdir -m 700 "$tmp/empty"
LIGER_CACHE_DIR=$tmp/empty "$bench" --prewarm --device cpu --ops softmax --shapes "$tmp/s.shapes" >"$tmp/p" 2>&1
[[ $? -eq 1 ]] && ok "--prewarm over an empty cache fails (it compiled)" || bad "--prewarm over an empty cache did not fail"
echo "rms_norm 64x384 fp32" >"$tmp/r.shapes"
"$tune" prewarm --targets cpu --ops rms_norm --shapes "$tmp/r.shapes" --cache-dir "$tmp/rcache" --quiet >/dev/null &&
  "$ligerc" --emit=bundle --from-cache "$tmp/rcache" -o "$tmp/r.lgb" 2>/dev/null || bad "prewarm + pack of rms_norm 64x384"
LIGER_CACHE=off "$rt" "$src" --shape 64x384 --bundle "$tmp/r.lgb" --no-llvm && ok "runtime-only RMSNorm from a prewarm's bundle" ||
  bad "runtime-only RMSNorm from a prewarm's bundle"
[[ $fail -eq 0 ]] && echo "all checks passed"
exit $fail
