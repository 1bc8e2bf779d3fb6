// `npm run bench`: the addon's epoll servers against Node's net (libuv) and
// the same server in C, and edge- against level-triggered epoll, measured in
// one run. See docs/benchmarks.md for the method; `--help` for the options.
import * as path from 'node:path';
import { allRatios, summarize, targets, toSample, type LoadgenResult, type Sample } from './harness/analyze.js';
import { binPath, ensureBinaries } from './harness/build.js';
import { killAll, run, spawnTracked, stop } from './harness/children.js';
import { SERVERS, WORKLOADS, serverRuns, type ServerDef, type WorkloadDef } from './harness/defs.js';
import { fmt, fmtPercent } from './harness/format.js';
import { headline } from './harness/headline.js';
import { runTitle } from './harness/headline-chart.js';
import { MICRO_STEPS, runMicro } from './harness/micro.js';
import { PUBLISHED_DIR, parseOptions, runMode } from './harness/options.js';
import { loadResults, renderFiles, writeRun } from './harness/outputs.js';
import { machineInfo } from './harness/proc.js';
import { Progress } from './harness/progress.js';
import { textTable } from './harness/report.js';
import { SCHEMA_VERSION, type BenchOptions, type Results, type ServerStatus } from './harness/results.js';
import { LAB_STEPS, runLab } from './lab/lab.js';
import { EXIT_UNAVAILABLE, missing } from './servers/api.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Live {
  def: ServerDef;
  child: ReturnType<typeof spawnTracked>;
  pid: number;
  port: number;
}

/** Starts a server and waits for "ready <port>"; a server whose API is absent reports EXIT_UNAVAILABLE. */
async function startServer(def: ServerDef, cpu: number | null, status: ServerStatus): Promise<Live | null> {
  const child = spawnTracked(def.command(0, ['--nodelay', '--watch-stdin']), cpu, 'pipe');
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const line of d.split('\n')) if (line.startsWith('note:') && !status.notes.includes(line.slice(6))) status.notes.push(line.slice(6));
  });
  return new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => {
      status.status = 'failed';
      status.reason = 'no "ready" line within 20 s';
      void stop(child).then(() => resolve(null));
    }, 20_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^ready (\d+)$/m.exec(out);
      if (m && child.pid !== undefined) {
        clearTimeout(timer);
        resolve({ def, child, pid: child.pid, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (status.status === 'ok' && !/^ready/m.test(out)) {
        status.status = code === EXIT_UNAVAILABLE ? 'skipped' : 'failed';
        status.reason = stderr.trim().split('\n').pop() || `exited with ${code}`;
        resolve(null);
      }
    });
  });
}

async function loadgen(
  live: Live,
  w: WorkloadDef,
  o: BenchOptions,
  cpu: number | null,
  duration: number,
  warmup: number,
): Promise<LoadgenResult> {
  const conns = w.mode === 'idle' ? o.c10kConns : w.conns;
  const args = [
    binPath('loadgen'),
    '--port', String(live.port),
    '--server-pid', String(live.pid),
    '--mode', w.mode,
    '--conns', String(conns),
    '--size', String(w.size),
    '--depth', String(w.depth ?? 1),
    '--duration', String(duration),
    '--warmup', String(warmup),
  ];
  if (w.mode === 'idle') args.push('--active', String(Math.min(w.active ?? 0, conns)), '--hold', o.quick ? '0.2' : '0.5');
  const budget = duration + warmup + 60;
  args.push('--deadline', String(budget - 5));
  const r = await run(args, cpu, budget * 1000);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as LoadgenResult;
  } catch {
    return { ok: false, error: r.timedOut ? 'load generator timed out' : `load generator: ${r.stderr.trim() || `exit ${r.code}`}` } as LoadgenResult;
  }
}

/** A step's result, for its progress line: `6959 ns/message  138.6 k/s  cpu 96 %`. */
function stepDetail(w: WorkloadDef, d: ServerDef, r: LoadgenResult): string {
  if (!r.ok) return `FAILED: ${r.error}`;
  const s = toSample(d.id, w.id, 0, r);
  const rate = w.mode === 'stream' ? `${(s.bytesPerS / 1e9).toFixed(2)} GB/s` : `${fmt(s.msgsPerS)}/s`;
  return `${fmt(s.cpuPerMsgNs)} ns/${w.unit}  ${rate}  cpu ${fmtPercent(s.util)}`;
}

