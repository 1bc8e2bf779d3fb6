// The README's option tables and the typed table agree: each level's table lists
// exactly the options socketOptions() knows at that level, sorted by C name,
// each with a man page (or a note saying where it is documented instead).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, SOL_SOCKET, socketOptions } from '../lib/index.js';

const doc = readFileSync(path.join(__dirname, '../README.md'), 'utf8');

/** The rows of the table under `### Options at <level>`: [constant, value, meaning, man page]. */
function rows(level: string): string[][] {
  const start = doc.indexOf(`### Options at ${level}\n`);
  expect(start, `a section for ${level}`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n#', start + 1);
  return doc
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim()));
}

describe('README option tables', () => {
  it.for([
    ['SOL_SOCKET', SOL_SOCKET],
    ['IPPROTO_TCP', IPPROTO_TCP],
    ['IPPROTO_IP', IPPROTO_IP],
    ['IPPROTO_IPV6', IPPROTO_IPV6],
    ['IPPROTO_UDP', IPPROTO_UDP],
  ] as const)('has one sorted row per %s option of the table', ([name, level]) => {
    const table = rows(name);
    const documented = table.map((r) => r[0].replace(/`/g, ''));
    const known = socketOptions()
      .filter((o) => o.level === level)
      .map((o) => o.name);
    expect(documented).toEqual([...documented].sort());
    expect([...documented].sort()).toEqual([...known].sort());
    for (const r of table) {
      expect(r, `${r[0]}: constant, value, meaning, man page`).toHaveLength(4);
      expect(r[3], `${r[0]} names its man page`).toMatch(/\((7|2)\)|RFC|linux\/|asm-generic|Documentation/);
    }
  });

  it('has a table for each level the typed table knows, and so does test/ (sockopt.<level>.test.ts)', () => {
    const levels = [...new Set(socketOptions().map((o) => o.level))].sort((a, b) => a - b);
    expect(levels).toEqual([SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP].sort((a, b) => a - b));
  });

  it("states each option's access as the table has it", () => {
    for (const o of socketOptions()) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${o.name}\` |`));
      expect(line, o.name).toBeDefined();
      const value = line!.split(' | ')[1];
      expect(value.includes('read only'), `${o.name} read only`).toBe(o.access === 'r');
      expect(value.includes('set only'), `${o.name} set only`).toBe(o.access === 'w');
    }
  });
});
