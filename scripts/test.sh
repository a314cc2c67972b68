#!/usr/bin/env bash
# Every test: install, type-check (tsc -b), lint, then the whole vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm() { npx -y pnpm@10 "$@"; }
echo "== lint" >&2
pnpm exec eslint --max-warnings 0 .
pnpm exec prettier --check . >/dev/null || { pnpm exec prettier --list-different .; echo "prettier: files above need formatting (pnpm format)" >&2; exit 1; }
echo "== tests" >&2
pnpm exec vitest run "$@"
