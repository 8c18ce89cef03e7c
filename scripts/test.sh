#!/usr/bin/env bash
# Runs every test of every package on a fresh clone: installs what is missing
# (Node 24 when the machine's is older, pnpm, dependencies, racket, chromium),
# builds, checks the packaging, then tests.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

need=()
command -v racket >/dev/null || need+=(racket)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v sendmail >/dev/null || need+=(msmtp-mta)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "svcmon: installing ${need[*]} from Debian" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only
pnpm turbo run build typecheck lint --output-logs=errors-only
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
pnpm turbo run test --concurrency=1 --output-logs=full 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run, summed over every package's vitest summary.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^[^ ]*:test: +Tests +/ {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed/) passed += $i
      if ($(i+1) ~ /^failed/) failed += $i
      if ($(i+1) ~ /^skipped/) skipped += $i
    }
  }
  END { printf "svcmon: %d passed, %d failed", passed, failed; if (skipped) printf ", %d skipped", skipped; printf "\n" }'
exit "$status"
