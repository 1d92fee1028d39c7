#!/usr/bin/env bash
# run_golden.sh — `ligerc --emit=tir` of a kernel against its golden file in tests/golden/.
#
#   run_golden.sh [--update] LIGERC KERNEL.py GOLDEN.tir SIGNATURE
#
# Compiles KERNEL.py with -D BLOCK=1024 and the given --signature, twice (the output must be
# deterministic), and diffs it with GOLDEN.tir; on a mismatch the diff is printed and the
# exit status is 1. An empty golden file is a placeholder not generated yet: the output is
# shown and the test is skipped (77). --update writes the output into GOLDEN.tir — check it
# by hand before committing.
set -euo pipefail

update=0
if [[ ${1:-} == --update ]]; then
  update=1
  shift
fi
if [[ $# -ne 4 ]]; then
  echo "usage: $0 [--update] LIGERC KERNEL.py GOLDEN.tir SIGNATURE" >&2
  exit 2
fi
ligerc=$1 kernel=$2 golden=$3 sig=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for run in 1 2; do
  echo "+ $ligerc $kernel --emit=tir -D BLOCK=1024 --signature \"$sig\" -o -"
  if ! "$ligerc" "$kernel" --emit=tir -D BLOCK=1024 --signature "$sig" -o - >"$tmp/out$run.tir" 2>"$tmp/err"; then
    echo "FAIL: ligerc failed:"
    cat "$tmp/err"
    exit 1
  fi
done
if ! cmp -s "$tmp/out1.tir" "$tmp/out2.tir"; then
  echo "FAIL: two runs gave different output:"
  diff -u "$tmp/out1.tir" "$tmp/out2.tir" || true
  exit 1
fi
if [[ ! -s $tmp/out1.tir ]]; then
  echo "FAIL: ligerc wrote nothing"
  exit 1
fi

if ((update)); then
  cp "$tmp/out1.tir" "$golden"
  echo "updated $golden ($(wc -l <"$golden") lines)"
  exit 0
fi
if [[ ! -s $golden ]]; then
  echo "SKIP: $golden is an empty placeholder; this is the output to check and record with"
  echo "      $0 --update $*"
  cat "$tmp/out1.tir"
  exit 77
fi
if diff -u --label "$golden (golden)" --label "ligerc output" "$golden" "$tmp/out1.tir"; then
  echo "ok:   $(basename "$kernel") tile IR matches $(basename "$golden")"
else
  echo "FAIL: tile IR differs from $golden (diff above; if the change is intended, rerun with --update)"
  exit 1
fi
