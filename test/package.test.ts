// The published shape: compiled JS with types, loadable with require and
// with import, by the package's own name.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('package', () => {
  it('ships compiled JavaScript and declarations', () => {
    expect(existsSync(`${root}/dist/index.js`)).toBe(true);
    expect(existsSync(`${root}/dist/index.d.ts`)).toBe(true);
  });

  it('loads with require, by name', () => {
    const out = run(['-e', "const p = require('posix-sockets'); console.log(typeof p.socket, p.AF_INET6 > 0, typeof p.SocketError)"]);
    expect(out).toBe('function true function');
  });

  it('loads with import, named exports included', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import { socket, AF_INET, SocketError } from 'posix-sockets'; import def from 'posix-sockets'; console.log(typeof socket, AF_INET, typeof SocketError, typeof def.close)",
    ]);
    expect(out).toBe('function 2 function function');
  });

  it('gives a plain .mjs under Node\'s own loader every export as a named import, and a .cjs the same', () => {
    const fixture = `${root}/test/fixtures/consumer`;
    const count = run(['-p', "Object.keys(require('posix-sockets')).length - 1"]);
    expect(run([`${fixture}/socketpair.mjs`])).toBe(`esm: pong, ${count} named exports`);
    expect(run([`${fixture}/socketpair.cjs`])).toBe('cjs: ping');
  });

  it('exposes plain data properties in V8 fast mode, so hot calls through it are monomorphic loads', () => {
    const out = run([
      '--allow-natives-syntax',
      '-e',
      "const p = require('posix-sockets'); const d = Object.getOwnPropertyDescriptor(p, 'read'); console.log('value' in d, typeof d.get, %HasFastProperties(p), p.__esModule)",
    ]);
    expect(out).toBe('true undefined true true');
  });
});
