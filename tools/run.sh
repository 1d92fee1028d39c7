#!/usr/bin/env bash
# run.sh — the main command: install what is missing, build (Release, Ninja, in build/),
# and run liger-demo, which compiles the example kernels, runs them on the best device
# here (CPU without a GPU), checks them against C references and prints a table. Its exit
# status is non-zero if any result is not verified.
#
#   bash tools/run.sh [liger-demo arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build --target liger-demo
exec build/bin/liger-demo "$@"
