#!/usr/bin/env bash
# test_prewarm.sh — liger-tune prewarm without a GPU (docs/cache.md, "Pre-warming"): the
# whole op suite for sm_90 and gfx942 at the anchors.md shapes (tests/data/prewarm_anchors.shapes)
# into an empty cache, timed; a second run must compile nothing (every variant a cache hit);
# a damaged entry must be rejected and rebuilt by the next run; bad arguments are refused.
# The full default set (every shape of liger-bench --ops's sweep, fp32/bf16/fp16) takes
# several minutes on 2 cores, so CTest runs this representative subset (docs/cli.md has both
# times).
#
#   test_prewarm.sh LIGER_TUNE SHAPES_FILE
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIGER_TUNE SHAPES_FILE" >&2
  exit 2
fi
tool=$1
shapes=$2
tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
cache=$tmp/cache
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# prewarm ARGS...: runs it, summary in $out, stderr in $err, status in $rc
prewarm() {
  echo "+ liger-tune prewarm $*"
  "$tool" prewarm "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
  echo "$out"
}
# column NAME TARGET: a number of the summary table
column() {
  awk -v col="$1" -v t="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } $1 == t { print $c }' "$tmp/out"
}

ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)
prewarm --targets sm_90,gfx942 --shapes "$shapes" --cache-dir "$cache" --quiet
t=$(($(ms) - start))
echo "first prewarm (empty cache): $((t / 1000)).$(printf %03d $((t % 1000))) s"
if [[ $rc -eq 0 ]]; then ok "first prewarm succeeds"; else bad "first prewarm: status $rc: $err"; fi
for t in sm_90 gfx942; do
  c=$(column COMPILED $t)
  f=$(column FAILURES $t)
  if [[ -n $c && $c -gt 0 && $f -eq 0 ]]; then ok "$t: $c variants compiled, no failures"; else bad "$t: compiled '$c', failures '$f'"; fi
done
entries=$(find "$cache" -name '*.bin' | wc -l)
total=$(($(column COMPILED sm_90) + $(column COMPILED gfx942)))
if [[ $entries -eq $total ]]; then ok "the cache holds one entry per compiled variant ($entries)"; else bad "$entries entries for $total compiled"; fi

start=$(ms)
prewarm --targets sm_90,gfx942 --shapes "$shapes" --cache-dir "$cache" --quiet
t=$(($(ms) - start))
echo "second prewarm (warm cache): $((t / 1000)).$(printf %03d $((t % 1000))) s"
for t in sm_90 gfx942; do
  c=$(column COMPILED $t)
  h=$(column CACHE_HITS $t)
  if [[ $rc -eq 0 && $c -eq 0 && $h -gt 0 ]]; then ok "$t again: 0 compiled, $h cache hits"; else bad "$t again: status $rc, compiled '$c', hits '$h'"; fi
done

# damage one entry's payload: the next run must reject it and build it again
victim=$(find "$cache" -name '*.bin' | sort | head -1)
size=$(stat -c %s "$victim")
printf '\xff\xfe' | dd of="$victim" bs=1 seek=$((size - 8)) conv=notrunc status=none
export LIGER_DEBUG=cache
prewarm --targets sm_90,gfx942 --shapes "$shapes" --cache-dir "$cache" --quiet
unset LIGER_DEBUG
total=$(($(column COMPILED sm_90) + $(column COMPILED gfx942)))
if [[ $rc -eq 0 && $total -eq 1 ]]; then ok "a damaged entry is rebuilt (1 compiled)"; else bad "damaged entry: status $rc, $total compiled"; fi
if grep -q "rejected .*checksum mismatch" <<<"$err"; then ok "and reported as rejected"; else bad "no rejection reported: $err"; fi
if cmp -s <(find "$cache" -name '*.bin' | wc -l) <(echo "$entries"); then ok "still $entries entries"; else bad "entry count changed"; fi

# refusals
prewarm --targets sm_90 --ops rms_norm,nonsense --cache-dir "$cache" --quiet
if [[ $rc -eq 2 && $err == *"unknown op 'nonsense'"* ]]; then ok "an unknown op is refused"; else bad "unknown op: status $rc: $err"; fi
prewarm --targets sm_99 --ops softmax --cache-dir "$cache" --quiet
if [[ $rc -ne 0 && $err == *"unknown target 'sm_99'"* ]]; then ok "an unknown target is refused"; else bad "unknown target: status $rc: $err"; fi
printf 'rms_norm 16x\n' >"$tmp/bad.shapes"
prewarm --targets sm_90 --shapes "$tmp/bad.shapes" --cache-dir "$cache" --quiet
if [[ $rc -ne 0 && $err == *"bad.shapes:1: bad dimensions"* ]]; then ok "a bad shapes file is refused with file:line"; else bad "bad shapes: status $rc: $err"; fi
prewarm --targets sm_90 --tune --ops softmax --cache-dir "$cache" --quiet
if [[ $rc -ne 0 && $err == *"offline target"* ]]; then ok "--tune refuses an offline target (no device to time on)"; else bad "--tune: status $rc: $err"; fi
prewarm --ops softmax
if [[ $rc -eq 2 ]]; then ok "--targets is required"; else bad "no --targets: status $rc"; fi

if [[ $fail -eq 0 ]]; then echo "all checks passed"; fi
exit $fail
