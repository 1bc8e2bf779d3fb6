// The servers and workloads of the benchmark.
import * as path from 'node:path';
import { REQUIRES } from '../servers/api.js';
import { BENCH_DIR, binPath } from './build.js';

export interface ServerDef {
  id: string;
  label: string;
  /** Servers of one family differ only by mode (ET/LT) and are compared with each other. */
  family: 'c' | 'c-mt' | 'node' | 'addon-blocking' | 'addon-loop' | 'addon-poll' | 'c-poll' | 'c-uring' | 'addon-uring' | 'addon-uring-loop';
  mode: 'lt' | 'et' | 'poll' | 'data' | 'onread' | 'uring';
  /** Names lib/index.ts must export for this server to run. */
  requires: readonly string[];
  /** Only these workloads (default: all but those marked extra). */
  only?: readonly string[];
  command(port: number, extra: string[]): string[];
}

const tsServer = (file: string, mode: string) => (port: number, extra: string[]) => [
  process.execPath,
  '--import',
  'tsx',
  path.join(BENCH_DIR, 'servers', file),
  mode,
  String(port),
  ...extra,
];
const cServer =
  (mode: string, ...flags: string[]) =>
  (port: number, extra: string[]) => [binPath('echo-server'), mode, String(port), ...flags, ...extra];

export const SERVERS: readonly ServerDef[] = [
  { id: 'c-lt', label: 'C epoll LT', family: 'c', mode: 'lt', requires: [], command: cServer('lt') },
  { id: 'c-et', label: 'C epoll ET', family: 'c', mode: 'et', requires: [], command: cServer('et') },
  // The C LT server with one sleeping thread: multi-threaded like any Node process (see echo-server.c).
  { id: 'c-lt-mt', label: 'C epoll LT, 2 threads', family: 'c-mt', mode: 'lt', requires: [], only: ['pp-1x64-samecore', 'pp-100x64', 'pp-1000x64', 'pp-100x16k'], command: cServer('lt', '--idle-thread') },
  { id: 'node-data', label: "node:net on('data')", family: 'node', mode: 'data', requires: [], command: tsServer('node-net.ts', 'data') },
  { id: 'node-onread', label: 'node:net onread', family: 'node', mode: 'onread', requires: [], command: tsServer('node-net.ts', 'onread') },
  { id: 'addon-blocking-lt', label: 'addon blocking LT', family: 'addon-blocking', mode: 'lt', requires: REQUIRES.epoll, command: tsServer('addon-blocking.ts', 'lt') },
  { id: 'addon-blocking-et', label: 'addon blocking ET', family: 'addon-blocking', mode: 'et', requires: REQUIRES.epoll, command: tsServer('addon-blocking.ts', 'et') },
  { id: 'addon-loop-lt', label: 'addon EpollLoop LT', family: 'addon-loop', mode: 'lt', requires: REQUIRES.loop, command: tsServer('addon-loop.ts', 'lt') },
  { id: 'addon-loop-et', label: 'addon EpollLoop ET', family: 'addon-loop', mode: 'et', requires: REQUIRES.loop, command: tsServer('addon-loop.ts', 'et') },
  { id: 'c-poll', label: 'C poll', family: 'c-poll', mode: 'poll', requires: [], only: ['pp-100x64', 'c10k'], command: cServer('poll') },
  // io_uring: multishot accept and recv, a provided-buffer ring, one enter per batch.
  { id: 'c-uring', label: 'C io_uring', family: 'c-uring', mode: 'uring', requires: [], command: (port, extra) => [binPath('uring-echo-server'), 'uring', String(port), ...extra] },
  { id: 'addon-uring', label: 'addon io_uring blocking', family: 'addon-uring', mode: 'uring', requires: ['io_uring_queue_init'], command: tsServer('addon-uring.ts', 'blocking') },
  { id: 'addon-uring-loop', label: 'addon io_uring IoUringLoop', family: 'addon-uring-loop', mode: 'uring', requires: ['io_uring_queue_init', 'IoUringLoop'], command: tsServer('addon-uring.ts', 'loop') },
  { id: 'addon-poll', label: 'addon poll', family: 'addon-poll', mode: 'poll', requires: REQUIRES.poll, only: ['pp-100x64', 'c10k'], command: tsServer('addon-poll.ts', 'poll') },
];

export interface WorkloadDef {
  id: string;
  label: string;
  mode: 'pingpong' | 'stream' | 'churn' | 'idle';
  conns: number;
  size: number;
  depth?: number;
  /** Load generator on the server's core (a one-connection ping-pong is otherwise a cross-core wake-up test). */
  sameCore?: boolean;
  /** What one "message" is, for the report. */
  unit: string;
  /** idle only: connections made active after the memory measurement. */
  active?: number;
}

export const WORKLOADS: readonly WorkloadDef[] = [
  { id: 'pp-1x64', label: 'ping-pong 1 x 64 B', mode: 'pingpong', conns: 1, size: 64, unit: 'message' },
  { id: 'pp-1x64-samecore', label: 'ping-pong 1 x 64 B, one core', mode: 'pingpong', conns: 1, size: 64, sameCore: true, unit: 'message' },
  { id: 'pp-100x64', label: 'ping-pong 100 x 64 B', mode: 'pingpong', conns: 100, size: 64, unit: 'message' },
  { id: 'pp-1000x64', label: 'ping-pong 1000 x 64 B', mode: 'pingpong', conns: 1000, size: 64, unit: 'message' },
  { id: 'pp-100x16k', label: 'ping-pong 100 x 16 KiB', mode: 'pingpong', conns: 100, size: 16384, unit: 'message' },
  { id: 'stream-1', label: 'stream 1 x 64 KiB chunks', mode: 'stream', conns: 1, size: 65536, unit: '64 KiB chunk' },
  { id: 'stream-8', label: 'stream 8 x 64 KiB chunks', mode: 'stream', conns: 8, size: 65536, unit: '64 KiB chunk' },
  { id: 'churn', label: 'churn (connect, 64 B round trip, close), 8 at a time', mode: 'churn', conns: 8, size: 64, unit: 'connection' },
  { id: 'c10k', label: 'C10K: 10,000 idle, then 100 active x 64 B', mode: 'idle', conns: 10000, size: 64, active: 100, unit: 'message' },
];

export function serverRuns(server: ServerDef, workload: WorkloadDef): boolean {
  return server.only ? server.only.includes(workload.id) : true;
}
