#!/usr/bin/env bash
# Renders an HTML report to a PNG with headless Chromium, to check that it looks right in a
# real browser: scripts/render-html.sh output/x/mc/report.html report.png [height]
# Exit 3 when no Chromium is installed (apt-get install chromium), so callers can skip.
set -euo pipefail
html=${1:?usage: render-html.sh REPORT.html OUT.png [HEIGHT]}
png=${2:?usage: render-html.sh REPORT.html OUT.png [HEIGHT]}
height=${3:-6000}
browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || { echo "render-html.sh: no Chromium found (apt-get install chromium)" >&2; exit 3; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
# the closed network here refuses background connections: switch them off
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
  --screenshot="$png" "file://$abs" >/dev/null 2>&1
[ -s "$png" ] || { echo "render-html.sh: Chromium wrote no screenshot" >&2; exit 1; }
echo "$png"
