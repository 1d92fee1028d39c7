#!/usr/bin/env bash
# test_ops_kernels.sh — the Liger ops' kernels (kernels/*.py) compiled for the GPU targets
# with the constexprs, signatures and warps the ops launch them with on the anchors.md
# shapes (bf16, 4096-wide rows; the looped form; the partial sums). The CPU tests
# (test_ops_norm) run the same kernels; this catches what only a GPU lowering trips on.
# sm_90 PTX goes through ptxas when it exists (its register and spill counts are printed);
# gfx942 is linked to an hsaco.
#
#   test_ops_kernels.sh LIGERC REPO_ROOT
set -uo pipefail
ligerc=$1
root=$2
ptxas=$(command -v ptxas || true)
[[ -n $ptxas || ! -x /usr/local/cuda/bin/ptxas ]] || ptxas=/usr/local/cuda/bin/ptxas
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# file kernel warps signature constexprs...
check() {
  local file=$1 kernel=$2 warps=$3 sig=$4
  shift 4
  local defs=()
  for d in "$@"; do defs+=(-D "$d"); done
  local what="$kernel ${*} w$warps"
  if "$ligerc" "$root/kernels/$file" --kernel "$kernel" --target=sm_90 --emit=ptx --num-warps "$warps" \
       --signature "$sig" "${defs[@]}" -o "$tmp/k.ptx" 2> "$tmp/err"; then
    if [[ -n $ptxas ]]; then
      if "$ptxas" -arch=sm_90 -v "$tmp/k.ptx" -o "$tmp/k.cubin" 2> "$tmp/ptxas"; then
        echo "ok:   sm_90 $what: $(grep -o 'Used [0-9]* registers' "$tmp/ptxas"), $(grep -o '[0-9]* bytes spill stores' "$tmp/ptxas")"
      else
        echo "FAIL: ptxas on sm_90 $what:"; cat "$tmp/ptxas"; fails=$((fails + 1))
      fi
    else
      echo "ok:   sm_90 $what (no ptxas)"
    fi
  else
    echo "FAIL: sm_90 $what:"; cat "$tmp/err"; fails=$((fails + 1))
  fi
  local aw=$((warps > 16 ? 16 : warps)) # wave64: at most 16 warps, as op_num_warps caps them
  if "$ligerc" "$root/kernels/$file" --kernel "$kernel" --target=gfx942 --emit=hsaco --num-warps "$aw" \
       --signature "$sig" "${defs[@]}" -o "$tmp/k.hsaco" 2> "$tmp/err"; then
    echo "ok:   gfx942 $kernel ${*} w$aw"
  else
    echo "FAIL: gfx942 $kernel ${*} w$aw:"; cat "$tmp/err"; fails=$((fails + 1))
  fi
}

b='*bf16:16'
f='*fp32:16'
# RMSNorm (kernels/rms_norm.c): Y, y_stride, X, x_stride, W, RSTD, [n_rows,] n_cols, eps, offset
for mode in 0 1 -1; do
  check rms_norm.py rms_norm_fwd 8 "$b, i32:16, $b, i32:16, $b, $f, i32:16, i32:16, fp32, fp32" \
    MODE=$mode HAS_W=True BLOCK_M=1 BLOCK_N=4096
  check rms_norm.py rms_norm_bwd 16 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $f, $f, i32:16, i32:16, fp32" \
    MODE=$mode HAS_W=True BLOCK_M=1 BLOCK_N=4096 PREFETCH=True
done
check rms_norm.py rms_norm_bwd 32 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $f, $f, i32:16, i32:16, fp32" \
  MODE=0 HAS_W=True BLOCK_M=1 BLOCK_N=16384 PREFETCH=False
check rms_norm.py rms_norm_fwd 8 "$b, i32, $b, i32, $b, $b, i32, i32, fp32, fp32" MODE=-1 HAS_W=False BLOCK_M=32 BLOCK_N=128
check rms_norm.py rms_norm_fwd_looped 16 "$b, i32:16, $b, i32:16, $b, $f, i32:16, fp32, fp32" MODE=0 HAS_W=True BLOCK_N=8192
check rms_norm.py rms_norm_bwd_rowsum 16 "$f, $b, i32:16, $b, i32:16, $b, $f, i32:16, fp32" HAS_W=True BLOCK_N=8192
check rms_norm.py rms_norm_bwd_looped 16 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $f, $f, $f, i32, i32:16, fp32" \
  MODE=0 HAS_W=True BLOCK_N=8192
# LayerNorm (kernels/layer_norm.c)
check layer_norm.py layer_norm_fwd 8 "$b, i32:16, $b, i32:16, $b, $b, $b, $b, i32:16, i32:16, fp32" \
  HAS_W=True HAS_B=True BLOCK_M=1 BLOCK_N=4096
check layer_norm.py layer_norm_bwd 16 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $b, $b, $f, $f, i32:16, i32:16" \
  HAS_W=True HAS_B=True BLOCK_M=1 BLOCK_N=4096 PREFETCH=True
check layer_norm.py layer_norm_bwd 32 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $b, $b, $f, $f, i32:16, i32:16" \
  HAS_W=True HAS_B=True BLOCK_M=1 BLOCK_N=16384 PREFETCH=False
