// Where results go: a user's run into an ignored folder, the committed run
// only with --publish, and a saved run (of this schema or the first) read
// back with its mode, rounds and spreads.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_DIR, PUBLISHED_DIR, parseOptions, runMode } from '../harness/options.js';
import { loadResults, writeRun } from '../harness/outputs.js';
import { textTable } from '../harness/report.js';
import { fakeRun } from './fake-run.js';

const ROOT = path.resolve(__dirname, '..', '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

describe('options', () => {
  it('a run writes into benchmarks/results/local/ by default, a folder git ignores', () => {
    expect(parseOptions([]).out).toBe(LOCAL_DIR);
    expect(parseOptions(['--quick']).out).toBe(LOCAL_DIR);
    expect(parseOptions([]).publish).toBe(false);
    expect(git('check-ignore', path.join(LOCAL_DIR, 'latest.json')).trim()).toBe(path.join(LOCAL_DIR, 'latest.json'));
  });

  it('publishes only a full run of the whole suite', () => {
    expect(parseOptions(['--publish']).publish).toBe(true);
    expect(() => parseOptions(['--publish', '--quick'])).toThrow(/without --quick/);
    expect(() => parseOptions(['--publish', '--servers', 'c-lt'])).toThrow(/every server/);
    expect(() => parseOptions(['--publish', '--no-lab'])).toThrow(/every server, workload, the micro and the lab/);
  });

  it('names the run mode: quick, full, or custom when a measured setting differs', () => {
    expect(runMode(parseOptions(['--quick', '--servers', 'c-lt']))).toBe('quick');
    expect(runMode(parseOptions([]))).toBe('full');
    expect(runMode(parseOptions(['--no-pin', '--out', '/tmp/x']))).toBe('full');
    expect(runMode(parseOptions(['--rounds', '5']))).toBe('custom');
    expect(runMode(parseOptions(['--workloads', 'pp-100x64']))).toBe('custom');
  });
});

describe('result files', () => {
  it('writes the history file and latest.* into the run folder, and publishes only when asked', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
    try {
      const local = path.join(dir, 'local');
      const published = path.join(dir, 'published');
      const r = fakeRun(3);
      const a = writeRun(r, local, 'stamp', null);
      expect(a.local.map((f) => path.relative(local, f))).toEqual(['stamp.json', 'latest.json', 'latest.md', 'latest.svg', 'latest-detail.svg']);
      expect(a.published).toEqual([]);
      expect(existsSync(published)).toBe(false);
      const b = writeRun(r, local, 'stamp2', published);
      expect(b.published.map((f) => path.relative(published, f))).toEqual(['latest.json', 'latest.md', 'latest.svg', 'latest-detail.svg']);
      expect(readFileSync(path.join(published, 'latest.md'), 'utf8')).toContain('![Server CPU per message relative to C');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the JSON carries the mode, the rounds and each figure\'s spread across rounds', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
    try {
      writeRun(fakeRun(3), dir, 'stamp', null);
      const r = JSON.parse(readFileSync(path.join(dir, 'stamp.json'), 'utf8')) as ReturnType<typeof fakeRun>;
      expect(r.schema).toBe(2);
      expect(r.mode).toBe('full');
      expect(r.rounds).toBe(3);
      const s = r.summaries.find((x) => x.server === 'c-lt' && x.workload === 'pp-100x64')!;
      expect(s.cpuPerMsgNs.n).toBe(3);
      expect(s.cpuPerMsgNs.min).toBeLessThan(s.cpuPerMsgNs.max);
      const h = r.headline.find((x) => x.server === 'addon-blocking-et' && x.workload === 'pp-100x64')!;
      expect(h.reference).toBe('c-et');
      expect(h.value.n).toBe(3);
      expect(h.value.min).toBeLessThanOrEqual(h.value.median);
      expect(h.value.max).toBeGreaterThanOrEqual(h.value.median);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a file of schema 1 (no mode, rounds or headline), and refuses what it cannot read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-old-'));
    try {
      const { mode: _m, rounds: _r, headline: _h, ...old } = { ...fakeRun(3), schema: 1 };
      writeFileSync(path.join(dir, 'old.json'), JSON.stringify(old));
      const r = loadResults(path.join(dir, 'old.json'));
      expect(r.mode).toBe('full');
      expect(r.rounds).toBe(3);
      expect(r.headline.length).toBeGreaterThan(10);
      expect(textTable(r)).toMatch(/^Results \(full run, 3 rounds\)/);
      writeFileSync(path.join(dir, 'new.json'), JSON.stringify({ ...old, schema: 99 }));
      expect(() => loadResults(path.join(dir, 'new.json'))).toThrow(/schema 99; it reads schemas 1 to 2/);
      writeFileSync(path.join(dir, 'bad.json'), '{ not json');
      expect(() => loadResults(path.join(dir, 'bad.json'))).toThrow(/not readable as JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the published run in the repository is one --report can read', () => {
    const r = loadResults(path.join(PUBLISHED_DIR, 'latest.json'));
    expect(r.mode).not.toBe('quick');
    expect(r.rounds).toBeGreaterThanOrEqual(3);
  });
});
