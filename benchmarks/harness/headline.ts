// The headline of a run: each server's CPU per message divided by that of
// the C server it is measured against, paired by round, at the workloads
// where every server is busy (so CPU per message compares servers, not load
// generators). The chart draws these; the JSON keeps them.
import { ratio, type Sample, type Spread } from './analyze.js';

/** The workloads of the project's CPU targets: 64 B and 16 KiB ping-pong, 100 and 1000 connections. */
export const HEADLINE_WORKLOADS = ['pp-100x64', 'pp-1000x64', 'pp-100x16k'] as const;

/**
 * The C server a server is compared with: the same epoll mode, poll with
 * poll, and node:net with C LT (libuv's epoll is level-triggered). The C
 * servers themselves are the 1.00 line, except C with an idle thread, whose
 * ratio to C LT is what being multi-threaded costs any code.
 */
export function referenceOf(server: string): string | null {
  if (server === 'c-lt' || server === 'c-et' || server === 'c-poll') return null;
  if (server === 'c-lt-mt' || server.startsWith('node-')) return 'c-lt';
  if (server === 'addon-poll') return 'c-poll';
  const mode = /-(lt|et)$/.exec(server)?.[1];
  return mode ? `c-${mode}` : null;
}

export interface HeadlineBar {
  server: string;
  reference: string;
  workload: string;
  /** Median, min and max of the per-round ratios; n is the number of rounds paired. */
  value: Spread;
}

/** The headline bars of a run, in the order of `servers`. */
export function headline(samples: Sample[], servers: readonly string[]): HeadlineBar[] {
  const out: HeadlineBar[] = [];
  for (const server of servers) {
    const reference = referenceOf(server);
    if (!reference) continue;
    for (const workload of HEADLINE_WORKLOADS) {
      const r = ratio(samples, 'efficiency', workload, server, reference, 'cpuPerMsgNs');
      if (r) out.push({ server, reference, workload, value: r.value });
    }
  }
  return out;
}
