#!/usr/bin/env bash
# test_ptx_features.sh — PTX for sm_90 carries what the kernel asked for: cache modifiers and
# eviction hints as ld/st qualifiers (tests/kernels/cache_hints.py), warp shuffles and
# barriers for reductions (kernels/examples/softmax.py), atomics (tests/kernels/lang.py),
# hints, device_print and device_assert (tests/kernels/debug.py), fp32 division with and without
# IEEE rounding (tests/kernels/promotion.py); and nothing it did not ask
# for: 2-D tiles without layout conversions (tests/kernels/layouts.py). PTX for sm_80 and
# sm_90a names its target. ptxas must accept every file when it is installed.
#
#   test_ptx_features.sh LIGERC REPO_ROOT
set -euo pipefail
ligerc=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

emit() { # out, kernel file, extra args...
  local out=$1 file=$2
  shift 2
  if ! "$ligerc" "$file" --target=sm_90 --emit=ptx -o "$tmp/$out" "$@" 2>"$tmp/err"; then
    echo "FAIL: ligerc $file $*:"
    cat "$tmp/err"
    exit 1
  fi
  if [[ -x /usr/local/cuda/bin/ptxas ]]; then
    if /usr/local/cuda/bin/ptxas -arch=sm_90 "$tmp/$out" -o /dev/null 2>"$tmp/err"; then
      echo "ok:   ptxas accepts $out"
    else
      echo "FAIL: ptxas rejects $out:"
      cat "$tmp/err"
      fail=1
    fi
  fi
}
check() { # file, description, regex
  if grep -Eq "$3" "$tmp/$1"; then echo "ok:   $2"; else
    echo "FAIL: $2: nothing in $1 matches /$3/"
    fail=1
  fi
}

emit hints.ptx "$root/tests/kernels/cache_hints.py" -D BLOCK=1024 --signature "*bf16:16,*bf16:16,*bf16:16,i32:16"
check hints.ptx "cache_modifier='.cg' load" 'ld\.global\.cg\.v4\.b32'
check hints.ptx "evict_last load" 'ld\.global\.L1::evict_last\.v4\.b32'
check hints.ptx "cache_modifier='.cs' store" 'st\.global\.cs\.v4\.b32'
check hints.ptx "evict_first store" 'st\.global\.L1::evict_first\.v4\.b32'
emit volatile.ptx "$root/tests/kernels/cache_hints.py" --kernel cache_volatile_kernel -D BLOCK=1024 --signature "*bf16:16,*bf16:16,*bf16:16,i32:16"
check volatile.ptx "cache_modifier='.cv' load" 'ld\.global\.cv\.v4\.b32'
check volatile.ptx "volatile=True load" 'ld\.volatile\.global\.v4\.b32'
check volatile.ptx "cache_modifier='.wt' store" 'st\.global\.wt\.v4\.b32'

emit softmax.ptx "$root/kernels/examples/softmax.py" -D BLOCK=4096 --num-warps 8 --signature "*fp32:16,*fp32:16,i32,i32,i32:16"
check softmax.ptx "warp shuffles in the reductions" 'shfl\.sync\.bfly\.b32'
check softmax.ptx "barriers between warps" 'bar\.sync|barrier\.sync'
check softmax.ptx "libdevice exp inlined (no calls left)" 'ex2\.approx'
if grep -q 'call' "$tmp/softmax.ptx"; then echo "FAIL: a call remains in softmax.ptx"; fail=1; fi

emit atomics.ptx "$root/tests/kernels/lang.py" --kernel histogram_kernel -D BLOCK=128 --signature "*i32:16,*i32:16,i32"
check atomics.ptx "atomic add" '(atom|red)\.[a-z.]*add'

emit math.ptx "$root/tests/kernels/math.py" -D BLOCK=256 --signature "*fp32:16,*fp32:16,i32"
if grep -q 'call' "$tmp/math.ptx"; then echo "FAIL: libdevice calls remain in math.ptx"; fail=1; else echo "ok:   libdevice math is inlined for sm_90"; fi

# fp32 division as Triton lowers it: `/` and tl.fdiv are div.full.f32, tl.div_rn and
# tl.fdiv(ieee_rounding=True) are IEEE (div.rn.f32)
emit division.ptx "$root/tests/kernels/promotion.py" --kernel division_kernel -D BLOCK=256 --signature "*fp32:16,*fp32:16,*fp32:16,i32"
check division.ptx "x / y on fp32 is div.full.f32" 'div\.full\.f32'
check division.ptx "tl.div_rn is div.rn.f32" 'div\.rn\.f32'
if [[ $(grep -c 'div\.full\.f32' "$tmp/division.ptx") -lt 2 || $(grep -c 'div\.rn\.f32' "$tmp/division.ptx") -lt 2 ]]; then
  echo "FAIL: division.ptx: want two div.full.f32 (/, fdiv) and two div.rn.f32 (div_rn, fdiv ieee)"; fail=1
else echo "ok:   two divisions of each kind"; fi

# tl.multiple_of / tl.max_contiguous on a runtime start: the only reason these accesses may be 128-bit
emit hinted.ptx "$root/tests/kernels/debug.py" --kernel hinted_copy_kernel -D BLOCK=1024 --signature "*fp32:16,*fp32:16,i32:16,i32"
check hinted.ptx "multiple_of/max_contiguous hints give 128-bit accesses" 'ld\.global\.v4\.b32'
emit print.ptx "$root/tests/kernels/debug.py" --kernel print_kernel -D BLOCK=256 --signature "*fp32:16,i32"
check print.ptx "device_print calls vprintf" 'vprintf'
emit assert.ptx "$root/tests/kernels/debug.py" --kernel assert_kernel -D BLOCK=256 --signature "*i32:16,i32,i32"
check assert.ptx "device_assert in a debug=True kernel calls __assertfail" '__assertfail'

