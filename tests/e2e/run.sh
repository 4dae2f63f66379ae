#!/usr/bin/env bash
# Runs the browser tests: installs playwright-core from the lockfile and runs node's test runner.
# Needs Debian's chromium (apt-get install -y chromium fonts-wqy-microhei) and a built server
# binary (target/debug/salepoint from `cargo build`, or SALEPOINT_BIN=/path/to/salepoint).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
chromium="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "e2e: $chromium not found; install it with: apt-get install -y chromium fonts-wqy-microhei" >&2
  exit 1
fi
npm ci --silent --no-audit --no-fund
npm test
