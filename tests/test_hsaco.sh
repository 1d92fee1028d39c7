#!/usr/bin/env bash
# test_hsaco.sh — both example kernels compiled to AMD code objects for one GPU and checked
# with llvm-readelf: a linked ELF shared object (ET_DYN) whose AMDGPU metadata note names the
# kernel, gives its kernarg segment size, the target `amdgcn-amd-amdhsa--ARCH` and the wave
# size of the architecture (64 on gfx9, 32 on gfx11). No AMD GPU is needed.
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
if ((fail)); then
  exit 1
fi
echo "all checks passed"
