// `npm run bench`: the addon's epoll servers against Node's net (libuv) and
// the same server in C, and edge- against level-triggered epoll, measured in
// one run. See docs/benchmarks.md for the method; `--help` for the options.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { allRatios, summarize, targets, toSample, type LoadgenResult, type MicroResult, type Sample } from './harness/analyze.js';
import { BENCH_DIR, binPath, ensureBinaries } from './harness/build.js';
import { svgChart } from './harness/chart.js';
import { killAll, run, spawnTracked, stop } from './harness/children.js';
import { SERVERS, WORKLOADS, serverRuns, type ServerDef, type WorkloadDef } from './harness/defs.js';
import { fmt } from './harness/format.js';
import { machineInfo } from './harness/proc.js';
import { markdownReport, textTable } from './harness/report.js';
import { SCHEMA_VERSION, type BenchOptions, type Results, type ServerStatus } from './harness/results.js';
import { runLab } from './lab/lab.js';
import { EXIT_UNAVAILABLE, missing } from './servers/api.js';

const HELP = `npm run bench -- [options]

  --quick                 short everything (under a minute): 1 round, 0.2 s windows, 2000-connection C10K
  --servers a,b,...       servers to run (default: all): ${SERVERS.map((s) => s.id).join(', ')}
  --workloads a,b,...     workloads to run (default: all): ${WORKLOADS.map((w) => w.id).join(', ')}
  --duration S            measured window per run, seconds (default 0.8; quick 0.2)
  --warmup S              warm-up inside each run before the window, seconds (default 0.2; quick 0.05)
  --rounds N              measured rounds, interleaved across servers (default 3; quick 1)
  --no-warmup-round       skip the discarded warm-up round (default on; off with --quick)
  --c10k-conns N          idle connections of the C10K workload (default 10000; quick 2000)
  --no-pin                do not pin server and load generator to cores
  --no-micro              skip the binding-overhead and allocation microbenchmarks
  --no-lab                skip the edge- vs level-triggered lab
  --out DIR               where results go (default benchmarks/results)
  --report FILE.json      only rewrite the Markdown report and SVG chart from a result file
  --help`;

function parseOptions(argv: string[]): BenchOptions & { report?: string } {
  const quick = argv.includes('--quick');
  const o: BenchOptions & { report?: string } = {
    quick,
    servers: SERVERS.map((s) => s.id),
    workloads: WORKLOADS.map((w) => w.id),
    duration: quick ? 0.2 : 0.8,
    warmup: quick ? 0.05 : 0.2,
    rounds: quick ? 1 : 3,
    warmupRound: !quick,
    c10kConns: quick ? 2000 : 10000,
    pin: true,
    micro: true,
    lab: true,
    microIterations: quick ? 200_000 : 2_000_000,
    allocEvents: quick ? 100_000 : 1_000_000,
    out: path.join(BENCH_DIR, 'results'),
  };
  const list = (v: string, known: string[], what: string) => {
    const ids = v.split(',').filter(Boolean);
    for (const id of ids) if (!known.includes(id)) throw new Error(`unknown ${what} '${id}' (known: ${known.join(', ')})`);
    return ids;
  };
  const num = (v: string | undefined, name: string, min: number) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || x < min) throw new Error(`${name} needs a number >= ${min}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--quick':
        break;
      case '--servers':
        o.servers = list(next() ?? '', SERVERS.map((s) => s.id), 'server');
        break;
      case '--workloads':
        o.workloads = list(next() ?? '', WORKLOADS.map((w) => w.id), 'workload');
        break;
      case '--duration':
        o.duration = num(next(), a, 0.05);
        break;
      case '--warmup':
        o.warmup = num(next(), a, 0);
        break;
      case '--rounds':
        o.rounds = Math.floor(num(next(), a, 1));
        break;
      case '--no-warmup-round':
        o.warmupRound = false;
        break;
      case '--c10k-conns':
        o.c10kConns = Math.floor(num(next(), a, 1));
        break;
      case '--no-pin':
        o.pin = false;
        break;
      case '--no-micro':
        o.micro = false;
        break;
      case '--no-lab':
        o.lab = false;
        break;
      case '--out':
        o.out = path.resolve(next() ?? '.');
        break;
      case '--report':
        o.report = path.resolve(next() ?? '');
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${a}' (see --help)`);
    }
  }
  return o;
}

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

