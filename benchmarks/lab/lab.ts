// The edge- vs level-triggered lab: the same C echo server in both modes,
// under traffic chosen to show where each wins. For every scenario and mode:
//   - system calls per message, counted by `strace -f -c` around the whole
//     server process (a short run; strace slows the server, not its counts);
//   - server CPU per message and throughput from a second run without strace.
// The waiters scenario (several threads on one listening socket) runs in
// worker_threads through the addon: waiters.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toSample, type LoadgenResult } from '../harness/analyze.js';
import { binPath, BENCH_DIR } from '../harness/build.js';
import { collect, run, spawnTracked, stop } from '../harness/children.js';
import { fmt } from '../harness/format.js';
import { hasCommand } from '../harness/proc.js';
import type { Progress } from '../harness/progress.js';

export interface LabScenario {
  id: string;
  title: string;
  expectation: string;
  serverArgs: string[];
  loadgenArgs: string[];
}

export const LAB_SCENARIOS: readonly LabScenario[] = [
  {
    id: 'small-echo',
    title: 'small echo: 10 connections x 64 B ping-pong, 64 KiB server buffer',
    expectation: 'nearly equal: one read empties the socket either way; ET pays one extra read that returns EAGAIN per wake-up',
    serverArgs: [],
    loadgenArgs: ['--mode', 'pingpong', '--conns', '10', '--size', '64'],
  },
  {
    id: 'large-small-buffer',
    title: 'large messages, small buffer: 10 x 64 KiB ping-pong, 4 KiB server buffer',
    expectation: 'LT returns to epoll_wait for every 4 KiB (one wake-up per read); ET drains in a loop with one wake-up',
    serverArgs: ['--buf', '4096'],
    loadgenArgs: ['--mode', 'pingpong', '--conns', '10', '--size', '65536'],
  },
  {
    id: 'write-backpressure',
    title: 'write back-pressure: 1 connection streaming 64 KiB chunks, server SO_SNDBUF 32 KiB (the kernel doubles it)',
    expectation:
      'LT must epoll_ctl(MOD) to EPOLLOUT and back around every short write; ET registered EPOLLOUT once. ' +
      'Throughput here is set by TCP ACK timing with a small send buffer (strace -T shows ~40 ms delayed-ACK stalls, more of them in ET), ' +
      'so compare system calls and CPU per message, not messages per second',
    serverArgs: ['--sndbuf', '32768'],
    loadgenArgs: ['--mode', 'stream', '--conns', '1'],
  },
];

/** Steps the progress counts for the lab: each scenario in both modes, then the waiters. */
export const LAB_STEPS = LAB_SCENARIOS.length * 2 + 1;

const COUNTED = ['epoll_wait', 'epoll_pwait', 'read', 'write', 'epoll_ctl', 'accept4'];

export interface StraceCounts {
  [syscall: string]: { calls: number; errors: number };
}

/** Parses the table `strace -c` writes. */
export function parseStraceSummary(text: string): StraceCounts {
  const out: StraceCounts = {};
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 5 || !/^\d+\.\d+$/.test(t[0]) || t[t.length - 1] === 'total') continue;
    const name = t[t.length - 1];
    out[name] = { calls: Number(t[3]), errors: t.length >= 6 ? Number(t[4]) : 0 };
  }
  return out;
}

export interface LabModeResult {
  mode: 'lt' | 'et';
  messages: number;
  syscallsPerMsg: Record<string, number>;
  eagainPerMsg: number;
  totalPerMsg: number;
  cpuPerMsgNs: number;
  msgsPerS: number;
  error?: string;
}

export interface LabResult {
  scenarios: Array<{ id: string; title: string; expectation: string; modes: LabModeResult[] }>;
  waiters: unknown;
  strace: boolean;
  note?: string;
}

interface LabOptions {
  duration: number;
  serverCpu: number | null;
  loadgenCpu: number | null;
  progress: Progress;
  waiterWorkers: number;
}

