// The Markdown report of one run, and the plain-text table printed at the
// end of `npm run bench`.
import { SATURATED, type Summary } from './analyze.js';
import { fmt, fmtBytes, fmtPercent, fmtRatio, fmtSpread } from './format.js';
import { runTitle } from './headline-chart.js';
import type { Results } from './results.js';
import type { LabModeResult } from '../lab/lab.js';

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function labelOf(r: Results, id: string): string {
  return r.servers.find((s) => s.id === id)?.label ?? id;
}

function summariesFor(r: Results, workload: string): Summary[] {
  const order = r.servers.map((s) => s.id);
  return r.summaries.filter((s) => s.workload === workload).sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
}

function throughput(r: Results, s: Summary): string {
  const w = r.workloads.find((x) => x.id === s.workload);
  if (w?.mode === 'stream') return `${fmtSpread({ ...s.bytesPerS, median: s.bytesPerS.median / 1e9, min: s.bytesPerS.min / 1e9, max: s.bytesPerS.max / 1e9 })} GB/s`;
  return `${fmtSpread(s.msgsPerS)} ${w?.mode === 'churn' ? 'conn/s' : 'msg/s'}`;
}

const modeName = (m: LabModeResult['mode']): string => (m === 'uring' ? 'io_uring' : m.toUpperCase());

function labVerdict(modes: LabModeResult[]): string {
  const lt = modes.find((m) => m.mode === 'lt');
  const et = modes.find((m) => m.mode === 'et');
  if (!lt || !et || !Number.isFinite(lt.cpuPerMsgNs) || !Number.isFinite(et.cpuPerMsgNs)) return 'not measured';
  const cpu = et.cpuPerMsgNs / lt.cpuPerMsgNs;
  const winner = cpu < 1 ? 'ET' : 'LT';
  const by = cpu < 1 ? 1 / cpu : cpu;
  const counted = modes.filter((m) => Number.isFinite(m.totalPerMsg));
  const calls = counted.length ? `; system calls per message: ${counted.map((m) => `${modeName(m.mode)} ${m.totalPerMsg.toFixed(2)}`).join(', ')}` : '';
  return `${winner} uses less server CPU per message, by ${((by - 1) * 100).toFixed(1)} % (ET ÷ LT = ${cpu.toFixed(2)}x)${calls}`;
}

/** io_uring against the better epoll mode of the scenario, or why there is no comparison. */
function uringVerdict(modes: LabModeResult[]): string {
  const u = modes.find((m) => m.mode === 'uring');
  if (!u) return 'not run';
  if (u.error || !Number.isFinite(u.cpuPerMsgNs)) return `not measured${u.error ? ` (${u.error})` : ''}`;
  const epoll = modes.filter((m) => m.mode !== 'uring' && Number.isFinite(m.cpuPerMsgNs));
  if (!epoll.length) return `${fmt(u.cpuPerMsgNs)} ns of server CPU per message`;
  const best = epoll.reduce((a, b) => (b.cpuPerMsgNs < a.cpuPerMsgNs ? b : a));
  const cpu = u.cpuPerMsgNs / best.cpuPerMsgNs;
  const calls =
    Number.isFinite(u.totalPerMsg) && Number.isFinite(best.totalPerMsg)
      ? `, and ${u.totalPerMsg.toFixed(2)} system calls per message against ${best.totalPerMsg.toFixed(2)}`
      : '';
  return `io_uring ÷ ${modeName(best.mode)} (the epoll mode with less CPU here) = ${cpu.toFixed(2)}x server CPU per message${calls}`;
}

