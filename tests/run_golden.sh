#!/usr/bin/env bash
# run_golden.sh — `ligerc --emit=tir` of a kernel against its golden file in tests/golden/.
#
#   run_golden.sh [--update] LIGERC REPO NAME     check (or rewrite) tests/golden/NAME.tir
#   run_golden.sh --update-all LIGERC REPO        rewrite every golden file
#
# tests/golden/manifest.txt has a line per golden file: NAME, the kernel file (from the
# repository root REPO) and the ligerc arguments. The kernel is compiled twice (the output
# must be deterministic) and diffed with NAME.tir; on a mismatch the diff is printed and the
# exit status is 1. An empty or missing golden file is a placeholder not generated yet: the
# output is shown and the test is skipped (77). --update writes the output into NAME.tir —
# check it by hand before committing.
set -euo pipefail

mode=check
case ${1:-} in
--update) mode=update; shift ;;
--update-all) mode=all; shift ;;
esac
if [[ ($mode == all && $# -ne 2) || ($mode != all && $# -ne 3) ]]; then
  echo "usage: $0 [--update] LIGERC REPO NAME | $0 --update-all LIGERC REPO" >&2
  exit 2
fi
ligerc=$1 repo=$2
manifest=$repo/tests/golden/manifest.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_one NAME KERNEL ARGS...: compile, compare or update; returns the test's status
check_one() {
  local name=$1 kernel=$repo/$2
  shift 2
  local golden=$repo/tests/golden/$name.tir
  local run
  for run in 1 2; do
    echo "+ $ligerc $kernel --emit=tir $* -o -"
    if ! "$ligerc" "$kernel" --emit=tir "$@" -o - >"$tmp/out$run.tir" 2>"$tmp/err"; then
      echo "FAIL: ligerc failed:"
      cat "$tmp/err"
      return 1
    fi
  done
  if ! cmp -s "$tmp/out1.tir" "$tmp/out2.tir"; then
    echo "FAIL: two runs gave different output:"
    diff -u "$tmp/out1.tir" "$tmp/out2.tir" || true
    return 1
  fi
  if [[ ! -s $tmp/out1.tir ]]; then
    echo "FAIL: ligerc wrote nothing"
    return 1
  fi
  if [[ $mode != check ]]; then
    cp "$tmp/out1.tir" "$golden"
    echo "updated $golden ($(wc -l <"$golden") lines)"
    return 0
  fi
  if [[ ! -s $golden ]]; then
    echo "SKIP: $golden is missing or empty; this is the output to check and record with"
    echo "      $0 --update $ligerc $repo $name"
    cat "$tmp/out1.tir"
    return 77
  fi
  if diff -u --label "$golden (golden)" --label "ligerc output" "$golden" "$tmp/out1.tir"; then
    echo "ok:   $(basename "$kernel") tile IR matches $(basename "$golden")"
  else
    echo "FAIL: tile IR differs from $golden (diff above; if the change is intended, rerun with --update)"
    return 1
  fi
}

found=0 status=0
while read -r name kernel args; do
  [[ -z $name || $name == \#* ]] && continue
  [[ $mode != all && $name != "${3:-}" ]] && continue
  found=1
  read -r -a argv <<<"$args"
  check_one "$name" "$kernel" "${argv[@]}" || { s=$?; ((s > status)) && status=$s; }
done <"$manifest"
if ((!found)); then
  echo "FAIL: no line '${3:-}' in $manifest"
  exit 1
fi
exit $status
