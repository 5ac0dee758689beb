#!/usr/bin/env bash
# The browser checks of the pages and fragments klartext writes (check.mjs): axe-core's WCAG 2.0
# and 2.1 A and AA rules and best practices, and a reflow check, in the system's headless
# Chromium (/usr/bin/chromium, or $CHROMIUM). Needs Node.js and npm; installs the pinned packages
# of package-lock.json into node_modules/.
#
#   bash tests/browser/run.sh [OUT_DIR]    # default: target/ci-out, which .ci/run writes
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(cd "${1:-$root/target/ci-out}" && pwd)"
cd "$root/tests/browser"

echo "== npm ci (tests/browser)"
npm ci --no-audit --no-fund --loglevel=error

echo "== node check.mjs $out"
node check.mjs "$out"
