#!/usr/bin/env bash
# The README's "run the main job" command for a fresh clone: installs what is
# missing (Node 24 into .tools/ when the machine's Node is older than 22, pnpm,
# the dependencies), builds the CLI and what it needs, then creates a local
# demo monitor, records heartbeats, takes a pulse and prints the report.
#   bash scripts/demo.sh [directory]      (default: demo-monitor)
here=$PWD
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"   # also cd's to the repo root
dir=${1:-demo-monitor}
case $dir in /*) ;; *) dir="$here/$dir" ;; esac

pnpm install --frozen-lockfile --reporter=silent
pnpm turbo run build --filter @svcmon/cli... --output-logs=errors-only
# The Node env.sh chose (Node 24 from .tools/ when the PATH's is older): the demo's hints name it.
node packages/cli/dist/bin.js demo "$dir"
