#!/usr/bin/env bash
# Runs every test of every package on a fresh clone: installs what is missing
# (Node 24 when the machine's is older, pnpm, dependencies, and from Debian
# racket, chromium, msmtp-mta, faketime and prometheus's promtool), builds,
# checks the packaging, looks for unused files, exports and dependencies
# (knip, configured in knip.json), tests every package (each one even when another
# fails), then runs the clock-sensitive suites again under faketime at
# instants that break naive date code. Ends with one line of totals.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

need=()
command -v racket >/dev/null || need+=(racket)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v sendmail >/dev/null || need+=(msmtp-mta)
command -v faketime >/dev/null || need+=(faketime)
command -v promtool >/dev/null || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "svcmon: installing ${need[*]} from Debian" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only

REPORT=test-output/vitest-report.json
rm -f packages/*/test-output/vitest-*.json internal/*/test-output/vitest-*.json
set +e
status=0
pnpm turbo run build typecheck lint --continue --output-logs=errors-only || status=1
# After the build: the config package's build writes a module its sources import.
pnpm exec knip || status=1
pnpm turbo run test --continue --concurrency=1 --output-logs=full -- \
  --reporter=default --reporter=json --outputFile.json="$REPORT" || status=1

# The suites that read the clock (dates, "ago" texts, cron, time zones, DST,
# paused-until), again at fixed instants. faketime starts the clock there and
# lets it run, so "the last second of a year" crosses into the next one.
clock_suites=(
  "packages/store|test/heartbeat.test.ts test/config-model.test.ts"
  "packages/beat|test/beat.test.ts test/signals.test.ts"
  "packages/pulse|test/date.test.ts test/pulse.test.ts test/alerts.test.ts test/runs.test.ts test/pieces.test.ts test/site-rules.test.ts test/s3.test.ts"
  "packages/config|test/edit.test.ts test/runs.test.ts test/dashboard.test.ts test/pulse-view.test.ts test/browser.test.ts test/browser-runs.test.ts"
  "packages/cli|test/beat.test.ts test/pulse.test.ts test/config.test.ts test/run.test.ts test/run-config.test.ts"
)
clock_instants=(
  "UTC|2027-03-01 00:00:30 UTC|the 1st of a month, just after midnight UTC"
  "UTC|2028-02-29 12:00:00 UTC|29 February 2028"
  "UTC|2027-12-31 23:59:59 UTC|the last second of a year"
  "Europe/Berlin|2027-03-28 00:59:30 UTC|Berlin's clocks spring forward"
  "America/New_York|2027-11-07 05:59:30 UTC|New York's clocks fall back"
  "Pacific/Kiritimati|2027-12-31 10:00:00 UTC|UTC+14, already the next year"
)
reports=()
n=0
for instant in "${clock_instants[@]}"; do
  IFS='|' read -r tz at what <<<"$instant"
  n=$((n + 1))
  echo "svcmon: the clock-sensitive suites at $at, TZ=$tz ($what)"
  for suite in "${clock_suites[@]}"; do
    IFS='|' read -r pkg files <<<"$suite"
    report="test-output/vitest-clock-$n.json"
    reports+=("$pkg/$report")
    # shellcheck disable=SC2086
    (cd "$pkg" && TZ="$tz" faketime "$at" "$root/node_modules/.bin/vitest" run $files \
      --reporter=dot --reporter=json --outputFile.json="$report") || status=1
  done
done
node scripts/test-totals.mjs "${reports[@]}" || status=1
exit "$status"
