// The benchmark harness itself: CPU accounting on a real process, the
// arithmetic of medians and paired ratios, the strace parser, and a short
// end-to-end run of `npm run bench` whose result file must be complete and
// well-formed (speeds are never asserted).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratio, spread, summarize, targets, toSample, type LoadgenResult } from '../harness/analyze.js';
import { readCpu, statusKb } from '../harness/proc.js';
import { LOCAL_DIR } from '../harness/options.js';
import type { Results } from '../harness/results.js';
import { parseStraceSummary } from '../lab/lab.js';
import { loadgenResult } from './fake-run.js';

const ROOT = path.resolve(__dirname, '..', '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

describe('CPU accounting', () => {
  it('reads utime+stime and schedstat of a real process that burns CPU', async () => {
    // The child spins until it has used 300 ms of CPU by its own account,
    // then reports and waits: the figures do not depend on the machine's speed.
    const child = spawn(
      process.execPath,
      ['-e', "const s=process.cpuUsage();while(process.cpuUsage(s).user<300000){};process.stdout.write('burnt\\n');setTimeout(()=>{},20000)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const pid = child.pid!;
      const before = readCpu(pid);
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const after = readCpu(pid);
      expect(after.ticks).toBeGreaterThanOrEqual(before.ticks);
      expect(after.seconds - before.seconds).toBeGreaterThan(0.15);
      expect((after.schedNs - before.schedNs) / 1e9).toBeGreaterThan(0.15);
      expect(statusKb(pid, 'VmRSS')).toBeGreaterThan(1000);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('throws for a process that does not exist', () => {
    expect(() => readCpu(2 ** 22 + 12345)).toThrow(/ENOENT/);
    expect(statusKb(2 ** 22 + 12345, 'VmRSS')).toBe(-1);
  });
});

describe('analysis', () => {
  const lg = loadgenResult;

  it('takes CPU per message from schedstat, and server utilization', () => {
    const s = toSample('a', 'w', 1, lg(1000, 0.5));
    expect(s.cpuSource).toBe('schedstat');
    expect(s.cpuPerMsgNs).toBeCloseTo(500_000);
    expect(s.util).toBeCloseTo(0.5);
  });

  it('falls back to stat ticks when schedstat is missing', () => {
    const r = lg(1000, 0.5);
    r.server_cpu.sched_s = -1;
    expect(toSample('a', 'w', 1, r).cpuSource).toBe('stat');
  });

  it('summarizes medians and spreads, and flags an unsaturated server', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, 2, 3]).median).toBe(2.5);
    expect(spread([NaN]).n).toBe(0);
    const [sum] = summarize([toSample('a', 'w', 1, lg(1000, 0.5)), toSample('a', 'w', 2, lg(2000, 0.6))]);
    expect(sum.rounds).toBe(2);
    expect(sum.notSaturated).toBe(true);
    expect(sum.cpuPerMsgNs.min).toBeCloseTo(300_000);
  });

  it('pairs ratios by round', () => {
    const samples = [
      toSample('x', 'w', 1, lg(1000, 1)),
      toSample('y', 'w', 1, lg(1000, 0.5)),
      toSample('x', 'w', 2, lg(1000, 3)),
      toSample('y', 'w', 2, lg(1000, 1)),
      toSample('x', 'w', 3, lg(1000, 1)), // no partner in round 3
    ];
    const r = ratio(samples, 'efficiency', 'w', 'x', 'y', 'cpuPerMsgNs')!;
    expect(r.value).toEqual({ median: 2.5, min: 2, max: 3, n: 2 });
    expect(ratio(samples, 'efficiency', 'w', 'x', 'z', 'cpuPerMsgNs')).toBeNull();
  });

  it('calls a C10K RSS ratio a measurement only above the noise floor', () => {
    const idle = (server: string, rssKbGrowth: number) => {
      const r = lg(1000, 0.5);
      r.conns = 10_000;
      r.idle = {
        rss_kb_before: 50_000,
        rss_kb_after: 50_000 + rssKbGrowth,
        sockstat_pages_before: 0,
        sockstat_pages_after: 0,
        page_size: 4096,
        slab_kb_before: 0,
        slab_kb_after: 0,
        connect_s: 1,
      } as NonNullable<LoadgenResult['idle']>;
      return toSample(server, 'c10k', 1, r);
    };
    const rssTarget = (addonKb: number, cKb: number) =>
      targets([idle('addon-blocking-lt', addonKb), idle('c-lt', cKb)], {} as Parameters<typeof targets>[1]).find((t) =>
        t.what.startsWith('C10K RSS per connection, addon blocking LT'),
      )!;
    const noise = rssTarget(730, 600); // 75 B vs 61 B per connection
    expect(noise.met).toBeNull();
    expect(noise.note).toMatch(/not measurable.*75 B vs 61 B/);
    const real = rssTarget(20_000, 10_000); // 2 KiB vs 1 KiB per connection
    expect(real.measured).toBeCloseTo(2);
    expect(real.met).toBe(false);
  });

  it('parses strace -c summaries', () => {
    const text = `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 51.20    0.010000           1     10000      4000 read
 30.00    0.006000           1     10000           write
 18.80    0.004000           2      2000           epoll_wait
------ ----------- ----------- --------- --------- ----------------
100.00    0.020000           0     22000      4000 total
`;
    expect(parseStraceSummary(text)).toEqual({
      read: { calls: 10000, errors: 4000 },
      write: { calls: 10000, errors: 0 },
      epoll_wait: { calls: 2000, errors: 0 },
    });
  });
});

describe('npm run bench -- --quick (tiny)', () => {
  // One retry: the run measures real servers in 0.1 s windows, and a loaded
  // machine can starve one of them for a whole window (seen twice in full
  // runs beside other engineers' builds; never alone).
  it('writes a complete, well-formed result file, report and chart', { timeout: 90_000, retry: 1 }, () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
    try {
      const servers = ['c-lt', 'c-et', 'node-data', 'addon-blocking-lt', 'c-poll'];
      const workloads = ['pp-1x64-samecore', 'pp-100x64', 'stream-1', 'churn', 'c10k'];
      const stdout = execFileSync(
        process.execPath,
        [
          '--import', 'tsx', path.join(ROOT, 'benchmarks', 'run.ts'),
          '--quick', '--servers', servers.join(','), '--workloads', workloads.join(','),
          '--duration', '0.1', '--warmup', '0.02', '--c10k-conns', '200', '--out', out,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 85_000, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(stdout).toMatch(/Targets:/);
      // The table explains its marks and writes percentages plainly.
      expect(stdout).toMatch(/^Results \(quick run, 1 round\)\n⚑ = the server was below 90 % of one core/);
      expect(stdout).not.toMatch(/e\+\d+ %/);
      expect(stdout.match(/ \d+(\.\d)? %$/gm)?.length).toBeGreaterThan(10);
      const files = readdirSync(out);
      const json = files.find((f) => f.endsWith('.json') && f !== 'latest.json');
      expect(json).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
      expect(files).toEqual(expect.arrayContaining(['latest.json', 'latest.md', 'latest.svg', 'latest-detail.svg']));
      const r = JSON.parse(readFileSync(path.join(out, json!), 'utf8')) as Results;

      expect(r.schema).toBe(2);
      expect(r.mode).toBe('quick');
      expect(r.rounds).toBe(1);
      expect(r.headline.some((h) => h.server === 'node-data' && h.reference === 'c-lt' && h.workload === 'pp-100x64')).toBe(true);
      expect(r.machine).toMatchObject({ cores: expect.any(Number), cpuModel: expect.any(String), kernel: expect.stringMatching(/Linux/) });
      expect(r.machine.node).toBe(process.version);
      expect(r.machine.libuv).toBe(process.versions.uv);
      expect(r.failures).toEqual([]);
      expect(r.servers.map((s) => s.id)).toEqual(servers);
      for (const s of r.servers) {
        if (s.id.startsWith('addon')) {
          expect(['ok', 'skipped']).toContain(s.status);
          if (s.status === 'skipped') expect(s.reason).toMatch(/does not export/);
        } else expect(s.status).toBe('ok');
      }
      // One sample per (running server, workload), each verified and accounted.
      const running = r.servers.filter((s) => s.status === 'ok').map((s) => s.id);
      for (const server of running) {
        for (const workload of workloads) {
          if (server === 'c-poll' && workload !== 'c10k') continue;
          const got = r.samples.filter((s) => s.server === server && s.workload === workload);
          expect(got, `${server} ${workload}`).toHaveLength(1);
          const s = got[0];
          expect(s.ok, `${server} ${workload}: ${s.error}`).toBe(true);
          expect(s.messages).toBeGreaterThan(0);
          expect(s.cpuS).toBeGreaterThanOrEqual(0);
          expect(s.raw.server_cpu.pid).toBeGreaterThan(0);
          expect(s.windowS).toBeGreaterThan(0);
          if (workload === 'c10k') {
            expect(s.raw.idle).toMatchObject({ rss_kb_before: expect.any(Number), rss_kb_after: expect.any(Number) });
            expect(s.raw.idle!.rss_kb_before).toBeGreaterThan(0);
            expect(s.idle?.conns).toBe(200);
          }
        }
      }
      expect(r.summaries.length).toBeGreaterThan(0);
      expect(r.targets.length).toBeGreaterThan(10);
      expect(r.ratios.some((x) => x.kind === 'et/lt' && x.workload === 'pp-100x64')).toBe(true);
      expect(r.micro.binding?.cRecvNs).toBeGreaterThan(0);
      expect(r.micro.binding?.addonRecvNs).toBeGreaterThan(0);
      expect(r.micro.alloc).toBeDefined();
      expect(r.lab && 'scenarios' in r.lab ? r.lab.scenarios.map((s) => s.id) : []).toEqual([
        'small-echo',
        'large-small-buffer',
        'write-backpressure',
      ]);
      // Every scenario in both epoll modes and on io_uring, each run to its end.
      for (const s of r.lab && 'scenarios' in r.lab ? r.lab.scenarios : []) {
        expect(s.modes.map((m) => m.mode), s.id).toEqual(['lt', 'et', 'uring']);
        for (const m of s.modes) expect(m.cpuPerMsgNs, `${s.id} ${m.mode}: ${m.error}`).toBeGreaterThan(0);
      }

      const md = readFileSync(path.join(out, 'latest.md'), 'utf8');
      for (const heading of ['## Targets', '## Results by workload', '## C10K memory', '## Ratios', '## Microbenchmarks', '## Edge- vs level-triggered lab'])
        expect(md).toContain(heading);
      expect(md).toContain('| io_uring_enter |');
      expect(md.match(/^Expected of io_uring: /gm)).toHaveLength(3);
      for (const name of ['latest.svg', 'latest-detail.svg']) {
        const svg = readFileSync(path.join(out, name), 'utf8');
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg.trim().endsWith('</svg>')).toBe(true);
        expect(svg.match(/<text/g)?.length).toBe(svg.match(/<\/text>/g)?.length);
      }

      // --report re-renders the report from the JSON alone, beside it, named after it.
      rmSync(path.join(out, 'latest.md'));
      execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'benchmarks', 'run.ts'), '--report', path.join(out, 'latest.json')], {
        cwd: ROOT,
        timeout: 30_000,
        stdio: 'ignore',
      });
      expect(readFileSync(path.join(out, 'latest.md'), 'utf8')).toBe(md);
      const base = json!.replace(/\.json$/, '');
      execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'benchmarks', 'run.ts'), '--report', path.join(out, json!)], {
        cwd: ROOT,
        timeout: 30_000,
        stdio: 'ignore',
      });
      expect(readFileSync(path.join(out, `${base}.md`), 'utf8')).toBe(md.replaceAll('latest', base));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

