// Every function and class the package exports has a doc comment, and every
// function's names the man page of the call it makes (or a man7.org link).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../lib/index.js';

const index = readFileSync(new URL('../lib/index.ts', import.meta.url), 'utf8');
const modules = [...index.matchAll(/^export \* from '\.\/(\w[\w-]*)\.js';/gm)].map((m) => m[1]!);

describe('doc comments', () => {
  it.each(modules.filter((m) => m !== 'constants'))('lib/%s.ts documents each export', (name) => {
    const src = readFileSync(new URL(`../lib/${name}.ts`, import.meta.url), 'utf8');
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const m of src.matchAll(/^export (function|class|const) (\w+)/gm)) {
      // An overloaded function is documented once, on its first signature.
      if (seen.has(m[2]!)) continue;
      seen.add(m[2]!);
      const before = src.slice(0, m.index);
      const end = before.lastIndexOf('*/');
      const doc = end !== -1 && before.slice(end + 2).trim() === '' ? before.slice(before.lastIndexOf('/**', end), end) : '';
      if (!doc) missing.push(`${m[2]}: no doc comment`);
      else if (m[1] === 'function' && !/man7\.org|\w\(\d\)/.test(doc)) missing.push(`${m[2]}: no man page`);
    }
    expect(missing).toEqual([]);
  });

  it('the package exports no internal helper', () => {
    for (const name of ['check', 'checkWouldBlock', 'checkInProgress', 'checkValue', 'native']) {
      expect(name in api, name).toBe(false);
    }
  });
});
