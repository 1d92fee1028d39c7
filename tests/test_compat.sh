#!/usr/bin/env bash
# test_compat.sh — the compatibility suite must compile, unchanged, for the host CPU, sm_90
# (ptxas accepts the PTX when installed) and gfx942 (a linked code object). Its kernels:
#   tests/compat/*.py        written the way Triton's tutorials write them;
#   tests/compat/liger/*.py  written the way Liger-Kernel's seed kernels are (spec/kernels.md).
# A case is FILE|KERNEL|SIGNATURE|OPTIONS, FILE relative to tests/compat, OPTIONS the -D
# constexprs and --num-warps. Like Liger on ROCm, gfx942 runs 32-warp cases with 16 warps.
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
  # Liger style: RMSNorm row kernels in the llama / gemma / none casting modes, and the 16-row block kernels
  "liger/rms_norm.py|_rms_norm_forward_kernel|*bf16:16,i32,*bf16:16,i32,*bf16:16,*fp32:16,i32,fp32,fp32|-D casting_mode=0 -D elementwise_affine=True -D BLOCK_SIZE=1024"
  "liger/rms_norm.py|_rms_norm_forward_kernel|*fp16:16,i32,*fp16:16,i32,*fp16:16,*fp32:16,i32,fp32,fp32|-D casting_mode=1 -D elementwise_affine=True -D BLOCK_SIZE=8192 --num-warps 16"
  "liger/rms_norm.py|_rms_norm_forward_kernel|*bf16:16,i32,*bf16:16,i32,*bf16:16,*bf16:16,i32,fp32,fp32|-D casting_mode=-1 -D elementwise_affine=False -D BLOCK_SIZE=128"
  "liger/rms_norm.py|_rms_norm_backward_kernel|*bf16:16,i32,*bf16:16,i32,*bf16:16,i32,*bf16:16,*fp32:16,*fp32:16,i32,i32,i32,fp32,i32|-D X_dtype=tl.bfloat16 -D casting_mode=0 -D elementwise_affine=True -D BLOCK_SIZE=1024"
  "liger/rms_norm.py|_rms_norm_backward_kernel|*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,*fp32:16,*fp32:16,*fp32:16,i32,i32,i32,fp32,i32|-D X_dtype=tl.float32 -D casting_mode=1 -D elementwise_affine=False -D BLOCK_SIZE=512"
  "liger/rms_norm.py|_block_rms_norm_forward_kernel|*fp16:16,i32,*fp16:16,i32,*fp16:16,*fp32:16,i32,i32,fp32,fp32|-D casting_mode=1 -D elementwise_affine=True -D BLOCK_SIZE=256 -D BLOCK_ROW=16"
  "liger/rms_norm.py|_block_rms_norm_backward_kernel|*fp16:16,i32,*fp16:16,i32,*fp16:16,i32,*fp16:16,*fp32:16,*fp32:16,i32,i32,i32,fp32|-D X_dtype=tl.float16 -D BLOCK_SIZE=256 -D BLOCK_ROW=16"
  "liger/layer_norm.py|_layer_norm_forward_kernel|*bf16:16,i32,*bf16:16,i32,*bf16:16,*bf16:16,*bf16:16,*bf16:16,i32,fp32|-D BLOCK_SIZE=2048 --num-warps 8"
  "liger/layer_norm.py|_layer_norm_backward_kernel|*bf16:16,*bf16:16,*bf16:16,*bf16:16,*bf16:16,*fp32:16,*fp32:16,*bf16:16,i32,i32,i32,i32,i32,i32|-D rows_per_program=8 -D BLOCK_SIZE=2048 --num-warps 8"
  # Liger style: RoPE forward (bf16, cos shared by the batch) and backward (odd sizes, padded)
  "liger/rope.py|_triton_rope|*bf16:16,i32,*bf16:16,i32,*bf16:16,i32,*bf16:16,i32,i32|-D bs=2 -D cos_bs=1 -D n_qh=32 -D n_kh=8 -D hd=64 -D pad_n_qh=32 -D pad_n_kh=8 -D pad_hd=64 -D BLOCK_SIZE=32"
  "liger/rope.py|_triton_rope|*fp16:16,i32,*fp16:16,i32,*fp32:16,i32,*fp32:16,i32,i32|-D bs=3 -D cos_bs=3 -D n_qh=73 -D n_kh=213 -D hd=92 -D pad_n_qh=128 -D pad_n_kh=256 -D pad_hd=128 -D BLOCK_SIZE=128 -D BACKWARD_PASS=True"
  "liger/swiglu.py|_swiglu_forward_kernel|*bf16:16,*bf16:16,*bf16:16,i32,fp32|-D n_cols=11008 -D BLOCK_SIZE=16384 --num-warps 16"
  "liger/swiglu.py|_swiglu_forward_tiled_kernel|*bf16:16,*bf16:16,*bf16:16,i32,fp32,i32|-D BLOCK_SIZE=1024"
  "liger/swiglu.py|_swiglu_backward_kernel|*fp32:16,*fp32:16,*fp32:16,i32,fp32|-D n_cols=431 -D BLOCK_SIZE=512"
  "liger/geglu.py|_geglu_tanh_forward_kernel|*bf16:16,*bf16:16,*bf16:16,i32|-D n_cols=4231 -D BLOCK_SIZE=8192 --num-warps 16"
  "liger/geglu.py|_geglu_tanh_backward_kernel|*fp32:16,*fp32:16,*fp32:16,i32|-D n_cols=4096 -D BLOCK_SIZE=4096 --num-warps 8"
  # Liger style: cross entropy with every option on (class weights, label smoothing, z-loss, softcap, mean,
  # token accuracy and predicted tokens), then with none; element_mul rescales a row by a loaded scalar
  "liger/cross_entropy.py|liger_cross_entropy_kernel|*bf16:16,i32,*i64:16,i32,*fp32:16,*bf16:16,*bf16:16,i32,*fp32:16,i32,*i64:16,i32,i32,i32,fp32,fp32,i32,fp32|-D lse_square_scale=1e-4 -D label_smoothing=0.1 -D reduction='mean' -D RETURN_Z_LOSS=True -D RETURN_TOKEN_ACCURACY=True -D RETURN_PREDICTED_TOKENS=True -D BLOCK_SIZE=32768 -D HAS_WEIGHT=True -D HAS_SOFTCAPPING=True -D HAS_GRADIENTS=True --num-warps 32"
  "liger/cross_entropy.py|liger_cross_entropy_kernel|*fp32:16,i32,*i64:16,i32,*fp32:16,*fp32:16,*fp32:16,i32,*fp32:16,i32,*i64:16,i32,i32,i32,fp32,fp32,i32,fp32|-D lse_square_scale=0.0 -D label_smoothing=0.0 -D reduction='sum' -D RETURN_Z_LOSS=False -D RETURN_TOKEN_ACCURACY=False -D RETURN_PREDICTED_TOKENS=False -D BLOCK_SIZE=4096 -D HAS_WEIGHT=False -D HAS_SOFTCAPPING=False -D HAS_GRADIENTS=True --num-warps 32"
  "liger/cross_entropy.py|element_mul_kernel|*bf16:16,i32,*bf16:16,i32|-D BLOCK_SIZE=32768 --num-warps 32"
  "liger/softmax.py|_softmax_single_block_forward_kernel|*bf16:16,i32,*bf16:16,i32,i32|-D BLOCK_SIZE=4096 --num-warps 8"
  "liger/softmax.py|_softmax_single_block_backward_kernel|*bf16:16,i32,*bf16:16,i32,*bf16:16,i32,i32|-D BLOCK_SIZE=1024"
  "liger/softmax.py|_softmax_multi_block_forward_kernel|*fp32:16,i32,*fp32:16,i32,i32|-D BLOCK_SIZE=1024"
  "liger/softmax.py|_softmax_multi_block_backward_kernel|*fp16:16,i32,*fp16:16,i32,*fp16:16,i32,i32|-D BLOCK_SIZE=1024"
  "liger/sparsemax.py|_sparsemax_forward_kernel|*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,i32|-D BLOCK_SIZE=512 -D num_warps=4 --num-warps 4"
  "liger/sparsemax.py|_sparsemax_backward_kernel|*fp32:16,*fp32:16,*fp32:16,i32,i32|-D BLOCK_SIZE=128 -D num_warps=4 --num-warps 4"
  "liger/kl_div.py|_kldiv_kernel_forward|*bf16:16,i32,*bf16:16,i32,*fp32:16,i32,i32,fp32|-D BLOCK_SIZE=16384 --num-warps 32"
  "liger/kl_div.py|_kldiv_kernel_forward|*fp16:16,i32,*fp16:16,i32,*fp32:16,i32,i32,fp32|-D BLOCK_SIZE=2048 -D log_target=True -D reduction=0 --num-warps 8"
  "liger/kl_div.py|_kldiv_kernel_backward|*bf16:16,i32,*bf16:16,i32,i32|-D BLOCK_SIZE=2048 -D log_target=True --num-warps 8"
  # Liger style: JSD with the labels' early return (inside a constexpr if), at beta 0 (forward KL), 1 (reverse KL)
  # and 0.5, and without labels
  "liger/jsd.py|_jsd_kernel|*bf16:16,i32,*bf16:16,i32,*fp32:16,i32,*bf16:16,i32,*i64:16,i32,i32|-D beta=0.0 -D ignore_index=-100 -D BLOCK_SIZE=4096 -D HAS_LABEL=True"
  "liger/jsd.py|_jsd_kernel|*bf16:16,i32,*bf16:16,i32,*fp32:16,i32,*bf16:16,i32,*i64:16,i32,i32|-D beta=1.0 -D ignore_index=42 -D BLOCK_SIZE=4096 -D HAS_LABEL=True"
  "liger/jsd.py|_jsd_kernel|*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,*i64:16,i32,i32|-D beta=0.5 -D ignore_index=-100 -D BLOCK_SIZE=2048 -D HAS_LABEL=True"
  "liger/jsd.py|_jsd_kernel|*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,*fp32:16,i32,*i64:16,i32,i32|-D beta=0.1 -D ignore_index=-100 -D BLOCK_SIZE=2048 -D HAS_LABEL=False"
  "liger/embedding.py|embedding_forward_kernel|*fp32:16,*i64:16,*fp32:16,i32|-D embedding_dim=768 -D BLOCK_SIZE_M=128 -D BLOCK_SIZE_N=128"
  "liger/embedding.py|embedding_backward_kernel|*fp32:16,*fp32:16,*i64:16,i32|-D embedding_dim=60 -D BLOCK_SIZE_M=64 -D BLOCK_SIZE_N=64"
  "liger/mta_mask.py|_mask_fwd_kernel|*fp32:16,*fp32:16,i32,i32,1,i32|-D mask_val=-1e9 -D BLOCK=64 -D num_warps=4 --num-warps 4"
  "liger/mta_mask.py|_mask_bwd_kernel|*bf16:16,*bf16:16,i32,i32,1,i32|-D BLOCK=32 -D num_warps=4 --num-warps 4"
  "liger/int2_matmul.py|matmul_kernel|*i8:16,*u8:16,*i32:16,i32,i32,i32,1,i32,1,i32,1|-D K=4096"
)
# Every row of spec/kernels.md §17 (the Triton features of Liger's seed kernels) is used by a
# kernel here: tests/compat/liger/README.md names, for each row, files that exist.
readme=$root/tests/compat/liger/README.md
for row in $(seq 1 45); do
  files=$(grep -E "^\| $row \|" "$readme" | awk -F'|' '{print $(NF-1)}' | grep -oE '[a-z0-9_]+\.py' | sort -u)
  [[ -n $files ]] || { echo "FAIL: $readme: no kernel file for §17 row $row"; fail=$((fail + 1)); }
  for f in $files; do
    [[ -f $root/tests/compat/liger/$f ]] || { echo "FAIL: $readme: §17 row $row names missing $f"; fail=$((fail + 1)); }
  done
done
n=0
for c in "${cases[@]}"; do
  IFS='|' read -r file kernel sig defs <<<"$c"
  n=$((n + 1))
  for target in cpu sm_90 gfx942; do
    case $target in cpu) emit=obj ;; sm_90) emit=ptx ;; gfx942) emit=hsaco ;; esac
    opts=$defs
    [[ $target == gfx* ]] && opts=${opts/--num-warps 32/--num-warps 16}
    out="$tmp/case$n.$target.$emit"
    # shellcheck disable=SC2086  # opts holds several options
    if "$ligerc" "$root/tests/compat/$file" --kernel "$kernel" --target=$target --emit=$emit --signature "$sig" $opts -o "$out" 2>"$tmp/err"; then
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