// In this file, not beside the options' tests: runs of the benchmark in one
// file run one after the other, and do not slow each other down.
describe('a quick run by a user', () => {
  it('leaves git status as it was, and says where its files went', { timeout: 60_000 }, () => {
    const before = git('status', '--porcelain', '--untracked-files=all');
    const stdout = execFileSync(
      process.execPath,
      [
        '--import', 'tsx', path.join(ROOT, 'benchmarks', 'run.ts'),
        '--quick', '--servers', 'c-lt', '--workloads', 'pp-100x64', '--duration', '0.05', '--warmup', '0', '--no-micro', '--no-lab',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 55_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const wrote = /^wrote (.*)$/m.exec(stdout)?.[1].split(', ') ?? [];
    try {
      expect(wrote.length).toBe(5);
      for (const f of wrote) expect(path.resolve(ROOT, f).startsWith(LOCAL_DIR + path.sep), f).toBe(true);
      expect(stdout).toMatch(/--publish replaces it with a full run/);
      expect(git('status', '--porcelain', '--untracked-files=all')).toBe(before);
    } finally {
      // Only the history file is new; latest.* in the local folder are meant to be replaced.
      for (const f of wrote) if (!path.basename(f).startsWith('latest')) rmSync(path.resolve(ROOT, f), { force: true });
    }
  });
});

/** Pids of the live processes whose parent is `ppid`. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === ppid && f[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('interrupting a run', () => {
  it('SIGINT stops every server and load generator it started', { timeout: 40_000 }, async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bench-int-'));
    const runner = spawn(
      process.execPath,
      [
        '--import', 'tsx', path.join(ROOT, 'benchmarks', 'run.ts'),
        '--servers', 'c-lt,node-data', '--workloads', 'pp-100x64', '--duration', '20',
        '--rounds', '1', '--no-warmup-round', '--no-micro', '--no-lab', '--out', out,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      // Wait until both servers and a load generator run (3 children).
      let kids: number[] = [];
      for (let i = 0; i < 300 && kids.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 50));
        kids = childrenOf(runner.pid!);
      }
      expect(kids.length).toBeGreaterThanOrEqual(3);
      const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
      runner.kill('SIGINT');
      expect(await exited).toBe(130);
      for (let i = 0; i < 40 && kids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      expect(kids.filter(alive)).toEqual([]);
      expect(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.json'))).toBe(false);
    } finally {
      if (runner.exitCode === null) runner.kill('SIGKILL');
      rmSync(out, { recursive: true, force: true });
    }
  });
});
