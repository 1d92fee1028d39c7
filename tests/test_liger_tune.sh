#!/usr/bin/env bash
# test_liger_tune.sh — liger-tune's database commands (show, export, import, merge, clear,
# path) on databases written here by hand from docs/tuning.md's format (the line checksum
# comes from sha256sum), so the test also checks the format as documented.
#
#   test_liger_tune.sh LIGER_TUNE
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 LIGER_TUNE" >&2
  exit 2
fi
tool=$1
tmp=$(mktemp -d)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export LIGER_TUNE_DB=$tmp/db/tune.db
fail=0

ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# run CMD...: runs the tool, keeping stdout in $out, stderr in $err and the status in $rc.
run() {
  echo "+ liger-tune $*"
  "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}
expect_rc() { if [[ $rc -eq $1 ]]; then ok "$2 (status $rc)"; else bad "$2: status $rc, want $1; stderr: $err"; fi; }
has() { if grep -qF -- "$2" <<<"$1"; then ok "$3"; else bad "$3: '$2' not in: $1"; fi; }
lacks() { if grep -qF -- "$2" <<<"$1"; then bad "$3: '$2' found"; else ok "$3"; fi; }
count() { grep -cF -- "$2" <<<"$1" || true; }

# One entry line: the fields joined by TABs, then TAB and the first 8 hex digits of the
# SHA-256 of everything before that TAB (docs/tuning.md).
entry() {
  local body
  body=$(printf '%s\t' "$@")
  body=${body%$'\t'}
  printf '%s\t%s\n' "$body" "$(printf '%s' "$body" | sha256sum | cut -c1-8)"
}

run --version
compiler=$(sed -n 's/^liger-tune (compiler \(.*\), database format [0-9]*)$/\1/p' <<<"$out")
if [[ -n $compiler ]]; then ok "--version names the compiler id '$compiler'"; else bad "--version: $out"; fi

# ---- usage ----------------------------------------------------------------------------
run --help
expect_rc 0 "--help"
for c in show export import merge clear; do has "$out" "  $c " "--help lists $c"; done
run
expect_rc 2 "no command"
run frobnicate
expect_rc 2 "an unknown command"
run show --nope
expect_rc 2 "an unknown option"
run merge "$tmp/x"
expect_rc 2 "merge without a second input and -o"
run path
has "$out" "$LIGER_TUNE_DB" "path prints \$LIGER_TUNE_DB"

# ---- a hand-written database ------------------------------------------------------------
H200="NVIDIA H200"
{
  printf 'liger-tunedb\t1\n'
  printf '# written by test_liger_tune.sh\n'
  entry nvidia sm_90 "$H200" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_stages=1,num_warps=4" 12.500 50 2026-01-01T00:00:00Z
  entry nvidia sm_90 "$H200" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_stages=1,num_warps=8" 11.264 50 2026-01-01T00:00:00Z
  entry nvidia sm_90 "$H200" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_stages=1,num_warps=16" 13.000 50 2026-01-01T00:00:00Z
  entry nvidia sm_90 "NVIDIA H100 80GB HBM3" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_warps=8" 14.000 20 2026-01-02T00:00:00Z
  entry amd gfx942 "AMD Instinct MI300X" "$compiler" ce.fwd V=131072 "BLOCK=32768,num_warps=16" 101.001 30 2026-01-03T00:00:00Z
  entry nvidia sm_90 "$H200" "0.0.9 (LLVM 21.1.0)" rms_norm.fwd n_cols=4096 "BLOCK=1024,num_warps=4" 99.000 10 2025-06-01T00:00:00Z
} >"$tmp/a.db"

run show --db "$tmp/a.db"
expect_rc 0 "show"
has "$out" "6 of 6 entries shown" "show: all 6 entries"
has "$out" "MEDIAN_US" "show: a table header"
star=$(grep '^\*' <<<"$out" || true)
if [[ $(grep -c . <<<"$star") -eq 4 ]] && grep -q 'num_warps=8 .*11.264' <<<"$star" &&
   ! grep -q '12.500' <<<"$star"; then
  ok "show: * on the fastest config of each group (4 groups; H200's is num_warps=8 at 11.264)"
else
  bad "show: wrong * rows: $star"
fi
run show --db "$tmp/a.db" --kernel 'rms*' --arch sm_90 --model "$H200"
has "$out" "4 of 6 entries shown" "show --kernel 'rms*' --arch sm_90 --model: 4 entries"
run show --db "$tmp/a.db" --best
has "$out" "4 of 6 entries shown" "show --best: one per group"
run show --db "$tmp/a.db" --stale
has "$out" "1 of 6 entries shown" "show --stale: the entry of another compiler"
has "$out" "0.0.9 (LLVM 21.1.0)" "show --stale: its compiler column"
run show --db "$tmp/nothing.db"
expect_rc 0 "show of a missing database"
has "$out" "no tuning database" "show of a missing database says so"

# ---- corruption ---------------------------------------------------------------------------
sed '4s/11\.264/11.265/' "$tmp/a.db" >"$tmp/bad.db"
run show --db "$tmp/bad.db"
expect_rc 0 "show of a database with a damaged line"
has "$out" "5 of 5 entries shown" "the damaged line is not loaded"
has "$out" "; 1 corrupt line skipped" "the summary counts it"
has "$err" "bad.db:4: checksum mismatch; line skipped" "a warning names the line and the reason"
lacks "$out" "11.265" "the damaged value never shows"
head -c 300 "$tmp/a.db" >"$tmp/cut.db"
run show --db "$tmp/cut.db"
expect_rc 0 "show of a truncated database"
has "$out" "1 corrupt line skipped" "the cut line is skipped"
printf 'liger-tunedb\t9\n' >"$tmp/v9.db"
run show --db "$tmp/v9.db"
expect_rc 1 "a newer format"
has "$err" "newer liger-jit" "a newer format is named"

# ---- export --------------------------------------------------------------------------------
run export --db "$tmp/a.db" --arch sm_90 -o "$tmp/sm90.db"
expect_rc 0 "export --arch sm_90"
has "$err" "exported 5 of 6 entries" "export: 5 entries selected"
if [[ $(head -1 "$tmp/sm90.db") == $'liger-tunedb\t1' ]]; then ok "export: the header line"; else bad "export header"; fi
if [[ $(grep -vc '^#' "$tmp/sm90.db") -eq 6 ]]; then ok "export: 5 entry lines"; else bad "export: $(cat "$tmp/sm90.db")"; fi
lacks "$(cat "$tmp/sm90.db")" "gfx942" "export: the AMD entry is left out"
run export --db "$tmp/a.db" --arch sm_90 -o -
if [[ $out == "$(cat "$tmp/sm90.db")" ]]; then ok "export -o - writes the same bytes"; else bad "export -o - differs"; fi
run export --db "$tmp/a.db" --model "$H200" --kernel rms_norm.fwd --stale -o "$tmp/stale.db"
has "$err" "exported 1 of 6" "export --model --kernel --stale: 1 entry"
run export --db "$tmp/none.db" -o "$tmp/x.db"
expect_rc 1 "export of a missing database"

# ---- import into $LIGER_TUNE_DB ----------------------------------------------------------
run import "$tmp/a.db"
expect_rc 0 "import into a new database (directories created)"
has "$out" "6 added, 0 replaced, 0 kept" "import: 6 added"
run import "$tmp/a.db"
has "$out" "0 added, 0 replaced, 6 kept" "import again: nothing changes"
run show
has "$out" "6 of 6 entries shown" "show of \$LIGER_TUNE_DB after import"
run export -o "$tmp/round.db"
if cmp -s "$tmp/round.db" "$LIGER_TUNE_DB"; then ok "export of the whole database is byte-identical to it"; else bad "round trip differs"; fi
# the database is written canonically: entries sorted, our comment line replaced
if [[ $(sed -n 2p "$LIGER_TUNE_DB") == "# vendor"* ]]; then ok "the column comment line"; else bad "line 2: $(sed -n 2p "$LIGER_TUNE_DB")"; fi
chmod 666 "$LIGER_TUNE_DB"
run import "$tmp/a.db"
expect_rc 1 "import into a world-writable database is refused"
has "$err" "writable by group or others" "and says why"
chmod 644 "$LIGER_TUNE_DB"
run import "$tmp/nothing.db"
expect_rc 1 "import of a missing file"

# ---- merge -----------------------------------------------------------------------------------
{
  printf 'liger-tunedb\t1\n'
  # same identity as a.db's num_warps=4 entry: more samples, so it wins
  entry nvidia sm_90 "$H200" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_stages=1,num_warps=4" 10.000 500 2025-01-01T00:00:00Z
  # same identity as the num_warps=16 entry: fewer samples, so it loses
  entry nvidia sm_90 "$H200" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_stages=1,num_warps=16" 1.000 5 2027-01-01T00:00:00Z
  entry nvidia sm_80 "NVIDIA A100-SXM4-80GB" "$compiler" rms_norm.fwd n_cols=4096 "BLOCK=4096,num_warps=8" 20.000 50 2026-01-01T00:00:00Z
} >"$tmp/b.db"
run merge "$tmp/a.db" "$tmp/b.db" -o "$tmp/m.db"
expect_rc 0 "merge A B -o M"
has "$err" "7 entries" "merge: 7 entries"
m=$(cat "$tmp/m.db")
has "$m" $'num_warps=4\t10.000\t500' "merge: more samples wins"
lacks "$m" $'\t1.000\t5\t' "merge: fewer samples loses even when newer and faster"
has "$m" "0.0.9 (LLVM 21.1.0)" "merge keeps the entries of other compilers"
run merge "$tmp/b.db" "$tmp/a.db" -o "$tmp/m2.db"
if cmp -s "$tmp/m.db" "$tmp/m2.db"; then ok "merge B A gives the same bytes as merge A B"; else bad "merge is order dependent"; fi
echo "not a database" >"$tmp/junk.db"
run merge "$tmp/a.db" "$tmp/junk.db" -o "$tmp/m3.db"
expect_rc 1 "merge with a file that is not a database"
has "$err" "not a liger-jit tuning database" "and says so"
if [[ ! -e $tmp/m3.db ]]; then ok "nothing written"; else bad "m3.db written"; fi

# ---- clear -----------------------------------------------------------------------------------
run clear --kernel ce.fwd
has "$out" "removed 1 entry" "clear --kernel ce.fwd removes 1"
run clear --stale
has "$out" "removed 1 entry" "clear --stale removes the other compiler's entry"
run show
has "$out" "4 of 4 entries shown" "4 left"
lacks "$out" "0.0.9" "no stale entry left"
run clear
has "$out" "removed 4 entries from" "clear without a filter removes all"
run show
has "$out" "0 of 0 entries shown" "the database is empty (and still a database)"
if [[ $(head -1 "$LIGER_TUNE_DB") == $'liger-tunedb\t1' ]]; then ok "cleared file keeps its header"; else bad "cleared header"; fi
ls -A "$(dirname "$LIGER_TUNE_DB")" >"$tmp/ls"
if [[ $(sort "$tmp/ls" | tr '\n' ' ') == "tune.db tune.db.lock " ]]; then ok "no temporaries left"; else bad "dir: $(cat "$tmp/ls")"; fi

if [[ $fail -ne 0 ]]; then
  echo "some checks failed"
  exit 1
fi
echo "all checks passed"
