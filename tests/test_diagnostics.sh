#!/usr/bin/env bash
# test_diagnostics.sh — the front end's error tests: every tests/errors/*.py is compiled with
# ligerc and must fail with exactly the errors its comments announce.
#
#   test_diagnostics.sh LIGERC DIR            run every DIR/*.py; exit 1 if any fails
#   test_diagnostics.sh --expect-fail LIGERC DIR
#                                             run every DIR/*.py; each must FAIL (this checks
#                                             the runner itself on files whose expectations
#                                             are wrong on purpose)
#
# Directives, one per comment line, anywhere in a test file:
#
#   # args: --target=cpu -D BLOCK=16         ligerc arguments (default: --emit=tir)
#   # input: missing.py                      compile this path (relative to the test's folder)
#                                             instead of the test file itself; `# input: -`
#                                             gives ligerc no input file
#   # exit: 2                                the exit status ligerc must return (default 1)
#   # expect: 7:12: error: TEXT              an error at line 7, column 12 of the test file
#                                             whose message contains TEXT
#   # expect: NAME:1:1: error: TEXT          the same in another source (e.g. `<constexpr B>`)
#   # expect: error: TEXT                    an error without a line (about the whole file)
#   # hint: TEXT                             the error above is followed by a hint containing TEXT
#   # note: TEXT                             ... and by a note containing TEXT (an inlined
#                                             helper's caller)
#   # expect-text: TEXT                      a line of stderr without a location contains TEXT
#
# The errors on stderr must be exactly the `expect` lines, in that order: no error may be
# missing, and none may be extra (an error that repeats or follows from another one is a
# cascade, and fails the test). Each located error must be followed by its source line and a
# caret under its column. ligerc must not crash (no signal, no sanitizer report) and must
# write nothing to stdout.
set -uo pipefail

expect_fail=0
if [[ ${1:-} == --expect-fail ]]; then
  expect_fail=1
  shift