check layer_norm.py layer_norm_fwd_looped 16 "$b, i32:16, $b, i32:16, $b, $b, $f, $f, i32:16, fp32" \
  HAS_W=True HAS_B=True BLOCK_N=8192
check layer_norm.py layer_norm_bwd_rowsum 16 "$f, $b, i32:16, $b, i32:16, $b, $f, $f, i32:16" HAS_W=True BLOCK_N=8192
check layer_norm.py layer_norm_bwd_looped 16 "$b, i32:16, $b, i32:16, $b, i32:16, $b, $f, $f, $f, $f, $f, i32, i32:16" \
  HAS_W=True HAS_B=True BLOCK_N=8192
# the partial sums (kernels/op.c: op_sum_partials)
check sum_rows.py sum_rows 4 "$b, $f, i32, i32:16" BLOCK_P=64 BLOCK_N=32
# SwiGLU and GeGLU (kernels/glu.c): the flat form at the anchors.md shape (16384 x 14336), a
# flat range of odd length, and the rows form (the halves of a fused gate_up projection)
for act in 0 1; do # kernels/glu.py: ACT 0 SwiGLU, 1 GeGLU
  check glu.py glu_fwd_flat 8 "$b, $b, $b, i32:16" ACT=$act BLOCK=4096
  check glu.py glu_bwd_flat 8 "$b, $b, $b, $b, $b, i32:16" ACT=$act BLOCK=4096
  check glu.py glu_bwd_flat 8 "$f, $f, $f, $f, $f, i32" ACT=$act BLOCK=4096
  check glu.py glu_fwd_rows 8 "$b, i32:16, $b, i32:16, $b, i32:16, i32:16, i32:16" ACT=$act BLOCK_M=1 BLOCK_N=4096
  check glu.py glu_bwd_rows 8 "$b, i32:16, $b, i32:16, $b, i32:16, $b, i32:16, $b, i32:16, i32, i32" \
    ACT=$act BLOCK_M=8 BLOCK_N=512
done
# Softmax (kernels/softmax.c) at the anchors.md shape (16384 x 4096), short rows, the looped form
check softmax.py softmax_fwd 8 "$b, i32:16, $b, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check softmax.py softmax_bwd 16 "$b, i32:16, $b, i32:16, $b, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check softmax.py softmax_fwd 4 "$f, i32, $f, i32, i32, i32" BLOCK_M=128 BLOCK_N=32
check softmax.py softmax_fwd_looped 16 "$b, i32:16, $b, i32:16, i32:16" BLOCK_N=8192
check softmax.py softmax_bwd_looped 16 "$b, i32:16, $b, i32:16, $b, i32:16, i32:16" BLOCK_N=8192
# Sparsemax (kernels/sparsemax.c) at the bench shape (4096 x 4096 fp32), bf16, short rows,
# the longest tile row, the looped form
check sparsemax.py sparsemax_fwd 8 "$f, i32:16, $f, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check sparsemax.py sparsemax_bwd 16 "$f, i32:16, $f, i32:16, $f, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check sparsemax.py sparsemax_fwd 8 "$b, i32:16, $b, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check sparsemax.py sparsemax_bwd 16 "$b, i32:16, $b, i32:16, $b, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=4096
check sparsemax.py sparsemax_fwd 4 "$f, i32, $f, i32, i32, i32" BLOCK_M=128 BLOCK_N=32
check sparsemax.py sparsemax_fwd 32 "$f, i32:16, $f, i32:16, i32:16, i32:16" BLOCK_M=1 BLOCK_N=65536
check sparsemax.py sparsemax_fwd_looped 16 "$b, i32:16, $b, i32:16, i32:16" BLOCK_N=8192
check sparsemax.py sparsemax_bwd_looped 16 "$b, i32:16, $b, i32:16, $b, i32:16, i32:16" BLOCK_N=8192
# CrossEntropy (kernels/cross_entropy.c): every option off and on, the device-side counts,
# the reduction, and the in-place backward
i='*i64:16'
ce_sig="$b, i32:16, $i, $f, $f, $f, $f, i32:16, i32, fp32, fp32, fp32, fp32, fp32"
check cross_entropy.py cross_entropy_fwd 32 "$ce_sig" HAS_WEIGHT=False HAS_SMOOTHING=False HAS_Z=False \
  HAS_SOFTCAP=False MEAN=True SPLIT=True STORE_Z=True GRAD=True BLOCK=16384
check cross_entropy.py cross_entropy_fwd 32 "$ce_sig" HAS_WEIGHT=True HAS_SMOOTHING=True HAS_Z=True \
  HAS_SOFTCAP=True MEAN=True SPLIT=True STORE_Z=True GRAD=True BLOCK=8192
