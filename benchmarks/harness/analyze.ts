// From raw samples to what the report shows: medians with their min-max
// spread, ratios between servers (paired by round, since rounds interleave
// the servers), and the project's targets next to the measured ratios.

export interface LoadgenResult {
  ok: boolean;
  error?: string;
  mode: string;
  conns: number;
  size: number;
  window_s: number;
  messages: number;
  bytes: number;
  msgs_per_s: number;
  bytes_per_s: number;
  latency_us: { count: number; p50: number; p99: number; p999: number };
  server_cpu: { pid: number; ticks: number; clk_tck: number; stat_s: number; sched_s: number };
  loadgen_cpu_s: number;
  idle?: {
    connect_s: number;
    rss_kb_before: number;
    rss_kb_after: number;
    sockstat_pages_before: number;
    sockstat_pages_after: number;
    slab_kb_before: number;
    slab_kb_after: number;
    page_size: number;
  };
  active?: number;
}

export interface Sample {
  server: string;
  workload: string;
  round: number;
  ok: boolean;
  error?: string;
  windowS: number;
  messages: number;
  msgsPerS: number;
  bytesPerS: number;
  /** Server CPU seconds in the window: schedstat (ns) when readable, else /proc/<pid>/stat ticks. */
  cpuS: number;
  cpuSource: 'schedstat' | 'stat';
  cpuStatS: number;
  cpuPerMsgNs: number;
  /** Server CPU / wall time of the window: 1.0 is one core busy all the time. */
  util: number;
  latencyUs: { p50: number; p99: number; p999: number };
  loadgenCpuS: number;
  idle?: { conns: number; rssPerConnB: number; sockstatPerConnB: number; slabPerConnB: number; connectS: number };
  raw: LoadgenResult;
}