fi
if [[ $# -ne 2 ]]; then
  echo "usage: $0 [--expect-fail] LIGERC DIR" >&2
  exit 2
fi
ligerc=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

problems=() # the mismatches of the test being checked

fail() { problems+=("$1"); }

# Checks one test file; fills `problems`.
check_file() {
  local file=$1
  local args="--emit=tir" input=$file want_exit=1
  local -a expects=() hints=() notes=() texts=()
  local line
  while IFS= read -r line; do
    case $line in
    "# args: "*) args=${line#"# args: "} ;;
    "# input: -") input="" ;;
    "# input: "*) input=$(dirname "$file")/${line#"# input: "} ;;
    "# exit: "*) want_exit=${line#"# exit: "} ;;
    "# expect: "*)
      expects+=("${line#"# expect: "}")
      hints+=("")
      notes+=("")
      ;;
    "# hint: "*)
      if ((${#expects[@]} == 0)); then
        fail "'# hint:' before any '# expect:'"
      else
        hints[${#expects[@]} - 1]=${line#"# hint: "}
      fi
      ;;
    "# note: "*)
      if ((${#expects[@]} == 0)); then
        fail "'# note:' before any '# expect:'"
      else
        notes[${#expects[@]} - 1]=${line#"# note: "}
      fi
      ;;
    "# expect-text: "*) texts+=("${line#"# expect-text: "}") ;;
    esac
  done <"$file"
  if ((${#expects[@]} + ${#texts[@]} == 0)); then
    fail "no '# expect:' or '# expect-text:' line"
    return
  fi

  local -a argv
  read -r -a argv <<<"$args"
  [[ -n $input ]] && argv=("$input" -o - "${argv[@]}")
  "$ligerc" "${argv[@]}" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  if ((status >= 128)); then
    fail "ligerc died with signal $((status - 128))"
  elif [[ $status -ne $want_exit ]]; then
    fail "ligerc exited with $status, want $want_exit"
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/err"; then
    fail "a sanitizer reported a bug"
  fi
  if [[ -s $tmp/out ]]; then
    fail "ligerc wrote to stdout despite the error"
  fi

  local -a err
  mapfile -t err <"$tmp/err"
  # the error headers, in order: unindented lines with ": error: "
  local -a heads=()
  local i
  for ((i = 0; i < ${#err[@]}; i++)); do
    [[ ${err[i]} == [!\ ]*": error: "* ]] && heads+=("$i")
  done

  local n=${#expects[@]} k
  for ((k = 0; k < n || k < ${#heads[@]}; k++)); do
    if ((k >= n)); then
      fail "unexpected error: ${err[heads[k]]}"
      continue
    fi
    local e=${expects[k]}
    if ((k >= ${#heads[@]})); then
      fail "missing error: $e"
      continue
    fi
    local at=${heads[k]} got=${err[heads[k]]}
    if [[ $e == "error: "* ]]; then
      # no line: `FILE: error: TEXT` (or `error: TEXT`), with no source line or caret
      if [[ ($got != "$input: error: "* && $got != "error: "*) || $got != *"${e#error: }"* ]]; then
        fail "error $((k + 1)): want '$input: $e', got '$got'"
      elif [[ -n ${hints[k]} && (${err[at + 1]:-} != "  hint: "* || ${err[at + 1]:-} != *"${hints[k]}"*) ]]; then
        fail "error $((k + 1)): no hint containing '${hints[k]}' (next line: '${err[at + 1]:-}')"
      fi
      continue
    fi
    if [[ ! $e =~ ^((.*):)?([0-9]+):([0-9]+):\ error:\ (.*)$ ]]; then
      fail "bad expectation (want [NAME:]LINE:COL: error: TEXT): $e"
      continue
    fi
    local src=${BASH_REMATCH[2]:-$input} ln=${BASH_REMATCH[3]} col=${BASH_REMATCH[4]} text=${BASH_REMATCH[5]}
    local prefix="$src:$ln:$col: error: "
    if [[ $got != "$prefix"* ]]; then
      fail "error $((k + 1)): want '$prefix...', got '$got'"
      continue
    fi
    if [[ $got != *"$text"* ]]; then
      fail "error $((k + 1)): message lacks '$text': $got"
    fi
    # the source line (when the source is the test file), then the caret under the column
    local shown=${err[at + 1]:-} caret=${err[at + 2]:-} code=""
    if [[ -z ${BASH_REMATCH[2]} ]]; then
      code=$(sed -n "${ln}p" "$input")
      if [[ $shown != "  $code" ]]; then
        fail "error $((k + 1)) at $ln:$col: the next line is not source line $ln: '$shown'"
      fi
    else
      code=${shown#  }
    fi
    local want_off=$((col - 1))
    ((want_off > ${#code})) && want_off=${#code}
    if [[ ! $caret =~ ^\ \ ([[:blank:]]*)\^$ ]]; then
      fail "error $((k + 1)) at $ln:$col: no caret line after the source line: '$caret'"
    elif ((${#BASH_REMATCH[1]} != want_off)); then
      fail "error $((k + 1)) at $ln:$col: the caret is under column $((${#BASH_REMATCH[1]} + 1))"
    fi
    if [[ -n ${hints[k]} ]]; then
      local h=${err[at + 3]:-}
      if [[ $h != "  hint: "* || $h != *"${hints[k]}"* ]]; then
        fail "error $((k + 1)) at $ln:$col: no hint containing '${hints[k]}' (next line: '$h')"
      fi
    fi
    if [[ -n ${notes[k]} ]]; then
      local j=$((at + 3)) found_note=0
      while ((j < ${#err[@]})) && [[ ${err[j]} == "  "* ]]; do
        [[ ${err[j]} == "  note: "*"${notes[k]}"* ]] && found_note=1
        j=$((j + 1))
      done
      ((found_note)) || fail "error $((k + 1)) at $ln:$col: no note containing '${notes[k]}'"
    fi
  done

  local t from=0 found
  for t in "${texts[@]}"; do
    found=0
    for ((i = from; i < ${#err[@]}; i++)); do
      if [[ ${err[i]} == *"$t"* ]]; then
        found=1
        from=$((i + 1))
        break
      fi
    done
    ((found)) || fail "stderr lacks a line with '$t' (after the lines matched before)"
  done
}

shopt -s nullglob
files=("$dir"/*.py)
if ((${#files[@]} == 0)); then
  echo "FAIL: no test files in $dir"
  exit 1
fi
npass=0 nfail=0
for f in "${files[@]}"; do
  problems=()
  check_file "$f"
  name=$(basename "$f")
  if ((${#problems[@]} == 0)); then
    if ((expect_fail)); then
      echo "FAIL: $name passed, but its expectations are wrong on purpose"
      nfail=$((nfail + 1))
    else
      echo "ok:   $name"
      npass=$((npass + 1))
    fi
  else
    if ((expect_fail)); then
      echo "ok:   $name is reported: ${problems[0]}"
      npass=$((npass + 1))
    else
      echo "FAIL: $name"
      printf '      %s\n' "${problems[@]}"
      echo "      --- ligerc stderr:"
      sed 's/^/      | /' "$tmp/err"
      nfail=$((nfail + 1))
    fi
  fi
done
echo "$npass passed, $nfail failed"
((nfail == 0))
