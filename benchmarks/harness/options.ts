// The command line of `npm run bench`: options, their defaults, and the
// run's mode (quick, full or custom) that the results and the chart state.
import * as path from 'node:path';
import { BENCH_DIR } from './build.js';
import { SERVERS, WORKLOADS } from './defs.js';
import type { BenchOptions, RunMode } from './results.js';

/** A user's runs go here, ignored by git, so that no run clobbers the published one. */
export const LOCAL_DIR = path.join(BENCH_DIR, 'results', 'local');
/** The committed run that the README shows: written only with --publish. */
export const PUBLISHED_DIR = path.join(BENCH_DIR, 'results');

export const HELP = `npm run bench -- [options]

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
  --out DIR               where results go (default benchmarks/results/local, ignored by git)
  --publish               also write the committed run, benchmarks/results/latest.{json,md,svg};
                          only for the full default suite
  --report FILE.json      only re-render the report and charts of a saved run, beside FILE
  --help`;

export type CliOptions = BenchOptions & { report?: string };

export function defaultOptions(quick: boolean): BenchOptions {
  return {
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
    out: LOCAL_DIR,
    publish: false,
  };
}

/** What measured, in a word: the defaults of --quick, the full defaults, or anything else. */
export function runMode(o: Pick<BenchOptions, 'quick'> & Partial<BenchOptions>): RunMode {
  if (o.quick) return 'quick';
  const d = defaultOptions(false);
  const same = (k: keyof BenchOptions) => o[k] === undefined || JSON.stringify(o[k]) === JSON.stringify(d[k]);
  const measured: Array<keyof BenchOptions> = ['servers', 'workloads', 'duration', 'warmup', 'rounds', 'warmupRound', 'c10kConns', 'micro', 'lab'];
  return measured.every(same) ? 'full' : 'custom';
}

export function parseOptions(argv: string[]): CliOptions {
  const o: CliOptions = defaultOptions(argv.includes('--quick'));
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
      case '--publish':
        o.publish = true;
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
  // The README quotes the published run: a quick or partial run must not replace it.
  if (o.publish && runMode(o) === 'quick') throw new Error('--publish writes the committed run: run it without --quick');
  if (o.publish && (o.servers.length < SERVERS.length || o.workloads.length < WORKLOADS.length || !o.micro || !o.lab))
    throw new Error('--publish writes the committed run: run every server, workload, the micro and the lab');
  return o;
}