async function micro(o: BenchOptions, cpu: number | null): Promise<MicroResult & { raw?: unknown }> {
  const result: MicroResult & { raw?: unknown } = {};
  log('micro: binding overhead');
  const c = await run([binPath('syscall-loop'), String(o.microIterations)], cpu, 120_000);
  const js = await run([process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'micro', 'binding.ts'), String(o.microIterations)], cpu, 120_000);
  try {
    const cj = JSON.parse(c.stdout) as { recv_ns: number; epoll_wait_ns: number };
    const jj = JSON.parse(js.stdout) as { recv_ns: number; raw_recv_ns: number; epoll_wait_ns: number | null };
    result.binding = { cRecvNs: cj.recv_ns, cEpollWaitNs: cj.epoll_wait_ns, addonRecvNs: jj.recv_ns, rawRecvNs: jj.raw_recv_ns, addonEpollWaitNs: jj.epoll_wait_ns };
  } catch {
    log(`micro: binding overhead failed: ${c.stderr}${js.stderr}`.trim());
  }
  log('micro: JS heap per event');
  const a = await run(
    [process.execPath, '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=128', '--import', 'tsx', path.join(BENCH_DIR, 'micro', 'alloc.ts'), String(o.allocEvents)],
    cpu,
    120_000,
  );
  try {
    result.alloc = JSON.parse(a.stdout);
  } catch {
    result.alloc = { skipped: `failed${a.timedOut ? ' (timed out)' : ''}: ${(a.stderr || a.stdout).trim().slice(0, 300)}` };
  }
  return result;
}