export function toSample(server: string, workload: string, round: number, r: LoadgenResult): Sample {
  const sched = r.server_cpu?.sched_s ?? -1;
  const stat = r.server_cpu?.stat_s ?? -1;
  const cpuS = sched >= 0 ? sched : stat;
  const s: Sample = {
    server,
    workload,
    round,
    ok: r.ok,
    windowS: r.window_s,
    messages: r.messages,
    msgsPerS: r.msgs_per_s ?? 0,
    bytesPerS: r.bytes_per_s ?? 0,
    cpuS,
    cpuSource: sched >= 0 ? 'schedstat' : 'stat',
    cpuStatS: stat,
    cpuPerMsgNs: r.messages > 0 && cpuS >= 0 ? (cpuS / r.messages) * 1e9 : NaN,
    util: r.window_s > 0 && cpuS >= 0 ? cpuS / r.window_s : NaN,
    latencyUs: { p50: r.latency_us?.p50 ?? NaN, p99: r.latency_us?.p99 ?? NaN, p999: r.latency_us?.p999 ?? NaN },
    loadgenCpuS: r.loadgen_cpu_s,
    raw: r,
  };
  if (r.idle) {
    const n = r.conns;
    s.idle = {
      conns: n,
      rssPerConnB: ((r.idle.rss_kb_after - r.idle.rss_kb_before) * 1024) / n,
      // Both ends of every connection are on this machine: halve the
      // system-wide figures to get one socket's share.
      sockstatPerConnB: ((r.idle.sockstat_pages_after - r.idle.sockstat_pages_before) * r.idle.page_size) / (2 * n),
      slabPerConnB: ((r.idle.slab_kb_after - r.idle.slab_kb_before) * 1024) / (2 * n),
      connectS: r.idle.connect_s,
    };
  }
  return s;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

export interface Summary {
  server: string;
  workload: string;
  rounds: number;
  failures: string[];
  cpuPerMsgNs: Spread;
  msgsPerS: Spread;
  bytesPerS: Spread;
  util: Spread;
  p50Us: Spread;
  p99Us: Spread;
  p999Us: Spread;
  /** The server was not near 100 % CPU: its throughput is bounded elsewhere (load generator, latency). */
  notSaturated: boolean;
  idle?: { rssPerConnB: Spread; sockstatPerConnB: Spread; slabPerConnB: Spread; connectS: Spread };
  /** Largest disagreement between the stat-tick and schedstat CPU figures, in seconds. */
  cpuSourceGapS: number;
}

export const SATURATED = 0.9;

export function summarize(samples: Sample[]): Summary[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = `${s.server}\u0000${s.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: Summary[] = [];
  for (const group of groups.values()) {
    const ok = group.filter((s) => s.ok);
    const pick = (f: (s: Sample) => number): Spread => spread(ok.map(f));
    const util = pick((s) => s.util);
    const summary: Summary = {
      server: group[0].server,
      workload: group[0].workload,
      rounds: ok.length,
      failures: group.filter((s) => !s.ok).map((s) => s.error ?? 'failed'),
      cpuPerMsgNs: pick((s) => s.cpuPerMsgNs),
      msgsPerS: pick((s) => s.msgsPerS),
      bytesPerS: pick((s) => s.bytesPerS),
      util,
      p50Us: pick((s) => s.latencyUs.p50),
      p99Us: pick((s) => s.latencyUs.p99),
      p999Us: pick((s) => s.latencyUs.p999),
      notSaturated: Number.isFinite(util.median) && util.median < SATURATED,
      cpuSourceGapS: Math.max(0, ...ok.filter((s) => s.cpuStatS >= 0).map((s) => Math.abs(s.cpuStatS - s.cpuS))),
    };
    if (ok.some((s) => s.idle)) {
      const withIdle = ok.filter((s) => s.idle);
      summary.idle = {
        rssPerConnB: spread(withIdle.map((s) => s.idle!.rssPerConnB)),
        sockstatPerConnB: spread(withIdle.map((s) => s.idle!.sockstatPerConnB)),
        slabPerConnB: spread(withIdle.map((s) => s.idle!.slabPerConnB)),
        connectS: spread(withIdle.map((s) => s.idle!.connectS)),
      };
    }
    out.push(summary);
  }
  return out;
}

export type Metric = 'cpuPerMsgNs' | 'msgsPerS' | 'bytesPerS' | 'rssPerConnB';

function metricOf(s: Sample, metric: Metric): number {
  return metric === 'rssPerConnB' ? (s.idle?.rssPerConnB ?? NaN) : s[metric];
}

export interface Ratio {
  kind: 'efficiency' | 'speed-up' | 'et/lt' | 'c10k';
  workload: string;
  numerator: string;
  denominator: string;
  metric: Metric;
  /** Median, min and max of the per-round ratios (rounds pair the two servers' runs). */
  value: Spread;
}

/** numerator ÷ denominator for one metric, paired by round. */
export function ratio(samples: Sample[], kind: Ratio['kind'], workload: string, num: string, den: string, metric: Metric): Ratio | null {
  const byRound = (server: string) =>
    new Map(samples.filter((s) => s.ok && s.server === server && s.workload === workload).map((s) => [s.round, metricOf(s, metric)]));
  const a = byRound(num);
  const b = byRound(den);
  const values: number[] = [];
  for (const [round, x] of a) {
    const y = b.get(round);
    if (y !== undefined && y > 0 && Number.isFinite(x)) values.push(x / y);
  }
  if (values.length === 0) return null;
  return { kind, workload, numerator: num, denominator: den, metric, value: spread(values) };
}

export function allRatios(samples: Sample[], workloads: string[]): Ratio[] {
  const out: Ratio[] = [];
  const push = (r: Ratio | null) => r && out.push(r);
  for (const w of workloads) {
    const metrics: Metric[] = w === 'c10k' ? ['cpuPerMsgNs', 'rssPerConnB'] : ['cpuPerMsgNs', 'msgsPerS'];
    for (const metric of metrics) {
      for (const m of ['lt', 'et']) {
        push(ratio(samples, 'efficiency', w, `addon-blocking-${m}`, `c-${m}`, metric));
        push(ratio(samples, 'efficiency', w, `addon-loop-${m}`, `c-${m}`, metric));
      }
      push(ratio(samples, 'efficiency', w, 'addon-blocking-lt', 'c-lt-mt', metric));
      push(ratio(samples, 'efficiency', w, 'c-lt-mt', 'c-lt', metric));
      push(ratio(samples, 'efficiency', w, 'addon-poll', 'c-poll', metric));
      for (const node of ['node-data', 'node-onread']) {
        push(ratio(samples, 'speed-up', w, node, 'addon-blocking-lt', metric));
        push(ratio(samples, 'speed-up', w, node, 'addon-loop-lt', metric));
      }
      for (const fam of ['c', 'addon-blocking', 'addon-loop']) push(ratio(samples, 'et/lt', w, `${fam}-et`, `${fam}-lt`, metric));
      for (const u of ['addon-uring', 'addon-uring-loop']) {
        push(ratio(samples, 'efficiency', w, u, 'c-uring', metric));
        push(ratio(samples, 'efficiency', w, u, 'c-lt', metric));
      }
      push(ratio(samples, 'efficiency', w, 'c-uring', 'c-lt', metric));
    }
  }
  return out;
}

export interface Target {
  what: string;
  /** 'max': the measured value should be at most `limit`; 'min': at least. */
  sense: 'max' | 'min';
  limit: number;
  unit: string;
  measured: number | null;
  spread?: Spread;
  met: boolean | null;
  note?: string;
}

function target(what: string, sense: 'max' | 'min', limit: number, unit: string, value: Spread | null, note?: string): Target {
  const measured = value && Number.isFinite(value.median) ? value.median : null;
  return {
    what,
    sense,
    limit,
    unit,
    measured,
    spread: value ?? undefined,
    met: measured === null ? null : sense === 'max' ? measured <= limit : measured >= limit,
    note,
  };
}

export interface MicroResult {
  binding?: { cRecvNs: number; cEpollWaitNs: number; addonRecvNs: number; rawRecvNs: number; addonEpollWaitNs: number | null };
  alloc?: { events: number; bytesPerEvent: number; exactBytesPerEvent?: number; gcCount: number; retainedBytesPerEvent: number } | { skipped: string };
}

/**
 * Below this RSS growth per connection the C10K ratio is not a measurement:
 * a Node process's VmRSS moves by a few MiB on its own (heap growth, code
 * space), which over 10,000 connections is a few hundred bytes each, and
 * the C servers grow by less than one page per 50 connections.
 */
export const RSS_NOISE_B_PER_CONN = 256;

function rssTarget(samples: Sample[], what: string, num: string, den: string): Target {
  const median = (server: string) =>
    spread(samples.filter((s) => s.workload === 'c10k' && s.server === server && s.idle).map((s) => s.idle!.rssPerConnB)).median;
  const a = median(num);
  const b = median(den);
  const value = ratio(samples, 'efficiency', 'c10k', num, den, 'rssPerConnB')?.value ?? null;
  if (Number.isFinite(a) && Number.isFinite(b) && Math.max(Math.abs(a), Math.abs(b)) < RSS_NOISE_B_PER_CONN) {
    const t = target(what, 'max', 1.2, 'x', null, `not measurable: both grow by under ${RSS_NOISE_B_PER_CONN} B per connection (${Math.round(a)} B vs ${Math.round(b)} B), within VmRSS noise; the kernel's ~4 KiB per socket dominates`);
    return { ...t, spread: value ?? undefined };
  }
  return target(what, 'max', 1.2, 'x', value);
}