# 2-D pointer tiles (base + rows[:, None] * stride + cols[None, :], 1-D rows broadcast over
# them): their index vectors are built in slices of the tile's layout, so no tile changes
# layout: no barrier and no shared memory, for any num_warps
for nw in 1 4 32; do
  emit copy2d_$nw.ptx "$root/tests/kernels/layouts.py" --kernel copy2d_kernel -D BM=32 -D BN=64 --num-warps $nw \
    --signature "*fp32:16,*fp32:16,i32,i32:16,i32:16,i32:16"
  emit rope_$nw.ptx "$root/tests/kernels/layouts.py" --kernel rope_kernel -D HD=128 -D BT=16 --num-warps $nw \
    --signature "*bf16:16,*bf16:16,*bf16:16,*bf16:16,i32"
  emit scale2d_$nw.ptx "$root/tests/kernels/layouts.py" --kernel scale2d_kernel -D BM=16 -D BN=256 --num-warps $nw \
    --signature "*fp16:16,*fp16:16,*fp16:16,*fp16:16,i32,i32:16"
  emit two_tiles_$nw.ptx "$root/tests/kernels/layouts.py" --kernel two_tiles_kernel -D NQ=32 -D NK=8 -D D=64 \
    --num-warps $nw --signature "*bf16:16,*bf16:16,*bf16:16"
  for k in copy2d rope scale2d two_tiles; do
    if grep -Eq 'bar\.sync|barrier|\.shared' "$tmp/${k}_$nw.ptx"; then
      echo "FAIL: ${k}_kernel num_warps=$nw converts a layout (barrier or shared memory in its PTX)"
      fail=1
    else
      echo "ok:   ${k}_kernel num_warps=$nw: no layout conversion"
    fi
  done
done
check copy2d_4.ptx "2-D copy with 16-divisible strides: 128-bit loads" 'ld\.global\.v4\.b32'
check copy2d_4.ptx "2-D copy with 16-divisible strides: 128-bit stores" 'st\.global\.v4\.b32'

# the other NVIDIA targets: PTX that names them (sm_90a: arch-specific), accepted by ptxas
for arch in sm_80 sm_90a; do
  if ! "$ligerc" "$root/kernels/examples/softmax.py" --target=$arch --emit=ptx -D BLOCK=1024 \
      --signature "*fp32:16,*fp32:16,i32:16,i32:16,i32" -o "$tmp/softmax_$arch.ptx" 2>"$tmp/err"; then
    echo "FAIL: softmax.py for $arch:"
    cat "$tmp/err"
    fail=1
    continue
  fi
  check softmax_$arch.ptx "PTX for $arch says .target $arch" "^\.target $arch\$"
  if [[ -x /usr/local/cuda/bin/ptxas ]]; then
    if /usr/local/cuda/bin/ptxas -arch=$arch "$tmp/softmax_$arch.ptx" -o /dev/null 2>"$tmp/err"; then
      echo "ok:   ptxas -arch=$arch accepts softmax_$arch.ptx"
    else
      echo "FAIL: ptxas -arch=$arch rejects softmax_$arch.ptx:"
      cat "$tmp/err"
      fail=1
    fi
  fi
done

# 2-D tiles: rows start 16-byte aligned only when the row stride says so (specialisation :16)
emit block2d_odd.ptx "$root/tests/kernels/lang.py" --kernel block2d_kernel -D BM=16 -D BN=16 --signature "*fp32:16,*fp32:16,*fp32:16,i32,i32:16,i32"
if grep -q 'ld\.global\.v' "$tmp/block2d_odd.ptx"; then echo "FAIL: a row stride of unknown alignment gave vector loads"; fail=1; else echo "ok:   unaligned row stride: scalar loads"; fi
emit block2d_16.ptx "$root/tests/kernels/lang.py" --kernel block2d_kernel -D BM=16 -D BN=16 --signature "*fp32:16,*fp32:16,*fp32:16,i32,i32:16,i32:16"
check block2d_16.ptx "row stride divisible by 16: vector loads" 'ld\.global\.v[24]\.b32'

# AMD: ocml is linked in and nothing stays undefined in the code object
readelf=$(command -v llvm-readelf-22 || command -v llvm-readelf || true)
for arch in gfx942 gfx1100; do
  if ! "$ligerc" "$root/tests/kernels/math.py" --target=$arch -D BLOCK=256 --signature "*fp32:16,*fp32:16,i32" -o "$tmp/math_$arch.hsaco" 2>"$tmp/err"; then
    echo "FAIL: math.py for $arch:"
    cat "$tmp/err"
    fail=1
    continue
  fi
  if [[ -n $readelf ]]; then
    und=$("$readelf" -s "$tmp/math_$arch.hsaco" | awk '$7 == "UND" && $8 != "" {print $8}')
    if [[ -n $und ]]; then echo "FAIL: $arch code object has undefined symbols: $und"; fail=1; else echo "ok:   $arch: tanh/erf/rsqrt from ocml, no undefined symbols"; fi
  fi
done

exit $fail
