#!/usr/bin/env bash
# The package as a user meets it: `npm pack` (whose prepack builds the
# stripped Node-API prebuild), then the tarball installed into a fresh project
# with npm's defaults (no install script approved), and there a CommonJS
# script, an ES module and a TypeScript file, type-checked under each
# moduleResolution, that each exchange bytes over a socketpair.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target=$(node -p 'process.platform + "-" + process.arch')
seconds_since() { awk -v start="$1" -v now="$(date +%s%N)" 'BEGIN { printf "%.1f", (now - start) / 1e9 }'; }

echo "== npm pack"
npm pack --pack-destination "$work" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
tarball=$(echo "$work"/posix-sockets-*.tgz)
files=$(tar tzf "$tarball")
echo "tarball: $(basename "$tarball"), $(stat -c %s "$tarball") bytes, $(wc -l <<<"$files") files"
if grep -E '^package/(test|benchmarks|examples|scripts|docs|\.ci)/|CMakeLists|\.tgz$' <<<"$files"; then
  echo "the tarball ships files a user does not need (above)"; exit 1
fi
grep -qx "package/prebuilds/$target/posix-sockets.glibc.node" <<<"$files" || { echo "no $target prebuild in the tarball"; exit 1; }

echo "== npm install of the tarball in a fresh project"
app="$work/app"
mkdir "$app" && cd "$app"
npm init -y > /dev/null
start=$(date +%s%N)
npm install "$tarball" 2>&1 | tee "$work/install.log"
echo "installed in $(seconds_since "$start") s"
# No compiler ran: node-gyp would have left build/ behind, and the loader
# picks the prebuild.
[[ ! -e node_modules/posix-sockets/build ]] || { echo "the install compiled the addon"; exit 1; }
picked=$(node -p "require('node-gyp-build').resolve('node_modules/posix-sockets')")
echo "the loader picks: ${picked#"$app/"}"
[[ $picked == "$app/node_modules/posix-sockets/prebuilds/$target/"* ]] || { echo "not the prebuild"; exit 1; }

echo "== CommonJS, ES module and TypeScript users"
cp "$repo"/test/fixtures/consumer/{socketpair.cjs,socketpair.mjs,socketpair.ts,tsconfig.json} .
node socketpair.cjs
node socketpair.mjs
dev() { node -p "require('$repo/package.json').devDependencies['$1']"; }
npm install --no-save --loglevel=error "typescript@$(dev typescript)" "@types/node@$(dev @types/node)"
for mode in node16:node16 nodenext:nodenext preserve:bundler; do
  npx tsc -p . --noEmit --module "${mode%:*}" --moduleResolution "${mode#*:}"
  echo "tsc: types resolve under --moduleResolution ${mode#*:}"
done
npx tsc -p . --module nodenext --moduleResolution nodenext
node out/socketpair.js