function writeOutputs(r: Results, out: string, stamp: string | null): string[] {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  if (stamp) {
    // <stamp>.json for the history; latest.json beside latest.md and
    // latest.svg, so the published report ships with the samples behind it.
    for (const name of [`${stamp}.json`, 'latest.json']) {
      writeFileSync(path.join(out, name), `${JSON.stringify(r, null, 1)}\n`);
      files.push(path.join(out, name));
    }
  }
  const md = markdownReport(r);
  const svg = svgChart(r);
  for (const [name, text] of [['latest.md', md], ['latest.svg', svg]] as const) {
    writeFileSync(path.join(out, name), text);
    files.push(path.join(out, name));
  }
  return files;
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o.report) {
    const stored = JSON.parse(readFileSync(o.report, 'utf8')) as Results;
    // The analysis is recomputed from the raw samples, so a report rewritten
    // after the analysis improved shows what the samples say now.
    const r: Results = {
      ...stored,
      summaries: summarize(stored.samples),
      ratios: allRatios(stored.samples, stored.workloads.map((w) => w.id)),
      targets: targets(stored.samples, stored.micro),
    };
    const files = writeOutputs(r, path.dirname(o.report), null);
    process.stdout.write(`${textTable(r)}\n\nwrote ${files.join(', ')}\n`);
    return 0;
  }
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
  const total = (o.warmupRound ? cells.length : 0) + o.rounds * (cells.length + idleCells.length);
  let done = 0;
  const progress = (tag: string, w: WorkloadDef, d: ServerDef, r: LoadgenResult) => {
    done++;
    const s = r.ok ? toSample(d.id, w.id, 0, r) : null;
    const what = s
      ? `${fmt(s.cpuPerMsgNs)} ns/${w.unit}  ${w.mode === 'stream' ? `${(s.bytesPerS / 1e9).toFixed(2)} GB/s` : `${fmt(s.msgsPerS)}/s`}  cpu ${fmt(s.util * 100, 2)} %`
      : `FAILED: ${r.error}`;
    log(`[${String(done).padStart(String(total).length)}/${total}] ${tag.padEnd(7)} ${w.id.padEnd(17)} ${d.id.padEnd(18)} ${what}`);
  };

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
  try {
    if (cells.length) {
      log(`bench: starting ${new Set(cells.map(([, d]) => d.id)).size} servers`);
      await Promise.all([...new Set(cells.map(([, d]) => d))].map((d) => ensureLive(d)));
      for (const s of statuses) if (s.status !== 'ok') log(`bench: ${s.id} ${s.status}: ${s.reason}`);
    }
    const measure = async (w: WorkloadDef, d: ServerDef, round: number, warm: boolean) => {
      if (statusOf(d.id).status !== 'ok') return;
      const l = await ensureLive(d);
      if (!l) return;
      const cpu = w.sameCore ? serverCpu : loadgenCpu;
      const r = await loadgen(l, w, o, cpu, warm ? Math.min(0.3, o.duration) : o.duration, warm ? 0.05 : o.warmup);
      progress(warm ? 'warm-up' : `r${round}`, w, d, r);
      if (warm) {
        if (!r.ok) failures.push(`warm-up ${w.id} ${d.id}: ${r.error}`);
        return;
      }
      const sample = toSample(d.id, w.id, round, r);
      if (!r.ok) {
        sample.error = r.error;
        failures.push(`round ${round} ${w.id} ${d.id}: ${r.error}`);
      }
      samples.push(sample);
    };
    if (o.warmupRound) for (const [w, d] of cells) await measure(w, d, 0, true);
    for (let round = 1; round <= o.rounds; round++) {
      for (const w of steady) for (const d of runnable) if (serverRuns(d, w)) await measure(w, d, round, false);
    }
    await Promise.all([...live.values()].map((l) => stop(l.child)));
    live.clear();

    // Idle-connection workloads: a fresh server process each time, so that
    // its memory growth belongs to these connections alone.
    for (let round = 1; round <= o.rounds; round++) {
      for (const [w, d] of idleCells) {
        if (statusOf(d.id).status !== 'ok') continue;
        const l = await startServer(d, serverCpu, statusOf(d.id));
        if (!l) continue;
        try {
          const r = await loadgen(l, w, o, loadgenCpu, o.duration, o.warmup);
          progress(`r${round}`, w, d, r);
          const sample = toSample(d.id, w.id, round, r);
          if (!r.ok) {
            sample.error = r.error;
            failures.push(`round ${round} ${w.id} ${d.id}: ${r.error}`);
          }
          samples.push(sample);
        } finally {
          await stop(l.child);
        }
      }
    }

    const microResult = o.micro ? await micro(o, serverCpu) : {};
    const lab = o.lab
      ? await runLab({ duration: o.quick ? 0.2 : 0.5, serverCpu, loadgenCpu, log, waiterWorkers: 4 })
      : { skipped: '--no-lab' };

    const summaries = summarize(samples);
    const results: Results = {
      schema: SCHEMA_VERSION,
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
      summaries,
      ratios: allRatios(samples, workloads.map((w) => w.id)),
      targets: targets(samples, microResult),
      micro: microResult,
      lab,
      failures,
    };
    const stamp = startedAt.replace(/[:.]/g, '-');
    const files = writeOutputs(results, o.out, stamp);
    process.stdout.write(`${textTable(results)}\n\n`);
    if (failures.length) process.stdout.write(`FAILURES:\n${failures.map((f) => `  ${f}`).join('\n')}\n\n`);
    process.stdout.write(`wrote ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}\n`);
    return failures.some((f) => !f.includes('restarted')) ? 1 : 0;
  } finally {
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
