#!/usr/bin/env bash
# test_compat.sh — the compatibility suite (tests/compat/*.py, kernels written the way
# Triton's tutorials write them) must compile, unchanged, for the host CPU, sm_90 (ptxas
# accepts the PTX when installed) and gfx942 (a linked code object).
#
#   test_compat.sh LIGERC REPO_ROOT
set -uo pipefail
ligerc=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cases=(
  "vector_add.py|add_kernel|*fp32:16,*fp32:16,*fp32:16,i32|-D BLOCK_SIZE=1024"
  "fused_softmax.py|softmax_kernel|*fp32:16,*fp32:16,i32,i32,i32,i32|-D BLOCK_SIZE=1024 -D num_stages=2"
  "layer_norm.py|_layer_norm_fwd_fused|*fp16:16,*fp16:16,*fp16:16,*fp16:16,*fp32:16,*fp32:16,i32,i32,fp32|-D BLOCK_SIZE=1024"
  "layer_norm.py|_layer_norm_bwd_dx_fused|*fp16:16,*fp16:16,*fp16:16,*fp16:16,*fp16:16,*fp16:16,*fp32:16,*fp32:16,*i32:16,i32,i32|-D GROUP_SIZE_M=64 -D BLOCK_SIZE_N=1024"
  "layer_norm.py|_layer_norm_bwd_dwdb|*fp16:16,*fp16:16,*fp16:16,*fp16:16,i32,i32|-D BLOCK_SIZE_M=32 -D BLOCK_SIZE_N=128"
  "grouped_matmul.py|matmul_kernel|*fp16:16,*fp16:16,*fp16:16,i32,i32,i32,i32,i32,i32,i32,i32,i32|-D ACTIVATION='leaky_relu'"
)
for c in "${cases[@]}"; do
  IFS='|' read -r file kernel sig defs <<<"$c"
  for target in cpu sm_90 gfx942; do
    case $target in cpu) emit=obj ;; sm_90) emit=ptx ;; gfx942) emit=hsaco ;; esac
    out="$tmp/$kernel.$target.$emit"
    # shellcheck disable=SC2086  # defs holds several -D options
    if "$ligerc" "$root/tests/compat/$file" --kernel "$kernel" --target=$target --emit=$emit --signature "$sig" $defs -o "$out" 2>"$tmp/err"; then
      if [[ $emit == ptx && -x /usr/local/cuda/bin/ptxas ]] && ! /usr/local/cuda/bin/ptxas -arch=sm_90 "$out" -o /dev/null 2>"$tmp/err"; then
        echo "FAIL: ptxas rejects $file:$kernel"
        cat "$tmp/err"
        fail=$((fail + 1))
        continue
      fi
      echo "ok:   $file:$kernel for $target"
      pass=$((pass + 1))
    else
      echo "FAIL: $file:$kernel for $target:"
      cat "$tmp/err"
      fail=$((fail + 1))
    fi
  done
done
echo "$pass passed, $fail failed"
((fail == 0))
