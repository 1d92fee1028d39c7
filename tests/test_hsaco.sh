#!/usr/bin/env bash
# test_hsaco.sh — both example kernels compiled to AMD code objects for one GPU and checked
# with llvm-readelf: a linked ELF shared object (ET_DYN) whose AMDGPU metadata note names the
# kernel, gives its kernarg segment size, the target `amdgcn-amd-amdhsa--ARCH` and the wave
# size of the architecture (64 on gfx9, 32 on gfx11); and cache modifiers become the
# architecture's cache-policy bits (llvm-objdump). No AMD GPU is needed.
#
#   test_hsaco.sh LIGERC LLVM-READELF ARCH REPO_ROOT
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 LIGERC LLVM-READELF ARCH REPO_ROOT" >&2
  exit 2
fi
ligerc=$1 readelf=$2 arch=$3 root=$4
case $arch in
  gfx11*|gfx12*) wave=32 ;;
  *) wave=64 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

one() { # kernel file, kernel name, signature
  local src=$root/kernels/examples/$1 name=$2 sig=$3 out=$tmp/$2.hsaco
  echo "+ $ligerc $src --target=$arch --emit=hsaco -D BLOCK=1024 --signature \"$sig\" -o $out"
  if ! "$ligerc" "$src" --target="$arch" --emit=hsaco -D BLOCK=1024 --signature "$sig" -o "$out" 2>"$tmp/err"; then
    echo "FAIL: ligerc failed:"
    cat "$tmp/err"
    fail=1
    return
  fi
  "$readelf" -h "$out" >"$tmp/header"
  "$readelf" --notes "$out" >"$tmp/notes"
  local ok=1
  grep -Eq 'Type:[[:space:]]+DYN' "$tmp/header" || { echo "FAIL: $name.hsaco is not ET_DYN"; ok=0; }
  grep -Eq "\.name:[[:space:]]+$name\$" "$tmp/notes" || { echo "FAIL: the metadata does not name $name"; ok=0; }
  grep -Eq '\.kernarg_segment_size:[[:space:]]+[0-9]+' "$tmp/notes" || { echo "FAIL: no .kernarg_segment_size"; ok=0; }
  grep -Eq "amdhsa\.target:[[:space:]]+'?amdgcn-amd-amdhsa--$arch" "$tmp/notes" ||
    { echo "FAIL: amdhsa.target is not amdgcn-amd-amdhsa--$arch"; ok=0; }
  grep -Eq "\.wavefront_size:[[:space:]]+$wave\$" "$tmp/notes" || { echo "FAIL: .wavefront_size is not $wave"; ok=0; }
  if ((ok)); then
    echo "ok:   $name for $arch: ET_DYN, metadata names it, kernarg $(grep -Eo 'kernarg_segment_size:[[:space:]]+[0-9]+' "$tmp/notes" | grep -Eo '[0-9]+$') bytes, wave$wave"
  else
    echo "--- llvm-readelf --notes $name.hsaco"
    cat "$tmp/notes"
    fail=1
  fi
}

one add.py add_kernel "*fp32:16,*fp32:16,*fp32:16,i32:16"
one softmax.py softmax_kernel "*fp32:16,*fp32:16,i32:16,i32:16,i32"

# Cache modifiers (tests/kernels/cache_hints.py) as the cache-policy bits of the memory
# instructions: streaming ones (.cg loads, .cs stores, evict_first) are nontemporal, those
# that must reach memory (.cv and volatile loads, .wt stores) volatile. The bits each of those
# sets on this architecture, at the end of the disassembled line:
case $arch in
  gfx942) nt_ld=' nt' nt_st=' nt' vol_ld=' sc0 sc1' vol_st=' sc0 sc1' ;;
  gfx90a) nt_ld=' glc slc' nt_st=' glc slc' vol_ld=' glc' vol_st='' ;;
  gfx11*) nt_ld=' slc dlc' nt_st=' glc slc dlc' vol_ld=' glc dlc' vol_st=' dlc' ;;
  *) nt_ld='' ;;
esac
objdump=${readelf/readelf/objdump}
[[ -x $objdump ]] || objdump=$(command -v llvm-objdump-22 || command -v llvm-objdump || true)
hints=$root/tests/kernels/cache_hints.py
if [[ -n $nt_ld && -n $objdump ]]; then
  for k in cache_hint_kernel cache_volatile_kernel; do
    if ! "$ligerc" "$hints" --kernel $k --target="$arch" -D BLOCK=1024 --signature "*fp32:16,*fp32:16,*fp32:16,i32:16" \
        -o "$tmp/$k.hsaco" 2>"$tmp/err"; then
      echo "FAIL: $k for $arch:"
      cat "$tmp/err"
      fail=1
      continue
    fi
    "$objdump" -d "$tmp/$k.hsaco" | sed 's| *//.*||' | grep -E 'global_(load|store)' >"$tmp/$k.s" || true
  done
  if [[ -s $tmp/cache_hint_kernel.s && -s $tmp/cache_volatile_kernel.s ]]; then
    bits() { grep -E "^[[:space:]]*global_$2" "$tmp/$1.s" | grep -cE -- "off( offset:[0-9]+)?$3\$" || true; }
    all() { grep -cE "^[[:space:]]*global_$2" "$tmp/$1.s" || true; }
    loads=$(all cache_hint_kernel load) stores=$(all cache_hint_kernel store)
    # x is loaded with .cg (streaming) and y with evict_last (the default policy), alike otherwise
    if (( $(bits cache_hint_kernel load "$nt_ld") * 2 == loads && $(bits cache_hint_kernel load '') * 2 == loads )); then
      echo "ok:   $arch: .cg load streams ($nt_ld), evict_last load keeps the default"
    else
      echo "FAIL: $arch: expected half of the loads with$nt_ld and half plain:"; cat "$tmp/cache_hint_kernel.s"; fail=1
    fi
    if (( stores > 0 && $(bits cache_hint_kernel store "$nt_st") == stores )); then
      echo "ok:   $arch: .cs and evict_first stores stream ($nt_st)"
    else
      echo "FAIL: $arch: expected every store with$nt_st:"; cat "$tmp/cache_hint_kernel.s"; fail=1
    fi
    loads=$(all cache_volatile_kernel load) stores=$(all cache_volatile_kernel store)
    if (( loads > 0 && $(bits cache_volatile_kernel load "$vol_ld") == loads && stores > 0 &&
          $(bits cache_volatile_kernel store "$vol_st") == stores )); then
      echo "ok:   $arch: .cv and volatile loads ($vol_ld) and .wt stores (${vol_st:- no bits}) go to memory"
    else
      echo "FAIL: $arch: expected loads with$vol_ld and stores with${vol_st:- no bits}:"; cat "$tmp/cache_volatile_kernel.s"; fail=1
    fi
  fi
fi
if ((fail)); then
  exit 1
fi
echo "all checks passed"
