#!/usr/bin/env bash
# Render the fixture's HTML report with headless chromium to docs/images/report.png.
# Usage: scripts/screenshot.sh  (or `make screenshot`). Needs Debian's `chromium` package.
# The date is pinned (TRACKER_TODAY) so the picture only changes when the report does.
set -euo pipefail
cd "$(dirname "$0")/.."
BROWSER="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$BROWSER" ]; then
    echo "error: chromium not found; install Debian's 'chromium' package or set CHROMIUM" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TRACKER_TODAY="${TRACKER_TODAY:-2026-06-30}"
.venv/bin/tracker --db "$work/tracker.db" load fixtures/pakistan-us-security-talks.yaml >/dev/null
.venv/bin/tracker --db "$work/tracker.db" report --format html --output "$work/report.html"
mkdir -p docs/images
"$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --window-size=1200,2400 \
    --screenshot="$PWD/docs/images/report.png" "file://$work/report.html" 2>/dev/null
echo "wrote docs/images/report.png"