/** Re-renders a saved run beside its JSON file: <name>.md, <name>.svg, <name>-detail.svg. */
function report(file: string): number {
  const r = loadResults(file);
  const files = renderFiles(r, path.dirname(file), path.basename(file, '.json'));
  process.stdout.write(`${textTable(r)}\n\nre-rendered ${runTitle(r)} of ${r.startedAt}: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
  return 0;
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o.report) return report(o.report);
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  for (const p of ensureBinaries(log)) log(`compiled benchmarks/bin/${p}`);
  const machine = machineInfo();
  let serverCpu: number | null = null;
  let loadgenCpu: number | null = null;
  let pinNote: string;
  if (!o.pin) pinNote = 'off (--no-pin)';
  else if (!machine.taskset) pinNote = 'off: taskset not found, the scheduler places server and load generator';
  else if (machine.cores < 2) pinNote = 'one core: server and load generator share it';
  else {
    serverCpu = machine.cores - 1;
    loadgenCpu = machine.cores - 2;
    pinNote = `server on CPU ${serverCpu}, load generator on CPU ${loadgenCpu} (taskset); same-core workloads put both on CPU ${serverCpu}`;
  }
  const mode = runMode(o);
  log(`bench: ${mode} run, ${o.rounds} round${o.rounds === 1 ? '' : 's'}; results go to ${path.relative(process.cwd(), o.out) || '.'}${o.publish ? ' and, published, benchmarks/results/' : ''}`);
  log(`bench: ${machine.cpuModel}, ${machine.cores} cores, ${machine.kernel}, Node ${machine.node}, libuv ${machine.libuv}`);
  log(`bench: pinning ${pinNote}`);

  const defs = SERVERS.filter((s) => o.servers.includes(s.id));
  const workloads = WORKLOADS.filter((w) => o.workloads.includes(w.id)).map((w) =>
    w.mode === 'idle' ? { ...w, conns: o.c10kConns, active: Math.min(w.active ?? 0, o.c10kConns), label: w.label.replace('10,000', o.c10kConns.toLocaleString('en-US')) } : w,
  );
  const statuses: ServerStatus[] = defs.map((d) => ({ id: d.id, label: d.label, family: d.family, mode: d.mode, status: 'ok', notes: [] }));
  const statusOf = (id: string) => statuses.find((s) => s.id === id)!;
  for (const d of defs) {
    const absent = missing(d.requires);
    if (absent.length) {
      statusOf(d.id).status = 'skipped';
      statusOf(d.id).reason = `posix-sockets does not export ${absent.join(', ')} yet`;
      log(`bench: skipping ${d.id}: ${statusOf(d.id).reason}`);
    }
  }
  const runnable = defs.filter((d) => statusOf(d.id).status === 'ok');
  const samples: Sample[] = [];
  const failures: string[] = [];
  const steady = workloads.filter((w) => w.mode !== 'idle');
  const idle = workloads.filter((w) => w.mode === 'idle');
  const cells = steady.flatMap((w) => runnable.filter((d) => serverRuns(d, w)).map((d) => [w, d] as const));
  const idleCells = idle.flatMap((w) => runnable.filter((d) => serverRuns(d, w)).map((d) => [w, d] as const));
  // A priori seconds per step; the run's own pace corrects them (progress.ts).
  const perRun = o.duration + o.warmup + 0.15;
  const progress = new Progress(
    [
      { phase: 'servers', steps: (o.warmupRound ? cells.length : 0) + o.rounds * cells.length, secondsEach: perRun },
      { phase: 'c10k', steps: o.rounds * idleCells.length, secondsEach: perRun + 1 + o.c10kConns / 5000 },
      { phase: 'micro', steps: o.micro ? MICRO_STEPS : 0, secondsEach: o.microIterations / 1e6 + 1 },
      { phase: 'lab', steps: o.lab ? LAB_STEPS : 0, secondsEach: o.quick ? 1.5 : 2.5 },
    ],
    process.stderr,
  );

  // Long-lived servers for the steady workloads: one process per server for
  // all rounds, so that rounds interleave the servers (A B A B ...).
  const live = new Map<string, Live>();
  const ensureLive = async (d: ServerDef): Promise<Live | null> => {
    const l = live.get(d.id);
    if (l && l.child.exitCode === null && l.child.signalCode === null) return l;
    if (l) failures.push(`${d.id} died during the run (exit ${l.child.exitCode ?? l.child.signalCode}); restarted`);
    const started = await startServer(d, serverCpu, statusOf(d.id));
    if (started) live.set(d.id, started);
    else live.delete(d.id);
    return started;
  };
  const record = (w: WorkloadDef, d: ServerDef, round: number, r: LoadgenResult) => {
    const sample = toSample(d.id, w.id, round, r);
    if (!r.ok) {
      sample.error = r.error;
      failures.push(`round ${round} ${w.id} ${d.id}: ${r.error}`);
    }
    samples.push(sample);
  };
  const what = (tag: string, w: WorkloadDef, d: ServerDef) => `${tag.padEnd(7)} ${w.id.padEnd(17)} ${d.id.padEnd(18)}`;
  try {
    if (cells.length) {
      progress.begin(`starting ${new Set(cells.map(([, d]) => d.id)).size} servers`);
      await Promise.all([...new Set(cells.map(([, d]) => d))].map((d) => ensureLive(d)));
      for (const s of statuses) if (s.status !== 'ok') progress.log(`bench: ${s.id} ${s.status}: ${s.reason}`);
    }
    const measure = async (w: WorkloadDef, d: ServerDef, round: number, warm: boolean) => {
      const tag = warm ? 'warm-up' : `r${round}`;
      const l = statusOf(d.id).status === 'ok' ? await ensureLive(d) : null;
      if (!l) return progress.skip('servers');
      progress.begin(what(tag, w, d).replace(/ +/g, ' '));
      const cpu = w.sameCore ? serverCpu : loadgenCpu;
      const r = await loadgen(l, w, o, cpu, warm ? Math.min(0.3, o.duration) : o.duration, warm ? 0.05 : o.warmup);
      progress.step('servers', what(tag, w, d), stepDetail(w, d, r));
      if (!warm) record(w, d, round, r);
      else if (!r.ok) failures.push(`warm-up ${w.id} ${d.id}: ${r.error}`);
    };
    if (o.warmupRound) for (const [w, d] of cells) await measure(w, d, 0, true);
    for (let round = 1; round <= o.rounds; round++) for (const [w, d] of cells) await measure(w, d, round, false);
    await Promise.all([...live.values()].map((l) => stop(l.child)));
    live.clear();

    // Idle-connection workloads: a fresh server process each time, so that
    // its memory growth belongs to these connections alone.
    for (let round = 1; round <= o.rounds; round++) {
      for (const [w, d] of idleCells) {
        progress.begin(what(`r${round}`, w, d).replace(/ +/g, ' '));
        const l = statusOf(d.id).status === 'ok' ? await startServer(d, serverCpu, statusOf(d.id)) : null;
        if (!l) {
          progress.skip('c10k');
          continue;
        }
        try {
          const r = await loadgen(l, w, o, loadgenCpu, o.duration, o.warmup);
          progress.step('c10k', what(`r${round}`, w, d), stepDetail(w, d, r));
          record(w, d, round, r);
        } finally {
          await stop(l.child);
        }
      }
    }

    const microResult = o.micro ? await runMicro(o, serverCpu, progress) : {};
    const lab = o.lab
      ? await runLab({ duration: o.quick ? 0.2 : 0.5, serverCpu, loadgenCpu, progress, waiterWorkers: 4 })
      : { skipped: '--no-lab' };
    progress.finish();

    const results: Results = {
      schema: SCHEMA_VERSION,
      mode,
      rounds: o.rounds,
      startedAt,
      finishedAt: new Date().toISOString(),
      elapsedS: (Date.now() - t0) / 1000,
      options: o,
      machine,
      pinning: { serverCpu, loadgenCpu, note: pinNote },
      method: {
        cpuSource:
          'server CPU = sum of its threads\' run time from /proc/<pid>/task/*/schedstat (ns), read by the load generator at the start and end of the window; ' +
          'utime+stime from /proc/<pid>/stat (clock ticks) is recorded beside it as a cross-check',
        messageDefinitions: {
          pingpong: 'one S-byte request whose whole echo came back',
          stream: 'one 64 KiB chunk echoed back (each byte read and written once by the server); GB/s counts echoed payload',
          churn: 'one connection: connect, 64 B round trip, close with reset (SO_LINGER 0, so no TIME_WAIT)',
          idle: 'as pingpong, on the active connections only',
        },
      },
      servers: statuses,
      workloads,
      samples,
      summaries: summarize(samples),
      ratios: allRatios(samples, workloads.map((w) => w.id)),
      headline: headline(samples, statuses.map((s) => s.id)),
      targets: targets(samples, microResult),
      micro: microResult,
      lab,
      failures,
    };
    const { local, published } = writeRun(results, o.out, startedAt.replace(/[:.]/g, '-'), o.publish ? PUBLISHED_DIR : null);
    process.stdout.write(`${textTable(results)}\n\n`);
    if (failures.length) process.stdout.write(`FAILURES:\n${failures.map((f) => `  ${f}`).join('\n')}\n\n`);
    const rel = (files: string[]) => files.map((f) => path.relative(process.cwd(), f)).join(', ');
    process.stdout.write(`wrote ${rel(local)}\n`);
    if (published.length) process.stdout.write(`published ${rel(published)}: commit them with the README's figures\n`);
    else process.stdout.write(`(benchmarks/results/latest.* is the published run; --publish replaces it with a full run)\n`);
    return failures.some((f) => !f.includes('restarted')) ? 1 : 0;
  } finally {
    progress.finish();
    await Promise.all([...live.values()].map((l) => stop(l.child)));
    killAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    killAll();
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
