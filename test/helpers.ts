// Shared by the tests: loopback sockets and the fd-leak check.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept,
  bind,
  close,
  connect,
  getsockname,
  listen,
  socket,
  type Sockaddr,
} from '../lib/index.js';

/** The fds this process has open, with what each refers to. */
export function openFds(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the fd readdir itself used, already closed
    }
  }
  return fds;
}

/** The fds open now that were not open in `before`. */
export function fdsOpenedSince(before: Map<number, string>): Array<[number, string]> {
  const now = openFds();
  return [...now].filter(([fd, target]) => before.get(fd) !== target);
}

/** The port a bound socket got (after bind to port 0). */
export function portOf(fd: number): number {
  const addr = getsockname(fd);
  if (addr.family !== AF_INET && addr.family !== AF_INET6) throw new Error('not an IP socket');
  return addr.port;
}

/** The loopback address for a family, with a port. */
export function loopback(family: typeof AF_INET | typeof AF_INET6 = AF_INET, port = 0): Sockaddr {
  return family === AF_INET ? { family, address: '127.0.0.1', port } : { family, address: '::1', port };
}

/** A TCP socket bound to loopback port 0 and listening. */
export function listening(opts: { family?: typeof AF_INET | typeof AF_INET6; nonblock?: boolean; backlog?: number } = {}): number {
  const family = opts.family ?? AF_INET;
  const fd = socket(family, SOCK_STREAM | (opts.nonblock ? SOCK_NONBLOCK : 0));
  try {
    bind(fd, loopback(family));
    listen(fd, opts.backlog);
  } catch (e) {
    close(fd);
    throw e;
  }
  return fd;
}

/** A connected TCP pair over loopback: the client's fd and the accepted fd. */
export function tcpPair(family: typeof AF_INET | typeof AF_INET6 = AF_INET): { client: number; server: number } {
  const lfd = listening({ family });
  try {
    const client = socket(family, SOCK_STREAM);
    connect(client, loopback(family, portOf(lfd)));
    const server = accept(lfd);
    return { client, server };
  } finally {
    close(lfd);
  }
}

/** Closes every fd given, ignoring ones already closed. */
export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      close(fd);
    } catch {
      // already closed by the test
    }
  }
}

/** What {@link waitUnderSignals} saw. */
export interface SignalledWait {
  /** What the wait returned. */
  result: number;
  /** How long it took, in milliseconds. */
  waitedMs: number;
  /** The waiting thread's blocked-signal mask during the wait, as /proc shows it (bit n-1 for signal n). */
  blockedDuring: bigint;
  /** The same after the wait: the mask the thread had before it. */
  blockedAfter: bigint;
  /**
   * How many times the thread went back to sleep while the signals were sent:
   * the rise of its voluntary context switches, one for each time a signal
   * woke it and the wait was retried, 0 when none reached it.
   */
  interruptions: number;
  /** How many of the signals the process's JS listener saw after the wait. */
  handled: number;
}

const SIGNALLER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { tid, shared, count, everyMs } = workerData;
const out = new BigInt64Array(shared);
const status = () => readFileSync('/proc/self/task/' + tid + '/status', 'utf8');
const field = (s, name) => s.match(new RegExp('^' + name + ':\\\\s*(\\\\w+)', 'm'))[1];
parentPort.once('message', () => {
  setTimeout(() => {
    const s0 = status();
    out[0] = BigInt('0x' + field(s0, 'SigBlk'));
    out[1] = BigInt(field(s0, 'voluntary_ctxt_switches'));
    let n = 0;
    const t = setInterval(() => {
      process.kill(process.pid, 'SIGUSR2');
      if (++n === count) {
        clearInterval(t);
        setTimeout(() => { out[2] = BigInt(field(status(), 'voluntary_ctxt_switches')); Atomics.store(out, 3, 1n); }, 20);
      }
    }, everyMs);
  }, 20);
});`;

/**
 * Runs `wait` (a blocking call with a timeout longer than `count * everyMs`
 * + 60 ms) on this thread while a worker sends SIGUSR2 to the process
 * `count` times, and reports, from /proc, this thread's signal mask during
 * the wait and whether the signals interrupted it. SIGUSR2 rather than
 * SIGUSR1, which Node keeps for its inspector. A process-directed signal
 * goes to the main thread first unless the main thread blocks it; the
 * tests run in their file's process's main thread (vitest's forks pool).
 */
export async function waitUnderSignals(wait: () => number, count = 5, everyMs = 50): Promise<SignalledWait> {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (tid !== process.pid) throw new Error('waitUnderSignals needs the main thread');
  let handled = 0;
  const onSignal = (): void => {
    handled++;
  };
  process.on('SIGUSR2', onSignal);
  const shared = new SharedArrayBuffer(32);
  const out = new BigInt64Array(shared);
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(SIGNALLER, { eval: true, workerData: { tid, shared, count, everyMs } });
  try {
    await new Promise((resolve) => worker.once('online', resolve));
    worker.postMessage('go');
    const t0 = process.hrtime.bigint();
    const result = wait();
    const waitedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const blockedAfter = BigInt('0x' + /^SigBlk:\s*(\w+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))![1]);
    if (Atomics.load(out, 3) !== 1n) throw new Error('the wait ended before the signals did: make its timeout longer');
    // The JS listener runs once the event loop reads libuv's signal pipe.
    for (let i = 0; i < 100 && handled === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return { result, waitedMs, blockedDuring: out[0]!, blockedAfter, interruptions: Number(out[2]! - out[1]!), handled };
  } finally {
    await worker.terminate();
    process.off('SIGUSR2', onSignal);
  }
}
