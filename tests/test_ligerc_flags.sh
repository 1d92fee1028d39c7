#!/usr/bin/env bash
# test_ligerc_flags.sh — ligerc's flags (docs/cli.md), none needing a GPU: --list-targets,
# --emit kinds, -D, --kernel, --signature, --num-warps, -O0..-O3, -o, and the refusals.
#
#   test_ligerc_flags.sh LIGERC SRC_DIR
set -uo pipefail
ligerc=$1 src=$2
add=$src/kernels/examples/add.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }
expect() { # DESCRIPTION STATUS CMD... : the command exits with STATUS
  local what=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local st=$?
  [[ $st -eq $want ]] && ok "$what" || { bad "$what (status $st, want $want)"; head -5 "$tmp/err"; }
}

"$ligerc" --list-targets | grep -q "sm_90.*gfx942.*cpu" && ok "--list-targets" || bad "--list-targets"
for e in tir layout llvm ptx; do
  expect "--emit=$e for sm_90" 0 "$ligerc" "$add" --target=sm_90 --emit=$e -D BLOCK=1024 -o "$tmp/k.$e"
done
expect "--emit=asm for gfx942" 0 "$ligerc" "$add" --target gfx942 --emit=asm -D BLOCK=1024 -o "$tmp/k.s"
expect "--emit=obj for cpu" 0 "$ligerc" "$add" --target=cpu --emit=obj -D BLOCK=1024 -o "$tmp/k.o"
grep -q "BLOCK\|1024" "$tmp/k.tir" && ok "-D BLOCK=1024 reaches the IR" || bad "-D value not in the IR"
"$ligerc" "$add" --emit=tir -D BLOCK=64 -o - | grep -q 64 && ok "-D is read per run (BLOCK=64)" || bad "-D BLOCK=64"
expect "-D without a value is refused" 2 "$ligerc" "$add" --emit=tir -D BLOCK
expect "an unknown -D name is refused" 1 "$ligerc" "$add" --emit=tir -D BLOCK=8 -D NOPE=1
"$ligerc" "$add" --target=sm_90 --emit=ptx -D BLOCK=1024 --num-warps 8 -o "$tmp/w8.ptx"
grep -q "maxntid 256" "$tmp/w8.ptx" && ok "--num-warps 8: 256 threads" || bad "--num-warps 8 (no .maxntid 256)"
"$ligerc" "$add" --target=sm_90 --emit=ptx -D BLOCK=1024 --signature "*fp32:16, *fp32:16, *fp32:16, i32:16" -o "$tmp/s16.ptx"
"$ligerc" "$add" --target=sm_90 --emit=ptx -D BLOCK=1024 --signature "*fp32, *fp32, *fp32, i32" -o "$tmp/s1.ptx"
grep -q "[.]v4" "$tmp/s16.ptx" && ! cmp -s "$tmp/s16.ptx" "$tmp/s1.ptx" && ok "--signature: aligned gives vector loads, unaligned differs" || bad "--signature"
expect "a bad --signature is refused" 2 "$ligerc" "$add" --emit=tir -D BLOCK=8 --signature "*fp99"
"$ligerc" "$src/kernels/examples/softmax.py" --emit=tir --kernel softmax_kernel -D BLOCK=128 -o - 2>/dev/null | grep -q softmax_kernel \
  && ok "--kernel picks the function" || bad "--kernel"
expect "an unknown --kernel is refused" 1 "$ligerc" "$add" --emit=tir --kernel nope -D BLOCK=8
for o in 0 1 2 3; do
  expect "-O$o" 0 "$ligerc" "$add" --target=sm_90 --emit=llvm -D BLOCK=1024 -O$o -o "$tmp/O$o.ll"
done
"$ligerc" "$add" --target=sm_90 --emit=llvm -D BLOCK=1024 -o "$tmp/def.ll"
cmp -s "$tmp/O3.ll" "$tmp/def.ll" && ok "-O3 is the default" || bad "-O3 differs from the default"
! cmp -s "$tmp/O0.ll" "$tmp/O3.ll" && ok "-O0 output differs from -O3" || bad "-O0 = -O3"
expect "-O0 reaches PTX" 0 "$ligerc" "$add" --target=sm_90 --emit=ptx -D BLOCK=1024 -O0 -o "$tmp/O0.ptx"
expect "-O4 is refused" 2 "$ligerc" "$add" --emit=tir -D BLOCK=8 -O4
expect "an unknown target is refused" 2 "$ligerc" "$add" --target=sm_99x --emit=tir -D BLOCK=8
expect "an unknown --emit is refused" 2 "$ligerc" "$add" --emit=nope
expect "--emit=bundle of a file without --signature is refused" 2 "$ligerc" "$add" --emit=bundle -D BLOCK=8 -o "$tmp/x.lgb"
expect "--emit=bundle with both a file and --from-cache is refused" 2 "$ligerc" "$add" --emit=bundle --from-cache "$tmp" -o "$tmp/x.lgb"
sig4="*fp32:16, *fp32:16, *fp32:16, i32"
expect "--emit=bundle of a file without -o is refused" 2 "$ligerc" "$add" --emit=bundle -D BLOCK=8 --signature "$sig4"
expect "--emit=bundle with -O is refused" 2 "$ligerc" "$add" --emit=bundle -O1 -D BLOCK=8 --signature "$sig4" -o "$tmp/x.lgb"
expect "--emit=bundle: a u32 scalar (never a runtime specialisation) is refused" 2 "$ligerc" "$add" --emit=bundle -D BLOCK=8 \
  --signature "*fp32:16, *fp32:16, *fp32:16, u32" -o "$tmp/x.lgb"
expect "--emit=bundle: a signature of the wrong length is refused" 2 "$ligerc" "$add" --emit=bundle -D BLOCK=8 \
  --signature "*fp32:16, i32" -o "$tmp/x.lgb"
expect "--emit=bundle: an unknown target is refused" 2 "$ligerc" "$add" --emit=bundle --target sm_99 -D BLOCK=8 --signature "$sig4" -o "$tmp/x.lgb"
expect "--emit=bundle: a kernel error fails" 1 "$ligerc" "$add" --emit=bundle --kernel nope -D BLOCK=8 --signature "$sig4" -o "$tmp/x.lgb"
[[ ! -e $tmp/x.lgb ]] && ok "no bundle written by the refusals" || bad "a refused --emit=bundle wrote $tmp/x.lgb"
expect "--emit=bundle of a file for cpu and sm_90" 0 "$ligerc" "$add" --emit=bundle --target cpu,sm_90 -D BLOCK=64 --signature "$sig4" \
  --signature "*fp32, *fp32, *fp32, i32:16" -o "$tmp/k.lgb"
"$ligerc" --bundle-info "$tmp/k.lgb" >"$tmp/info"
[[ $(grep -c " cpu  *so  *add_kernel" "$tmp/info") -eq 2 && $(grep -c " sm_90  *cubin add_kernel" "$tmp/info") -eq 2 ]] &&
  ok "--bundle-info lists 2 cpu and 2 sm_90 variants" || { bad "--bundle-info of a file's bundle"; cat "$tmp/info"; }
expect "--emit=obj for sm_90 is refused" 2 "$ligerc" "$add" --target=sm_90 --emit=obj -D BLOCK=8 -o "$tmp/x.o"
[[ $fail -eq 0 ]] && echo "all checks passed"
exit $fail