/** `base` names the charts beside the report: <base>.svg (headline) and <base>-detail.svg. */
export function markdownReport(r: Results, base = 'latest'): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# posix-sockets benchmark, ${r.startedAt} (${runTitle(r)})`);
  out.push('');
  out.push(`![Server CPU per message relative to C, per server, with the spread across rounds](${base}.svg)`);
  out.push('');
  out.push(`Every workload, throughput, ET ÷ LT and the lab: [${base}-detail.svg](${base}-detail.svg).`);
  out.push('');
  out.push(
    `Echo servers over TCP on 127.0.0.1, each its own process, driven by a C load generator that checks every echoed byte. ` +
      `Headline figure: **server CPU time per message** (from /proc/<pid>, over the measured window only); throughput beside it, ` +
      `marked ⚑ when the server was below ${Math.round(SATURATED * 100)} % of one core (then something else, usually the load generator, set the pace).`,
  );
  out.push('');
  out.push(
    table(
      ['Machine', ''],
      [
        ['CPU', `${m.cpuModel} (${m.cores} cores)`],
        ['Kernel', m.kernel],
        ['Node / libuv / V8', `${m.node} / ${m.libuv} / ${m.v8}`],
        ['Compiler', m.cc],
        ['Pinning', r.pinning.note],
        ['Rounds', `${r.options.rounds} measured${r.options.warmupRound ? ' after one discarded warm-up round' : ''}, interleaved; ${r.options.duration} s window after ${r.options.warmup} s warm-up per run`],
        ['CPU source', r.method.cpuSource],
        ['CPU cross-check', `largest gap between schedstat and stat ticks in one window: ${(Math.max(0, ...r.summaries.map((x) => x.cpuSourceGapS)) * 1000).toFixed(1)} ms (stat counts in ${Math.round(1000 / m.clkTck)} ms ticks)`],
        ['Elapsed', `${r.elapsedS.toFixed(0)} s`],
      ],
    ),
  );
  out.push('');
  out.push('Figures are medians over rounds, with the min–max spread in parentheses. Ratios are computed per round (the servers of one round ran back to back) and then summarized the same way.');
  const skipped = r.servers.filter((s) => s.status !== 'ok');
  if (skipped.length) {
    out.push('');
    out.push('**Not measured:** ' + skipped.map((s) => `${s.label} (${s.status}: ${s.reason ?? ''})`).join('; '));
  }
  const notes = r.servers.filter((s) => s.notes.length);
  if (notes.length) {
    out.push('');
    out.push('**Server notes:** ' + notes.map((s) => `${s.label}: ${s.notes.join(' ')}`).join('; '));
  }
  if (r.failures.length) {
    out.push('');
    out.push('## Failures');
    out.push('');
    for (const f of r.failures) out.push(`- ${f}`);
  }

  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(
    table(
      ['Figure', 'Target', 'Measured', ''],
      r.targets.map((t) => [
        t.what,
        `${t.sense === 'max' ? '≤' : '≥'} ${t.limit} ${t.unit}`,
        t.measured === null ? 'not measured' : t.unit === 'x' && t.spread ? fmtRatio(t.spread) : `${fmt(t.measured)} ${t.unit}`,
        t.met === null ? (t.note ?? '') : t.met ? 'met' : 'not met',
      ]),
    ),
  );

  out.push('');
  out.push('## Results by workload');
  for (const w of r.workloads) {
    const rows = summariesFor(r, w.id);
    if (!rows.length) continue;
    out.push('');
    out.push(`### ${w.label}`);
    out.push('');
    out.push(`One message = one ${w.unit}${w.sameCore ? '; load generator and server on the same core' : ''}.`);
    out.push('');
    out.push(
      table(
        ['Server', 'CPU per message (ns)', 'Throughput', 'Server CPU', 'p50 / p99 / p99.9 latency (µs)'],
        rows.map((s) => [
          labelOf(r, s.server) + (s.failures.length ? ` (${s.failures.length} failed)` : ''),
          fmtSpread(s.cpuPerMsgNs),
          throughput(r, s) + (s.notSaturated ? ' ⚑' : ''),
          fmtPercent(s.util.median),
          w.mode === 'stream' ? '–' : `${fmt(s.p50Us.median)} / ${fmt(s.p99Us.median)} / ${fmt(s.p999Us.median)}`,
        ]),
      ),
    );
  }

  const c10k = summariesFor(r, 'c10k');
  if (c10k.length) {
    const conns = r.workloads.find((w) => w.id === 'c10k')?.conns ?? 0;
    out.push('');
    out.push('## C10K memory');
    out.push('');
    out.push(
      `${conns} idle connections, each after one round trip. RSS: the server's VmRSS growth ÷ connections. Kernel: /proc/net/sockstat TCP \`mem\` ` +
        `and /proc/meminfo \`Slab\` growth ÷ (2 × connections), since both ends are on this machine; Slab is system-wide, so other activity shows in it. ` +
        `"Active" is CPU per message with 100 of the connections in ping-pong; beside it, the same server's figure at 100 connections and nothing idle (pp-100x64).`,
    );
    out.push('');
    out.push(
      table(
        ['Server', 'RSS per connection', 'sockstat per socket', 'Slab per socket', 'Active CPU per message (ns)', '÷ pp-100x64'],
        c10k.map((s) => {
          const base = r.summaries.find((x) => x.server === s.server && x.workload === 'pp-100x64');
          return [
            labelOf(r, s.server),
            s.idle ? fmtBytes(s.idle.rssPerConnB.median) : '–',
            s.idle ? fmtBytes(s.idle.sockstatPerConnB.median) : '–',
            s.idle ? fmtBytes(s.idle.slabPerConnB.median) : '–',
            fmtSpread(s.cpuPerMsgNs),
            base ? `${(s.cpuPerMsgNs.median / base.cpuPerMsgNs.median).toFixed(2)}x` : '–',
          ];
        }),
      ),
    );
  }

  const kinds: Array<[string, string]> = [
    ['efficiency', 'Addon ÷ C (efficiency: 1.00x is C; above is slower)'],
    ['speed-up', 'node:net ÷ addon (speed-up: how much more the libuv server costs)'],
    ['et/lt', 'ET ÷ LT'],
  ];
  out.push('');
  out.push('## Ratios');
  for (const [kind, title] of kinds) {
    const rs = r.ratios.filter((x) => x.kind === kind);
    if (!rs.length) continue;
    out.push('');
    out.push(`### ${title}`);
    out.push('');
    out.push(
      table(
        ['Workload', 'Servers', 'CPU per message', 'Throughput'],
        [...new Set(rs.map((x) => `${x.workload}\u0000${x.numerator}\u0000${x.denominator}`))].map((key) => {
          const [w, a, b] = key.split('\u0000');
          const find = (metric: string) => rs.find((x) => x.workload === w && x.numerator === a && x.denominator === b && x.metric === metric);
          const cpu = find('cpuPerMsgNs');
          const thr = find('msgsPerS');
          const rss = find('rssPerConnB');
          return [w, `${labelOf(r, a)} ÷ ${labelOf(r, b)}`, cpu ? fmtRatio(cpu.value) : '–', thr ? fmtRatio(thr.value) : rss ? `RSS/conn ${fmtRatio(rss.value)}` : '–'];
        }),
      ),
    );
  }

  out.push('');
  out.push('## Microbenchmarks');
  out.push('');
  const b = r.micro.binding;
  if (b) {
    out.push(
      table(
        ['Call (nothing to do)', 'C (ns)', 'addon via lib (ns)', 'addon raw native (ns)', 'binding cost (ns)'],
        [
          ['recv on an empty non-blocking socket (EAGAIN)', fmt(b.cRecvNs), fmt(b.addonRecvNs), fmt(b.rawRecvNs), fmt(b.addonRecvNs - b.cRecvNs)],
          [
            'epoll_wait, timeout 0, nothing ready',
            fmt(b.cEpollWaitNs),
            b.addonEpollWaitNs === null ? 'not in this build' : fmt(b.addonEpollWaitNs),
            '–',
            b.addonEpollWaitNs === null ? '–' : fmt(b.addonEpollWaitNs - b.cEpollWaitNs),
          ],
        ],
      ),
    );
  } else out.push('Binding overhead: not measured.');
  out.push('');
  const a = r.micro.alloc;
  if (a && 'bytesPerEvent' in a)
    out.push(
      `JS heap per event in the blocking loop: **${a.bytesPerEvent} B** over ${a.events} events ` +
        `(${a.gcCount} garbage collections during the loop${a.gcCount > 0 ? ', so this is a lower bound' : ', so the heap growth is every byte it allocated'}; ` +
        `exact growth ${(a.exactBytesPerEvent ?? NaN).toFixed(3)} B per event, a constant few kB whatever the count; heap retained after GC: ${a.retainedBytesPerEvent.toFixed(3)} B per event).`,
    );
  else out.push(`JS heap per event: ${a && 'skipped' in a ? a.skipped : 'not measured'}.`);

  const lab = r.lab;
  out.push('');
  out.push('## Edge- vs level-triggered lab (and io_uring)');
  if (!lab || 'skipped' in lab) out.push('', lab ? `Skipped: ${lab.skipped}` : 'Not run.');
  else {
    out.push('');
    out.push(
      'The C echo server in both modes, and the C io_uring echo server (multishot accept and recv, a provided-buffer ring, one io_uring_enter per batch) as a third. ' +
        'System calls per message: `strace -f -c` over a short run (the tracer slows the server, not the count). CPU and throughput: a second run without the tracer.' +
        (lab.note ? ` ${lab.note}.` : ''),
    );
    for (const s of lab.scenarios) {
      out.push('');
      out.push(`### ${s.title}`);
      out.push('');
      out.push(`Expected: ${s.expectation}.`);
      if (s.uringExpectation) out.push('', `Expected of io_uring: ${s.uringExpectation}.`);
      out.push('');
      // A call the server never made is 0 when strace counted, – when it did not.
      const per = (x: LabModeResult, name: string) => x.syscallsPerMsg[name] ?? (Number.isFinite(x.totalPerMsg) ? 0 : NaN);
      out.push(
        table(
          ['Mode', 'epoll_wait', 'read', 'write', 'epoll_ctl', 'io_uring_enter', 'EAGAIN', 'total', 'CPU per message (ns)', 'Throughput (msg/s)'],
          s.modes.map((x) => [
            modeName(x.mode) + (x.error ? ` (failed: ${x.error})` : ''),
            fmt(per(x, 'epoll_wait')),
            fmt(per(x, 'read')),
            fmt(per(x, 'write')),
            fmt(per(x, 'epoll_ctl')),
            fmt(per(x, 'io_uring_enter')),
            fmt(x.eagainPerMsg),
            fmt(x.totalPerMsg),
            fmt(x.cpuPerMsgNs),
            fmt(x.msgsPerS),
          ]),
        ),
      );
      out.push('');
      out.push(`Measured: ${labVerdict(s.modes)}.`);
      if (s.modes.some((m) => m.mode === 'uring')) out.push('', `Measured, io_uring: ${uringVerdict(s.modes)}.`);
    }
    out.push('');
    out.push('### Several waiters on one listening socket (worker_threads)');
    out.push('');
    out.push(
      'Four worker threads, each accepting from one listening socket. A thread woken for a connection another thread already took often never ' +
        'sees it: epoll_wait re-checks readiness and sleeps again. So the herd shows in the threads\' voluntary context switches per connection ' +
        '(read from /proc/thread-self/status; about one of them is the accepting thread waiting for the 64 bytes), not in what epoll_wait returns. ' +
        'each-*: one epoll set per worker; shared-*: one set for all; reuseport: one listening socket per worker (SO_REUSEPORT).',
    );
    out.push('');
    const w = lab.waiters as { skipped?: string; error?: string; variants?: Array<Record<string, unknown>> } | null;
    if (!w || w.skipped || w.error) out.push(`Not measured: ${w?.skipped ?? w?.error ?? 'not run'}.`);
    else
      out.push(
        table(
          ['Variant', 'Connections', 'epoll_wait returns per connection', 'Futile (accept found nothing)', 'Thread wake-ups per connection', 'Accepts per worker'],
          (w.variants ?? []).map((v) =>
            v.skipped
              ? [String(v.variant), `skipped: ${String(v.skipped)}`, '', '', '', '']
              : [
                  String(v.variant),
                  String(v.connections),
                  fmt(Number(v.wakeupsPerConn)),
                  fmt(Number(v.futilePerConn)),
                  fmt(Number(v.switchesPerConn)),
                  (v.acceptedPerWorker as number[]).join(' / '),
                ],
          ),
        ),
      );
  }
  out.push('');
  out.push(`Raw samples and machine details: the JSON file of this run. Regenerate this report with \`npm run bench -- --report <file.json>\`.`);
  out.push('');
  return out.join('\n');
}

