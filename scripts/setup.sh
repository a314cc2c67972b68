#!/usr/bin/env bash
# Installs what the project needs on a machine that has only Node 20 and npm, then builds.
# pnpm comes through npx (corepack fails its signature check here); better-sqlite3 builds
# from source with the machine's g++ (Debian's build-essential is installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v g++ >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
  echo "setup: installing a C++ toolchain for better-sqlite3 (apt-get)" >&2
  apt-get update -qq && apt-get install -y -qq build-essential python3 >/dev/null
fi

npx -y pnpm@10 install --frozen-lockfile --reporter=append-only >&2
npx -y pnpm@10 exec tsc -b >&2
