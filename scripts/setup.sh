#!/usr/bin/env bash
# Sets up a fresh machine: pnpm, the Fashion-MNIST data, the wamerican word list and chromium (SwiftShader) from Debian, dependencies, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 COREPACK_ENABLE_DOWNLOAD_PROMPT=0

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null)" != "10.34.0" ]; then
  echo "setup: installing pnpm 10.34.0"
  npm install -g pnpm@10.34.0 --no-audit --no-fund >/dev/null
fi

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's dataset-fashion-mnist"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: Fashion-MNIST not found; run 'sudo apt-get install dataset-fashion-mnist' or set CHAINRULE_DATA_DIR" >&2
  fi
fi

if [ ! -f /usr/share/dict/words ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's wamerican (/usr/share/dict/words, for apps/makemore)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wamerican >/dev/null
  else
    echo "setup: /usr/share/dict/words not found; run 'sudo apt-get install wamerican'" >&2
  fi
fi

if [ ! -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium (the playground's browser test; its SwiftShader Vulkan driver runs the webgpu tests on the CPU)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: /usr/lib/chromium/vk_swiftshader_icd.json not found; run 'sudo apt-get install chromium' (SwiftShader, for the webgpu tests)" >&2
  fi
fi

pnpm install --frozen-lockfile
pnpm run build