/** What the marks of the terminal table mean, printed above it. */
export const TABLE_LEGEND = [
  `⚑ = the server was below ${Math.round(SATURATED * 100)} % of one core: something else (usually the load generator) set the pace,`,
  '    so compare CPU per message there, not throughput. Figures: median (min–max) over rounds.',
].join('\n');

/** The compact table printed to the terminal at the end of a run. */
export function textTable(r: Results): string {
  const lines: string[] = [`Results (${runTitle(r)})`, TABLE_LEGEND];
  const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  for (const w of r.workloads) {
    const rows = summariesFor(r, w.id);
    if (!rows.length) continue;
    lines.push('');
    lines.push(w.label);
    lines.push(`  ${pad('server', 22)}${pad('CPU/msg ns', 28)}${pad('throughput', 34)}server CPU`);
    for (const s of rows)
      lines.push(
        `  ${pad(labelOf(r, s.server), 22)}${pad(fmtSpread(s.cpuPerMsgNs), 28)}${pad(throughput(r, s) + (s.notSaturated ? ' ⚑' : ''), 34)}${fmtPercent(s.util.median)}` +
          (s.failures.length ? `  FAILED x${s.failures.length}` : ''),
      );
  }
  lines.push('');
  lines.push('Targets: met = within its target, not = misses it, - = not measured in this run');
  for (const t of r.targets)
    lines.push(
      `  ${t.met === null ? '  -  ' : t.met ? ' met ' : ' not '} ${t.what}: ${t.measured === null ? 'not measured' : fmt(t.measured)} (target ${t.sense === 'max' ? '≤' : '≥'} ${t.limit}${t.unit === 'x' ? 'x' : ' ' + t.unit})`,
    );
  return lines.join('\n');
}