export function targets(samples: Sample[], micro: MicroResult): Target[] {
  const r = (w: string, a: string, b: string, m: Metric) => ratio(samples, 'efficiency', w, a, b, m)?.value ?? null;
  const out: Target[] = [];
  for (const m of ['lt', 'et']) {
    for (const w of ['pp-100x64', 'pp-1000x64', 'pp-100x16k'])
      out.push(target(`addon blocking ${m.toUpperCase()} ÷ C, CPU per message, ${w}`, 'max', 1.03, 'x', r(w, `addon-blocking-${m}`, `c-${m}`, 'cpuPerMsgNs')));
    out.push(target(`addon blocking ${m.toUpperCase()} ÷ C, throughput, pp-1x64-samecore`, 'min', 0.95, 'x', r('pp-1x64-samecore', `addon-blocking-${m}`, `c-${m}`, 'msgsPerS')));
    for (const w of ['pp-100x64', 'pp-1000x64', 'pp-100x16k'])
      out.push(target(`addon EpollLoop ${m.toUpperCase()} ÷ C, CPU per message, ${w}`, 'max', 1.08, 'x', r(w, `addon-loop-${m}`, `c-${m}`, 'cpuPerMsgNs')));
  }
  for (const w of ['pp-100x64', 'pp-1000x64', 'pp-100x16k'])
    out.push(target(`addon io_uring ÷ C io_uring, CPU per message, ${w}`, 'max', 1.05, 'x', r(w, 'addon-uring', 'c-uring', 'cpuPerMsgNs')));
  for (const w of ['pp-100x64', 'pp-1000x64'])
    out.push(target(`addon io_uring ÷ C epoll LT, CPU per message, ${w}`, 'max', 1.0, 'x', r(w, 'addon-uring', 'c-lt', 'cpuPerMsgNs')));
  out.push(target('addon io_uring ÷ C epoll LT, throughput, pp-1x64', 'min', 1.0, 'x', r('pp-1x64', 'addon-uring', 'c-lt', 'msgsPerS')));
  for (const w of ['pp-100x64', 'pp-1000x64'])
    out.push(target(`node:net on('data') ÷ addon blocking LT, CPU per message, ${w}`, 'min', 1.7, 'x', r(w, 'node-data', 'addon-blocking-lt', 'cpuPerMsgNs')));
  out.push(target(`node:net on('data') ÷ addon blocking LT, CPU per message, pp-100x16k`, 'min', 2.7, 'x', r('pp-100x16k', 'node-data', 'addon-blocking-lt', 'cpuPerMsgNs')));
  const b = micro.binding;
  const one = (x: number | null | undefined): Spread | null => (x === null || x === undefined ? null : { median: x, min: x, max: x, n: 1 });
  out.push(target('binding overhead, recv (addon ns − C ns per call)', 'max', 25, 'ns', b ? one(b.addonRecvNs - b.cRecvNs) : null));
  out.push(
    target(
      'binding overhead, epoll_wait timeout 0 (addon ns − C ns per call)',
      'max',
      25,
      'ns',
      b && b.addonEpollWaitNs !== null ? one(b.addonEpollWaitNs - b.cEpollWaitNs) : null,
      b && b.addonEpollWaitNs === null ? 'epoll_wait not in this build' : undefined,
    ),
  );
  const alloc = micro.alloc && 'bytesPerEvent' in micro.alloc ? micro.alloc : null;
  out.push(target('JS heap allocated per event, blocking loop', 'max', 0, 'B', alloc ? one(alloc.bytesPerEvent) : null, micro.alloc && 'skipped' in micro.alloc ? micro.alloc.skipped : undefined));
  out.push(rssTarget(samples, 'C10K RSS per connection, addon blocking LT ÷ C LT', 'addon-blocking-lt', 'c-lt'));
  out.push(rssTarget(samples, 'C10K RSS per connection, addon poll ÷ C poll', 'addon-poll', 'c-poll'));
  return out;
}
