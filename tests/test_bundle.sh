#!/usr/bin/env bash
# test_bundle.sh — a bundle end to end: the full build runs add.py and RMSNorm on the CPU
# into a fresh cache directory, ligerc packs it (twice: the bytes must match), and the same
# program linked against the runtime-only libliger-jit-rt.so runs from the bundle with no
# LLVM in the process; without the bundle it fails with the missing key. Also: the
# runtime-only library needs and defines nothing of LLVM, and a damaged bundle is refused;
# ligerc add.py --emit=bundle (one kernel's variants, built on offline contexts) holds the
# very key the runtime computed for add.py, and an sm_90 cubin beside it.
#
#   test_bundle.sh LIGERC FULL_PROG RT_PROG RT_LIB SRC_DIR
set -euo pipefail
ligerc=$1 full=$2 rt=$3 rtlib=$4 src=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

mkdir -m 700 "$tmp/cache"
echo "+ full build fills $tmp/cache"
LIGER_CACHE_DIR=$tmp/cache "$full" "$src" || bad "the full build's run"
n=$(find "$tmp/cache" -name '*.bin' | wc -l)
[[ $n -ge 2 ]] && ok "cache holds $n entries" || bad "cache holds $n entries"

echo "+ ligerc --emit=bundle --from-cache"
"$ligerc" --emit=bundle --from-cache "$tmp/cache" --targets cpu -o "$tmp/a.lgb" || bad "ligerc --emit=bundle"
cp -r "$tmp/cache" "$tmp/cache2"
"$ligerc" --emit=bundle --from-cache "$tmp/cache2" --targets cpu -o "$tmp/b.lgb" || bad "ligerc --emit=bundle (2)"
cmp -s "$tmp/a.lgb" "$tmp/b.lgb" && ok "two packs of the same cache are byte-identical" || bad "bundles differ"
"$ligerc" --emit=bundle --from-cache "$tmp/cache" --targets sm_90,gfx942 -o "$tmp/none.lgb" 2>"$tmp/err" || bad "ligerc with --targets"
grep -q "0 variants" "$tmp/err" && grep -q "of other targets left out" "$tmp/err" && ok "--targets leaves the CPU entries out" || bad "--targets: $(cat "$tmp/err")"
"$ligerc" --bundle-info "$tmp/a.lgb" >"$tmp/info" || bad "ligerc --bundle-info"
cat "$tmp/info"
grep -q " cpu  *so  *add_kernel" "$tmp/info" && grep -q "(this build)" "$tmp/info" && ok "--bundle-info lists add_kernel as a CPU shared object" || bad "--bundle-info"

echo "+ ligerc add.py --emit=bundle: one kernel's variants under the runtime's keys"
add_key=$(awk '/ cpu  *so  *add_kernel/ {print $1}' "$tmp/info")
one() { # OUT: add.py's bundle for cpu and sm_90, BLOCK=256 and 4 warps as the program loads it
  "$ligerc" "$src/kernels/examples/add.py" --emit=bundle --target cpu,sm_90 -D BLOCK=256 --num-warps 4 \
    --signature "*fp32:16, *fp32:16, *fp32:16, i32" --signature "*fp32, *fp32, *fp32, i32" -o "$1"
}
one "$tmp/add1.lgb" || bad "ligerc add.py --emit=bundle"
one "$tmp/add2.lgb" 2>/dev/null || bad "ligerc add.py --emit=bundle (2)"
cmp -s "$tmp/add1.lgb" "$tmp/add2.lgb" && ok "two builds of add.py's bundle are byte-identical" || bad "add.py bundles differ"
"$ligerc" --bundle-info "$tmp/add1.lgb" >"$tmp/info1" || bad "--bundle-info of add.py's bundle"
cat "$tmp/info1"
[[ $(grep -c " cpu  *so  *add_kernel" "$tmp/info1") -eq 2 && $(grep -c " sm_90  *cubin add_kernel" "$tmp/info1") -eq 2 ]] &&
  ok "2 signatures x (cpu, sm_90): 4 entries" || bad "add.py's bundle entries"
[[ -n $add_key ]] && grep -q "^$add_key " "$tmp/info1" && ok "it holds the key the runtime stored for add.py ($add_key)" ||
  bad "the runtime's key for add.py (${add_key:-none}) is not in ligerc's bundle"

echo "+ the runtime-only library"
if readelf -d "$rtlib" | grep NEEDED | grep -qi llvm; then bad "libliger-jit-rt needs LLVM"; else ok "no LLVM in its NEEDED entries"; fi
if nm -D "$rtlib" | grep -qi llvm; then bad "libliger-jit-rt has LLVM symbols"; else ok "no LLVM symbols (nm -D)"; fi

echo "+ runtime-only program, from the bundle"
LIGER_CACHE=off "$rt" "$src" --bundle "$tmp/a.lgb" --no-llvm || bad "the runtime-only run from the bundle"
echo "+ runtime-only program, LIGER_BUNDLE"
LIGER_CACHE=off LIGER_BUNDLE=$tmp/none.lgb:$tmp/a.lgb "$rt" "$src" --no-llvm || bad "the runtime-only run through LIGER_BUNDLE"
echo "+ runtime-only program, no bundle"
LIGER_CACHE=off "$rt" "$src" --expect-missing || bad "the missing-key message"

echo "+ damaged bundles are refused"
size=$(stat -c %s "$tmp/a.lgb")
flip() { # FILE OFFSET: xor one byte with 0xff
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
cp "$tmp/a.lgb" "$tmp/blob.lgb"; flip "$tmp/blob.lgb" $((size - 200))
cp "$tmp/a.lgb" "$tmp/index.lgb"; flip "$tmp/index.lgb" 140
head -c $((size - 1000)) "$tmp/a.lgb" >"$tmp/short.lgb"
for f in blob index short; do
  if LIGER_CACHE=off "$rt" "$src" --bundle "$tmp/$f.lgb" >"$tmp/out" 2>&1; then
    bad "$f: a damaged bundle was loaded"
  elif grep -q "rejected" "$tmp/out"; then
    ok "$f: rejected: $(grep -o 'rejected.*' "$tmp/out" | head -1)"
  else
    bad "$f: no rejection message"; cat "$tmp/out"
  fi
done
[[ $fail -eq 0 ]] && echo "all checks passed"
exit $fail