check cross_entropy.py cross_entropy_stats 4 "$f, $i, $f, i32, i32:16, i32" HAS_WEIGHT=True WEIGHT_SUM=True BLOCK=1024
check cross_entropy.py cross_entropy_reduce 4 "$b, $b, $f, $f, i32:16" MEAN=True STORE_Z=True BLOCK=1024
check cross_entropy.py cross_entropy_bwd 8 "$b, i32:16, $f, i32:16" PER_ROW=False BLOCK=4096
# RoPE (kernels/rope.c) at the anchors.md shape (q 32 heads, k 8, D 128, bf16, HF's BSHD
# view, cos batch 1: every mask dropped), and Liger's odd shape (73 / 213 heads, D 92) backward
rope_sig="$b, i32:16, i32:16, i32:16, $b, i32:16, i32:16, i32:16, $b, i32:16, i32:16, $b, i32:16, i32:16, i32:16"
check rope.py rope_rotate 8 "$rope_sig" N_QH=32 N_KH=8 HD=128 PAD_HALF=64 BLOCK_QH=32 BLOCK_KH=8 Q_EVEN=True \
  K_EVEN=True BACKWARD=False
check rope.py rope_rotate 8 "$f, i32, i32:16, i32, $f, i32, i32:16, i32, $f, i32, i32, $f, i32, i32, i32" N_QH=73 \
  N_KH=213 HD=92 PAD_HALF=64 BLOCK_QH=32 BLOCK_KH=32 Q_EVEN=False K_EVEN=False BACKWARD=True

# KL divergence and JSD (kernels/kl_div.c, kernels/jsd.c) at the anchors.md shape (4096 x
# 128256 fp32: 4096-element chunks at 8 warps), bf16 rows (n_cols divisible by 16, as 128256 is: 128-bit accesses), and the one-program reductions
check kl_div.py kl_div_fwd 8 "$f, i32:16, $f, i32:16, $f, i32, i32:16, fp32" LOG_TARGET=False NONE=False BLOCK=4096
check kl_div.py kl_div_fwd 8 "$b, i32:16, $b, i32:16, $f, i32:16, i32:16, fp32" LOG_TARGET=True NONE=True BLOCK=4096
check kl_div.py kl_div_reduce 4 "$f, $f, i32:16, fp32" BLOCK=1024
check kl_div.py kl_div_bwd 8 "$f, i32:16, $f, i32:16, $b, i32, i32:16, fp32" LOG_TARGET=False HAS_G=True G_FULL=False BLOCK=4096
check kl_div.py kl_div_bwd 8 "$b, i32:16, $b, i32:16, $f, i32:16, i32:16, fp32" LOG_TARGET=True HAS_G=True G_FULL=True BLOCK=4096
jsd_sig="$f, i32:16, $f, i32:16, $f, i32:16, $f, $i, $f, i32:16, i32, fp32, fp32"
for mode in 0 1 2; do
  check jsd.py jsd_fwd 8 "$jsd_sig" MODE=$mode HAS_LABEL=True GRAD=True BLOCK=4096
done
check jsd.py jsd_fwd 8 "$b, i32:16, $b, i32:16, $b, i32:16, $f, $i, $f, i32:16, i32, fp32, fp32" MODE=0 HAS_LABEL=False \
  GRAD=False BLOCK=4096
check jsd.py jsd_stats 4 "$f, $i, i32, i32" BLOCK=1024
check jsd.py jsd_reduce 4 "$f, $f, $f, i32:16, fp32" HAS_LABEL=True BLOCK=1024
check jsd.py jsd_bwd 8 "$f, i32:16, $f, i32:16" BLOCK=4096

# Embedding (kernels/embedding.c) at the anchors.md shape (V 128256, D 4096 bf16, 8192 ids:
# [4, 1024] tiles), int32 ids, an odd width (masked columns), fp32 dw (DIRECT), the tables
e_sig="$b, i32:16, $b, i32:16, *i64:16, i32:16, i32, i32:16, i32"
check embedding.py embedding_fwd 4 "$e_sig" BLOCK_M=4 BLOCK_D=1024 EVEN_D=True
check embedding.py embedding_fwd 4 "$f, i32, $f, i32, *i32:16, i32, i32, i32, i32" BLOCK_M=16 BLOCK_D=64 EVEN_D=False
check embedding.py embedding_zero 4 "$b, i32:16, i32, i32:16" BLOCK_M=4 BLOCK_D=1024 EVEN_D=True
check embedding.py embedding_fill 4 "*i32:16, *i32:16, i32" BLOCK=1024
check embedding.py embedding_count 4 "*i64:16, *i32:16, *i32:16, i32:16, i32, i32" BLOCK=1024
for phase in 0 1 2; do
  for acc in True False; do
    check embedding.py embedding_bwd 4 "$b, i32:16, $b, i32:16, $f, *i64:16, *i32:16, *i32:16, i32:16, i32, i32:16, i32" \
      PHASE=$phase ACCUMULATE=$acc DIRECT=False BLOCK_M=4 BLOCK_D=1024 EVEN_D=True
  done
done
for phase in 0 1; do
  check embedding.py embedding_bwd 4 "$f, i32, $f, i32, $f, *i32:16, *i32:16, *i32:16, i32, i32, i32, i32" \
    PHASE=$phase ACCUMULATE=True DIRECT=True BLOCK_M=16 BLOCK_D=64 EVEN_D=False
done

if ((fails)); then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all checks passed"
