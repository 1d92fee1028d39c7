#!/usr/bin/env bash
# setup.sh — installs the Debian 12 packages liger-jit builds with, if any are missing.
# Quiet and quick when everything is there; uses sudo only when not root.
#
# LLVM 22 (llvm-22-dev, lld-22, liblld-22-dev) comes from bookworm-security; the rest from
# bookworm. CUDA is not a package here: /usr/local/cuda is used when present (cuda.h,
# libdevice, ptxas for a test) and not needed otherwise.
set -euo pipefail

packages=(build-essential cmake ninja-build llvm-22-dev lld-22 liblld-22-dev libzstd-dev zlib1g-dev
  libdlpack-dev libamdhip64-dev rocm-device-libs)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg -s "$p" 2>/dev/null || true)
  if [[ $status != *"Status: install ok installed"* ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "setup: not root and no sudo; install these as root: ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
if ! apt-cache policy llvm-22-dev 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  cat >&2 <<'MSG'
setup: apt has no candidate for llvm-22-dev.
       LLVM 22 comes from bookworm-security. Enable it, e.g. add to /etc/apt/sources.list.d/:
         deb http://deb.debian.org/debian-security bookworm-security main
       (or the matching "Components: main" stanza in debian.sources), then rerun this script.
MSG
  exit 1
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
