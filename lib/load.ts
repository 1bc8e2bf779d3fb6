// Finds the compiled addon. One loader serves every way the package is used:
// a development checkout, a user's install with a prebuild, a user's build
// from source, and a build named by hand (cmake-js, sanitizers).
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** node-gyp-build's one function used here (the package ships no types). */
const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };

const ENV = 'POSIX_SOCKETS_ADDON';

/**
 * Loads the addon of the package at `root`: the first that exists of
 * 1. the file `POSIX_SOCKETS_ADDON` names (another build, e.g. under ASan);
 * 2. `build/Release/*.node`, built from source by node-gyp;
 * 3. the file in `prebuilds/<platform>-<arch>/` whose tags fit this machine
 *    (`posix-sockets.glibc.node`; a `.musl.node` beside it would serve musl).
 * Steps 2 and 3 are node-gyp-build's `resolve`, which reads the names
 * prebuildify gives. A file found but not loadable is reported, not skipped:
 * falling through to another build would hide the broken one.
 * Throws an Error that lists what was tried and how to build, when none fits.
 */
export function loadAddon<T>(root: string): T {
  const named = process.env[ENV];
  let file: string;
  try {
    file = named ? path.resolve(named) : nodeGypBuild.resolve(root);
  } catch (err) {
    throw new Error(notFound(root), { cause: err });
  }
  try {
    return require(file) as T;
  } catch (err) {
    const source = named ? `${file} (named by ${ENV})` : file;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`posix-sockets: could not load the addon ${source}: ${why}\n${HOW_TO_BUILD}`, { cause: err });
  }
}

function notFound(root: string): string {
  // node-gyp-build's rule for the C library a prebuild must be tagged with.
  const libc = process.env.LIBC || (existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  const target = `${process.platform}-${process.arch} (${libc})`;
  const prebuilds = path.join(root, 'prebuilds');
  const shipped = existsSync(prebuilds) ? readdirSync(prebuilds).join(', ') : '';
  return [
    `posix-sockets: no native addon for ${target} on Node ${process.version}. Tried:`,
    `  - ${ENV}: not set`,
    `  - a build from source: no .node file in ${path.join(root, 'build', 'Release')}`,
    `  - a prebuild: none for ${target} in ${prebuilds}${shipped ? ` (it has: ${shipped})` : ''}`,
    HOW_TO_BUILD,
  ].join('\n');
}

const HOW_TO_BUILD = [
  'The package builds the addon from source in its install script, which npm 12 skips until you approve it',
  '(npm 11 runs it, with a warning). To build it, in your project:',
  '  1. install a C++ compiler, make and Python:',
  '       Debian/Ubuntu: apt-get install g++ make python3',
  '       Alpine:        apk add g++ make python3 linux-headers',
  '  2. approve the install script and run it:',
  '       npm 12: npm install-scripts approve posix-sockets && npm rebuild posix-sockets',
  '       npm 11: npm rebuild posix-sockets   (the same approve command silences the warning)',
  `Or set ${ENV}=/path/to/posix_sockets.node to load a build of your own.`,
].join('\n');
