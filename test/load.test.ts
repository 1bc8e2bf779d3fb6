// lib/load.ts in a copy of the package outside this repository, as a user's
// node_modules holds it: the prebuild is found by its tags, and without a
// build or a fitting prebuild the error tells the user what to do.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as { resolve(dir: string): string };
// The addon this suite runs on; the copy's prebuild is this same file.
const addon = process.env.POSIX_SOCKETS_ADDON ?? nodeGypBuild.resolve(root);

const project = mkdtempSync(path.join(tmpdir(), 'posix-sockets-load-'));
const pkg = path.join(project, 'node_modules', 'posix-sockets');
mkdirSync(pkg, { recursive: true });
cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
symlinkSync(path.join(root, 'node_modules', 'node-gyp-build'), path.join(project, 'node_modules', 'node-gyp-build'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const SCRIPT = `
  try {
    const p = require('posix-sockets');
    const [a, b] = p.socketpair(p.AF_UNIX, p.SOCK_STREAM);
    p.write(a, Buffer.from('ok'));
    const buf = Buffer.alloc(2);
    p.read(b, buf);
    console.log('loaded: ' + buf);
  } catch (err) {
    console.log(err.message);
  }`;

/** Requires the copy in a fresh process; prints "loaded: ok" or the error's message. */
function load(env: Record<string, string> = {}): string {
  const { POSIX_SOCKETS_ADDON: _, LIBC: __, ...inherited } = process.env;
  return execFileSync(process.execPath, ['-e', SCRIPT], { cwd: project, env: { ...inherited, ...env }, encoding: 'utf8' });
}

describe('loading the addon from an installed copy of the package', () => {
  it('with neither a build nor a prebuild, says what it tried and how to build', () => {
    const message = load();
    expect(message).toContain(`no native addon for linux-${process.arch} (glibc) on Node ${process.version}. Tried:`);
    expect(message).toContain('POSIX_SOCKETS_ADDON: not set');
    expect(message).toContain(`no .node file in ${path.join(pkg, 'build', 'Release')}`);
    expect(message).toContain(`none for linux-${process.arch} (glibc) in ${path.join(pkg, 'prebuilds')}`);
    expect(message).toContain('apt-get install g++ make python3');
    expect(message).toContain('npm 12: npm install-scripts approve posix-sockets && npm rebuild posix-sockets');
    expect(message).toContain('npm 11: npm rebuild posix-sockets');
    expect(message).not.toContain('Could not locate');
  });

  it('names the file POSIX_SOCKETS_ADDON points to when it does not load', () => {
    const missing = path.join(project, 'no-such-build.node');
    const message = load({ POSIX_SOCKETS_ADDON: missing });
    expect(message).toContain(`could not load the addon ${missing} (named by POSIX_SOCKETS_ADDON): Cannot find module`);
    expect(message).toContain('npm rebuild posix-sockets');
  });

  describe('with a glibc prebuild for this machine', () => {
    it('loads the prebuild, so an install needs no compiler', () => {
      const dir = path.join(pkg, 'prebuilds', `linux-${process.arch}`);
      mkdirSync(dir, { recursive: true });
      copyFileSync(addon, path.join(dir, 'posix-sockets.glibc.node'));
      expect(load()).toBe('loaded: ok\n');
    });

    it('passes it over on musl, and says which prebuilds the package has', () => {
      const message = load({ LIBC: 'musl' });
      expect(message).toContain(`none for linux-${process.arch} (musl) in ${path.join(pkg, 'prebuilds')} (it has: linux-${process.arch})`);
    });

    it('takes a musl or an arm64 prebuild from its own name and folder, as a later release adds them', () => {
      // This machine's own file under the other names; node-gyp-build takes
      // LIBC and npm_config_arch as the machine's libc and CPU.
      const musl = path.join(pkg, 'prebuilds', `linux-${process.arch}`, 'posix-sockets.musl.node');
      copyFileSync(addon, musl);
      expect(load({ LIBC: 'musl' })).toBe('loaded: ok\n');
      rmSync(musl);
      const other = process.arch === 'arm64' ? 'x64' : 'arm64';
      mkdirSync(path.join(pkg, 'prebuilds', `linux-${other}`));
      copyFileSync(addon, path.join(pkg, 'prebuilds', `linux-${other}`, 'posix-sockets.glibc.node'));
      expect(load({ npm_config_arch: other })).toBe('loaded: ok\n');
      rmSync(path.join(pkg, 'prebuilds', `linux-${other}`), { recursive: true });
    });

    it('prefers a build from source in build/Release', () => {
      mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
      // Not an addon at all: loading it fails, which shows it was chosen first.
      copyFileSync(path.join(pkg, 'package.json'), path.join(pkg, 'build', 'Release', 'posix_sockets.node'));
      expect(load()).toContain(`could not load the addon ${path.join(pkg, 'build', 'Release', 'posix_sockets.node')}: `);
      rmSync(path.join(pkg, 'build'), { recursive: true });
      expect(load()).toBe('loaded: ok\n');
    });
  });
});
