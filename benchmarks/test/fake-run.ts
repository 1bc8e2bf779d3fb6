// A made-up run for the tests of the report and the charts: every server at
// every workload it runs, with the real labels (the longest titles are what
// could overlap), CPU figures that differ by round so that spreads exist.
import { allRatios, summarize, targets, toSample, type LoadgenResult, type Sample } from '../harness/analyze.js';
import { SERVERS, WORKLOADS, serverRuns } from '../harness/defs.js';
import { headline } from '../harness/headline.js';
import { defaultOptions, runMode } from '../harness/options.js';
import { SCHEMA_VERSION, type Results } from '../harness/results.js';
import { LAB_MODES, LAB_SCENARIOS, type LabResult } from '../lab/lab.js';

/** A load generator result of `messages` in one second with `cpuS` of server CPU. */
export function loadgenResult(messages: number, cpuS: number): LoadgenResult {
  return {
    ok: true,
    mode: 'pingpong',
    conns: 1,
    size: 64,
    window_s: 1,
    messages,
    bytes: messages * 64,
    msgs_per_s: messages,
    bytes_per_s: messages * 64,
    latency_us: { count: messages, p50: 1, p99: 2, p999: 3 },
    server_cpu: { pid: 1, ticks: Math.round(cpuS * 100), clk_tck: 100, stat_s: cpuS, sched_s: cpuS },
    loadgen_cpu_s: 1,
  };
}

/** A made-up lab: every scenario in every mode, io_uring with io_uring_enter only, as its server makes no other counted call. */
export function fakeLab(): LabResult {
  return {
    strace: true,
    waiters: null,
    scenarios: LAB_SCENARIOS.map((s, i) => ({
      id: s.id,
      title: s.title,
      expectation: s.expectation,
      uringExpectation: s.uringExpectation,
      modes: LAB_MODES.map((mode, j) => {
        const calls: Record<string, number> = mode === 'uring' ? { io_uring_enter: 0.2 + i } : { epoll_wait: 0.1 * (j + 1), read: 1 + i, write: 1 + i, epoll_ctl: i === 2 ? 2 - 2 * j : 0 };
        const total = Object.values(calls).reduce((a, b) => a + b, 0);
        return { mode, messages: 10_000, syscallsPerMsg: calls, eagainPerMsg: j === 1 ? 1 : 0, totalPerMsg: total, cpuPerMsgNs: 3000 + 500 * j + 1000 * i, msgsPerS: 250_000 - 10_000 * j };
      }),
    })),
  };
}

export function fakeRun(rounds: number, quick = false): Results {
  const samples: Sample[] = [];
  SERVERS.forEach((d, i) => {
    for (const w of WORKLOADS) {
      if (!serverRuns(d, w)) continue;
      // C near 100 k messages per CPU second, the others slower by their index; round r adds r %.
      for (let round = 1; round <= rounds; round++) samples.push(toSample(d.id, w.id, round, loadgenResult(100_000 - i * 6000, 0.5 + round * 0.01 + i * 0.02)));
    }
  });
  const options = { ...defaultOptions(quick), rounds };
  const servers = SERVERS.map((d) => ({ id: d.id, label: d.label, family: d.family, mode: d.mode, status: 'ok' as const, notes: [] }));
  return {
    schema: SCHEMA_VERSION,
    mode: runMode(options),
    rounds,
    startedAt: '2026-01-02T03:04:05.678Z',
    finishedAt: '2026-01-02T03:09:05.678Z',
    elapsedS: 300,
    options,
    machine: {
      cpuModel: 'Test CPU with a rather long model name, 2.40GHz',
      cores: 2,
      kernel: 'Linux 6.1.0',
      node: 'v20.20.2',
      libuv: '1.46.0',
      v8: '11.3',
      clkTck: 100,
      memTotalKb: 1 << 20,
      taskset: true,
      strace: true,
      cc: 'cc 12',
      hostname: 'test',
    },
    pinning: { serverCpu: 1, loadgenCpu: 0, note: 'server on CPU 1, load generator on CPU 0' },
    method: { cpuSource: 'schedstat', messageDefinitions: {} },
    servers,
    workloads: [...WORKLOADS],
    samples,
    summaries: summarize(samples),
    ratios: allRatios(samples, WORKLOADS.map((w) => w.id)),
    headline: headline(samples, servers.map((s) => s.id)),
    targets: targets(samples, {}),
    micro: {},
    lab: fakeLab(),
    failures: [],
  };
}
