// The README's "Where each part lives" table is the file map: every native
// file and lib/ module stands in exactly one row, and each row's native
// files register exactly the names the row lists.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registeredBy } from './source-parsers.js';

const root = new URL('..', import.meta.url);
const read = (rel: string) => readFileSync(new URL(rel, root), 'utf8');

interface Row {
  concern: string;
  native: string[];
  registers: string[];
  lib: string[];
  docs: string[];
}

/** The rows of the table under a README heading. */
export function mapRows(readme: string): Row[] {
  const start = readme.indexOf('## Where each part lives');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Concern') && !l.startsWith('| ---'))
    .map((l) => {
      const [concern, native, registers, lib, docs] = l.split('|').slice(1, -1).map((c) => c.trim());
      return {
        concern: concern!,
        native: ticks(native!),
        registers: ticks(registers!),
        lib: ticks(lib!),
        docs: [...docs!.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!),
      };
    });
}

const rows = mapRows(read('README.md'));
const sorted = (xs: Iterable<string>) => [...xs].sort();

describe("the README's file map", () => {
  it('has a row per concern', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it('names every native file once, and only files that exist', () => {
    const listed = rows.flatMap((r) => r.native);
    expect(sorted(listed)).toEqual(sorted(readdirSync(new URL('native/', root))));
  });

  it('names every lib/ module once', () => {
    const listed = rows.flatMap((r) => r.lib);
    expect(sorted(listed)).toEqual(sorted(readdirSync(new URL('lib/', root)).filter((f) => f.endsWith('.ts'))));
  });

  it.each(rows.map((r) => [r.concern, r] as const))("%s: its native files register what the row says", (_, row) => {
    const registered = row.native.filter((f) => f.endsWith('.cc')).flatMap((f) => registeredBy(read(`native/${f}`)));
    expect(sorted(registered)).toEqual(sorted(row.registers));
  });

  it('links docs pages that exist', () => {
    for (const d of rows.flatMap((r) => r.docs)) expect(existsSync(new URL(d, root)), d).toBe(true);
  });

  it('the parser sees a name moved to the wrong row', () => {
    const readme = read('README.md').replace('`if_nametoindex`, ', '');
    const addresses = mapRows(readme).find((r) => r.concern.startsWith('addresses'))!;
    expect(addresses.registers).not.toContain('if_nametoindex');
  });
});
