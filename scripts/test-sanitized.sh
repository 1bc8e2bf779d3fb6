#!/usr/bin/env bash
# Runs the test suite against the addon built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the cmake-js build), so that any out-of-bounds
# access, use after free or undefined behaviour in native/ aborts the test
# that caused it. Node itself is not instrumented: the sanitizer runtimes are
# preloaded, and leak checking is off (Node frees little at exit by design).
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js compile -O build-asan --CDSANITIZE=address,undefined
export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export POSIX_SOCKETS_ADDON="$PWD/build-asan/Release/posix_sockets.node"
# The benchmark's own tests time servers rather than exercise the addon's bounds.
exec npx vitest run --exclude 'benchmarks/**' "$@"