async function startServer(cmd: string[], cpu: number | null): Promise<{ child: ReturnType<typeof spawnTracked>; port: number }> {
  const child = spawnTracked(cmd, cpu, 'pipe');
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "ready" from ${cmd.join(' ')}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before "ready"`));
    });
  });
  return { child, port };
}

async function loadgen(port: number, pid: number, args: string[], o: LabOptions): Promise<LoadgenResult> {
  const r = await run(
    [binPath('loadgen'), '--port', String(port), '--server-pid', String(pid), '--warmup', '0', '--duration', String(o.duration), ...args],
    o.loadgenCpu,
    (o.duration + 30) * 1000,
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as LoadgenResult;
  } catch {
    return { ok: false, error: `load generator: ${r.stderr.trim() || line || `exit ${r.code}`}` } as LoadgenResult;
  }
}

async function runMode(s: LabScenario, mode: 'lt' | 'et', o: LabOptions, tmp: string, strace: boolean): Promise<LabModeResult> {
  const serverCmd = [binPath('echo-server'), mode, '0', '--watch-stdin', '--nodelay', ...s.serverArgs];
  const result: LabModeResult = { mode, messages: 0, syscallsPerMsg: {}, eagainPerMsg: NaN, totalPerMsg: NaN, cpuPerMsgNs: NaN, msgsPerS: NaN };
  // 1. CPU and throughput, no tracer attached.
  {
    const { child, port } = await startServer(serverCmd, o.serverCpu);
    try {
      const r = await loadgen(port, child.pid!, s.loadgenArgs, o);
      if (!r.ok) result.error = r.error;
      else {
        const sample = toSample(`c-${mode}`, s.id, 0, r);
        result.cpuPerMsgNs = sample.cpuPerMsgNs;
        result.msgsPerS = sample.msgsPerS;
      }
    } finally {
      await stop(child);
    }
  }
  if (!strace) return result;
  // 2. System calls per message, under strace.
  const file = path.join(tmp, `${s.id}-${mode}.txt`);
  const traced = ['strace', '-f', '-c', '-o', file, '-e', `trace=${COUNTED.join(',')}`, ...serverCmd];
  const { child, port } = await startServer(traced, o.serverCpu);
  let r: LoadgenResult;
  try {
    r = await loadgen(port, 0, s.loadgenArgs, o);
  } finally {
    await stop(child, 3000);
  }
  if (!r.ok) {
    result.error = r.error;
    return result;
  }
  const counts = parseStraceSummary(readFileSync(file, 'utf8'));
  result.messages = r.messages;
  let total = 0;
  let eagain = 0;
  for (const name of COUNTED) {
    const c = counts[name];
    if (!c) continue;
    result.syscallsPerMsg[name === 'epoll_pwait' ? 'epoll_wait' : name] = (result.syscallsPerMsg[name] ?? 0) + c.calls / r.messages;
    total += c.calls;
    if (name === 'read' || name === 'write') eagain += c.errors;
  }
  result.totalPerMsg = total / r.messages;
  result.eagainPerMsg = eagain / r.messages;
  return result;
}

export async function runLab(o: LabOptions): Promise<LabResult> {
  const strace = hasCommand('strace');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-lab-'));
  const result: LabResult = { scenarios: [], waiters: null, strace };
  if (!strace) result.note = 'strace not found: system calls per message not counted';
  try {
    for (const s of LAB_SCENARIOS) {
      const modes: LabModeResult[] = [];
      for (const mode of ['lt', 'et'] as const) {
        o.progress.begin(`lab ${s.id} ${mode}`);
        const m = await runMode(s, mode, o, tmp, strace);
        modes.push(m);
        o.progress.step('lab', `${s.id} ${mode}`, m.error ? `FAILED: ${m.error}` : `${fmt(m.cpuPerMsgNs)} ns/message, ${fmt(m.totalPerMsg)} system calls/message`);
      }
      result.scenarios.push({ id: s.id, title: s.title, expectation: s.expectation, modes });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  o.progress.begin('lab waiters (worker_threads)');
  const w = spawnTracked(
    [process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'lab', 'waiters.ts'), binPath('loadgen'), String(o.waiterWorkers), String(o.duration)],
    null,
  );
  const done = await collect(w, 120_000);
  try {
    result.waiters = JSON.parse(done.stdout.trim().split('\n').pop() ?? '');
  } catch {
    result.waiters = { error: (done.stderr || done.stdout || `exit ${done.code}`).trim().slice(0, 500) };
  }
  const waiterError = (result.waiters as { error?: string } | null)?.error;
  o.progress.step('lab', 'waiters (worker_threads)', waiterError ? `FAILED: ${waiterError}` : '');
  return result;
}
