# Sourced by the scripts in this folder: puts Node >= 22 and the pinned pnpm
# on PATH. When the machine's Node is older, Node 24 LTS is installed from the
# npm registry into .tools/ (ignored by git); nothing outside the repo changes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$tools/node_modules/.bin/node" ]; then
  export PATH="$tools/node_modules/.bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  echo "svcmon: Node $(node --version 2>/dev/null || echo none) is older than 22; installing Node 24 LTS into .tools/" >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
  (cd "$tools" && npm install --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null)
  export PATH="$tools/node_modules/.bin:$PATH"
fi

pnpm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$root/package.json")
if ! [ -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version)" != "$pnpm_version" ]; then
  mkdir -p "$tools/pnpm"
  [ -f "$tools/pnpm/package.json" ] || echo '{"private":true}' > "$tools/pnpm/package.json"
  (cd "$tools/pnpm" && npm install --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >/dev/null)
fi
export PATH="$tools/pnpm/node_modules/.bin:$PATH"
export COREPACK_ENABLE_STRICT=0
cd "$root"
