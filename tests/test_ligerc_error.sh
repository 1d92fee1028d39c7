#!/usr/bin/env bash
# test_ligerc_error.sh — ligerc on a kernel with a syntax error (tests/data/bad_syntax.py)
# must exit with status 1 and print on stderr `bad_syntax.py:9:31: error: ...`, the source
# line and a caret under column 31.
#
#   test_ligerc_error.sh LIGERC BAD_SYNTAX.py
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LIGERC BAD_SYNTAX.py" >&2
  exit 2
fi
ligerc=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

echo "+ $ligerc $src --emit=tir -D BLOCK=1024 -o -"
set +e
"$ligerc" "$src" --emit=tir -D BLOCK=1024 -o - >"$tmp/out" 2>"$tmp/err"
status=$?
set -e
echo "--- stderr"
cat "$tmp/err"
echo "---"

if [[ $status -eq 1 ]]; then
  echo "ok:   exit status 1"
else
  echo "FAIL: exit status $status, want 1"
  fail=1
fi
if grep -q 'bad_syntax\.py:9:31: error:' "$tmp/err"; then
  echo "ok:   stderr has bad_syntax.py:9:31: error:"
else
  echo "FAIL: stderr lacks bad_syntax.py:9:31: error:"
  fail=1
fi
# The caret line: blanks, then '^' under column 31 of the source line printed above it
# (which may carry a prefix of its own, so the column is counted from where the code starts).
line=$(grep -n 'bad_syntax\.py:9:31:' "$tmp/err" | head -1 | cut -d: -f1 || true)
code=$(sed -n 9p "$src")
printed="" caret=""
if [[ -n $line ]]; then
  printed=$(sed -n "$((line + 1))p" "$tmp/err")
  caret=$(sed -n "$((line + 2))p" "$tmp/err")
fi
if [[ -n $printed && $printed == *"$code"* && $caret =~ ^([[:space:]]*)\^$ ]]; then
  prefix=${printed%%"$code"*}
  want=$((${#prefix} + 30))
  if [[ ${#BASH_REMATCH[1]} -eq $want ]]; then
    echo "ok:   the source line, and a caret under column 31"
  else
    echo "FAIL: the caret is at offset ${#BASH_REMATCH[1]} of its line, want $want"
    fail=1
  fi
else
  echo "FAIL: no source line 9 and caret line after the message"
  fail=1
fi
if [[ -s $tmp/out ]]; then
  echo "FAIL: something was written to the output despite the error"
  fail=1
fi
exit $fail
