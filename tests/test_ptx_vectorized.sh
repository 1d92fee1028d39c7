#!/usr/bin/env bash
# test_ptx_vectorized.sh — kernels/examples/add.py for sm_90 must come out as a PTX kernel
# (.entry) whose loads and stores are 128-bit vector accesses (ld.global[.nc].v4.f32/.b32,
# st.global.v4): with 16-byte aligned pointers and 1024 contiguous elements per program the
# layout analysis has everything it needs. If ptxas is installed, it must accept the PTX.
#
#   test_ptx_vectorized.sh LIGERC ADD.py
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIGERC ADD.py" >&2
  exit 2
fi
ligerc=$1 kernel=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

echo "+ $ligerc $kernel --target=sm_90 --emit=ptx -D BLOCK=1024 --signature \"*fp32:16,*fp32:16,*fp32:16,i32:16\""
if ! "$ligerc" "$kernel" --target=sm_90 --emit=ptx -D BLOCK=1024 \
    --signature "*fp32:16,*fp32:16,*fp32:16,i32:16" -o "$tmp/add.ptx" 2>"$tmp/err"; then
  echo "FAIL: ligerc failed:"
  cat "$tmp/err"
  exit 1
fi

check() { # description, extended regex
  if grep -Eq "$2" "$tmp/add.ptx"; then
    echo "ok:   $1: $(grep -Ec "$2" "$tmp/add.ptx") line(s) match /$2/"
  else
    echo "FAIL: $1: nothing matches /$2/"
    fail=1
  fi
}
check "the kernel is an entry point" '^\.visible \.entry add_kernel'
check "128-bit vector loads" 'ld\.global(\.[a-z0-9]+)*\.v4\.(f32|b32)'
check "128-bit vector stores" 'st\.global(\.[a-z0-9]+)*\.v4\.(f32|b32)'
scalar=$(grep -En '(ld|st)\.global' "$tmp/add.ptx" | grep -Ev '\.v4\.' || true)
if [[ -n $scalar ]]; then
  echo "FAIL: global accesses that are not 128-bit remain:"
  echo "$scalar" | head -5
  fail=1
else
  echo "ok:   every global load and store is a .v4 access"
fi

ptxas=""
for p in "${CUDA_HOME:-/usr/local/cuda}/bin/ptxas" /usr/local/cuda/bin/ptxas; do
  if [[ -x $p ]]; then
    ptxas=$p
    break
  fi
done
if [[ -n $ptxas ]]; then
  if "$ptxas" -arch=sm_90 "$tmp/add.ptx" -o /dev/null 2>"$tmp/ptxas.err"; then
    echo "ok:   $ptxas -arch=sm_90 accepts the PTX"
  else
    echo "FAIL: ptxas rejects the PTX:"
    cat "$tmp/ptxas.err"
    fail=1
  fi
else
  echo "note: ptxas not found; the PTX was not assembled"
fi

if ((fail)); then
  echo "--- add.ptx"
  cat "$tmp/add.ptx"
  exit 1
fi
echo "all checks passed"
