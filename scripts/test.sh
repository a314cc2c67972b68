#!/usr/bin/env bash
# Every test: install, type-check (tsc -b), lint (ESLint, Prettier, jscpd, knip), then the whole
# vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The page tests drive Debian's Chromium (never a downloaded browser); a CJK font renders
# partner names in screenshots. Both only when missing.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wqy'; then
  echo "setup: installing chromium and fonts-wqy-microhei (apt-get)" >&2
  apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

# The infra tests (test/infra) validate the compose file with the Compose CLI and check the
# monitoring files with promtool and a real Prometheus: Debian's docker-compose (no Docker engine
# needed for `config`) and prometheus, only when missing. They skip, saying why, without them.
if ! command -v docker-compose >/dev/null || ! command -v promtool >/dev/null; then
  echo "setup: installing docker-compose and prometheus (apt-get)" >&2
  { apt-get update -qq && apt-get install -y -qq docker-compose prometheus >/dev/null; } ||
    echo "setup: docker-compose/prometheus could not be installed; the infra tests will skip" >&2
fi

# The Kafka tests talk to librdkafka's mock cluster: build its launcher (installs
# librdkafka-dev when missing). The Kafka suites skip, saying why, if this fails.
bash infra/kafka-mock/build.sh >&2 || echo "setup: the Kafka mock broker could not be built; its tests will skip" >&2

pnpm() { npx -y pnpm@10 "$@"; }
echo "== lint" >&2
pnpm exec eslint --max-warnings 0 .
pnpm exec prettier --check . >/dev/null || { pnpm exec prettier --list-different .; echo "prettier: files above need formatting (pnpm format)" >&2; exit 1; }
# No block of 6+ lines copied in product code (.jscpd.json), and no unused file, export or
# dependency in the workspace (knip.json); each exits non-zero on a finding.
echo "== duplicates (jscpd)" >&2
pnpm exec jscpd
echo "== unused files, exports, dependencies (knip)" >&2
pnpm exec knip --no-progress
echo "== tests" >&2
pnpm exec vitest run "$@"
