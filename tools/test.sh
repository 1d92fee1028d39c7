#!/usr/bin/env bash
# test.sh — the full test suite: install what is missing, build in build/ (Release, Ninja),
# run every CTest test. GPU tests skip themselves (exit 77) on a machine without a GPU.
#
#   bash tools/test.sh             build/ and ctest
#   bash tools/test.sh --sanitize  the same, then build-asan/ with ASan + UBSan and ctest there
# A second run reuses the build folders and only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
for arg in "$@"; do
  case $arg in
    --sanitize) sanitize=1 ;;
    *) echo "usage: $0 [--sanitize]" >&2; exit 2 ;;
  esac
done

bash tools/setup.sh

build_and_test() { # folder, extra cmake arguments...
  local dir=$1
  shift
  if [[ ! -f $dir/build.ninja ]]; then
    cmake -S . -B "$dir" -G Ninja "$@"
  fi
  cmake --build "$dir"
  ctest --test-dir "$dir" --output-on-failure -j2
}

build_and_test build -DCMAKE_BUILD_TYPE=Release
if ((sanitize)); then
  export ASAN_OPTIONS=detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1
  build_and_test build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIGER_SANITIZE=ON
fi
