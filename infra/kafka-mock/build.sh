#!/usr/bin/env bash
# Builds infra/bin/kafka-mock (librdkafka's mock Kafka cluster behind a tiny launcher).
# Installs Debian's librdkafka-dev first when its header is missing (needs root + apt).
# Idempotent: does nothing when the binary is newer than launcher.c and this script.
# Exit status: 0 built or up to date; 1 cannot build (the reason is on stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="$here/launcher.c"
out="$root/infra/bin/kafka-mock"

if [[ -x "$out" && "$out" -nt "$src" && "$out" -nt "$here/build.sh" ]]; then
  exit 0
fi

have_header() { [[ -f /usr/include/librdkafka/rdkafka_mock.h ]]; }

if ! have_header; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "kafka-mock: librdkafka-dev is missing and there is no apt-get to install it" >&2
    exit 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "kafka-mock: librdkafka-dev is missing; install it as root: apt-get install librdkafka-dev" >&2
    exit 1
  fi
  echo "kafka-mock: installing librdkafka-dev (apt-get)" >&2
  # Another apt client may hold the lock for a while: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq librdkafka-dev >&2
  have_header || { echo "kafka-mock: librdkafka-dev installed but rdkafka_mock.h is missing" >&2; exit 1; }
fi

if ! command -v gcc >/dev/null 2>&1; then
  echo "kafka-mock: gcc is missing (apt-get install build-essential)" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
# Build to a temporary name and rename, so a concurrent build never runs a half-written file.
tmp="$out.tmp.$$"
gcc -O2 -Wall -Wextra -o "$tmp" "$src" -lrdkafka -ldl
mv -f "$tmp" "$out"
echo "kafka-mock: built $out" >&2
