#!/usr/bin/env bash
# The demo: install, build, then `chanperf demo` (a seeded 200-partner, 12-month program).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node services/cli/dist/main.js demo "$@"
