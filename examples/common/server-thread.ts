// The half of the blocking echo servers (4-io-models/25-echo-lt.ts, 4-io-models/26-echo-et.ts) that is
// not the server: it runs the server's loop in a worker_thread, stops it on
// SIGINT or SIGTERM, and prints what the loop counted.
//
// Why a worker: a thread that sits in epoll_wait runs no JS, and Node runs
// its process.on('SIGINT') listeners on the event loop of the main thread,
// so a server loop on the main thread could never hear ^C; Node's default
// action would end it before it could print. A C server puts a signalfd in
// its epoll set; in Node a signal from kill or a terminal does not reliably
// reach one (docs/fds.md says why). So the main thread keeps Node's event
// loop, hears the signal, and writes to an eventfd that is in the server's
// epoll set: the server wakes, sees it, and stops.
import { parentPort, type Worker } from 'node:worker_threads';
import { EFD_CLOEXEC, EFD_NONBLOCK, close, eventfd, write } from 'posix-sockets';
import { startWorker } from './threads.js';

/** What the server thread is given. */
export interface ServerJob {
  port: number;
  /** Stop after this many clients have come and gone; 0: serve until stopped. */
  clients: number;
  /** Readable when the server must stop: add it to the epoll set. */
  stopFd: number;
}

/** What the server counts while it serves. */
export interface ServerCounts {
  /** Connections served to the end (the peer closed, or reset). */
  clients: number;
  /** epoll_wait calls that returned events (the stop event aside). */
  wakeups: number;
  /** read() calls on connections, whatever they returned. */
  reads: number;
  /** read() calls that returned -1: nothing to read (EAGAIN). */
  eagains: number;
  /** read() calls that returned data, each echoed: the messages. */
  messages: number;
  bytes: number;
}

export const newCounts = (): ServerCounts => ({ clients: 0, wakeups: 0, reads: 0, eagains: 0, messages: 0, bytes: 0 });

/** In the server thread: tells the main thread the port it listens on. */
export function reportListening(port: number): void {
  parentPort!.postMessage({ listening: port });
}

/** In the server thread: hands the counts to the main thread, once it has stopped. */
export function reportCounts(counts: ServerCounts, why: string): void {
  parentPort!.postMessage({ counts, why });
}

const per = (n: number, of: number) => (of === 0 ? '-' : String(Math.round((n / of) * 100) / 100));

/**
 * In the main thread: runs `file` (the server's own `__filename`) in a
 * worker as `{ port, clients, stopFd }`, prints "listening <port>" when it
 * listens, stops it on SIGINT or SIGTERM, and prints its counts when it
 * stops, `mode` naming it.
 */
export function runServerThread(file: string, mode: string, port: number, clients: number): Worker {
  const stopFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const server = startWorker(file, { port, clients, stopFd } satisfies ServerJob);
  let heard = '';
  const stop = (signal: string) => {
    heard = signal;
    write(stopFd, new BigUint64Array([1n]));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.on('message', (m: { listening?: number; counts?: ServerCounts; why?: string }) => {
    if (m.listening !== undefined) console.log(`listening ${m.listening}`);
    if (m.counts === undefined) return;
    const c = m.counts;
    console.log(`${mode}: stopped (${heard || m.why}) after ${c.clients} client(s): ${c.bytes} bytes echoed in ${c.messages} messages (a message: one read() that returned data)`);
    console.log(`  in all: ${c.wakeups} wake-ups (epoll_wait returns), ${c.reads} reads, ${c.eagains} EAGAINs`);
    console.log(`  per message: ${per(c.wakeups, c.messages)} wake-ups, ${per(c.reads, c.messages)} reads, ${per(c.eagains, c.messages)} EAGAINs`);
  });
  server.once('exit', () => {
    close(stopFd);
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  });
  return server;
}
