// worker_threads churn: 100 workers, 10 at a time, each loading its own
// instance of the addon. Some are terminated while blocked in epoll_wait
// (terminate() cannot interrupt a system call: the thread ends once the
// wait runs out, so terminate() takes up to the wait's timeout), some while their
// integrated EpollLoop is idle or in the middle of a batch, some end by
// themselves with a loop still started, and some do socket work and exit.
// Afterwards every worker has exited, every loop's fds are closed (the
// environment's teardown closes them) and the process's fd count is where
// it started.
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EFD_NONBLOCK, EPOLLIN, EPOLL_CTL_ADD, close, epoll_create1, epoll_ctl, eventfd } from '../lib/index.js';

// CHURN_WORKERS sets the number of workers (100 unless given).
const WORKERS = Number(process.env.CHURN_WORKERS ?? 100);
const AT_ONCE = 10;
const ADDON = path.join(__dirname, 'workers', 'addon.cjs');

const WORKER = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const native = require(${JSON.stringify(ADDON)});
const { EPOLL_CTL_ADD, EPOLLIN, AF_UNIX, SOCK_STREAM } = native.constants;
const { kind, epfd, efd } = workerData;
const ev = new Uint32Array(16);
if (kind === 'blocked') {
  // Blocked in the kernel when terminate() comes: the thread ends once the
  // wait runs out (300 ms).
  parentPort.postMessage('ready');
  native.epoll_wait(epfd, ev, 8, 300);
} else if (kind === 'loop-idle' || kind === 'loop-busy' || kind === 'loop-exit') {
  const loop = native.loopOpen(ev, 8);
  native.epoll_ctl(native.loopFd(loop), EPOLL_CTL_ADD, efd, EPOLLIN, 7);
  native.loopStart(loop, () => {
    if (kind === 'loop-busy') for (;;); // terminated in the middle of a batch
    if (kind === 'loop-exit') process.exit(0); // the loop still started and referenced
  });
  parentPort.postMessage('ready');
} else {
  // Socket work, then a normal end.
  const [a, b] = native.socketpair(AF_UNIX, SOCK_STREAM, 0);
  const out = Buffer.from('churn'), inb = Buffer.alloc(8);
  for (let i = 0; i < 100; i++) { native.write(a, out); native.read(b, inb); }
  native.close(a); native.close(b);
  parentPort.postMessage('ready');
}
`;

const KINDS = ['blocked', 'loop-idle', 'loop-busy', 'loop-exit', 'sockets'] as const;
const fdCount = (): number => readdirSync('/proc/self/fd').length;
const threadCount = (): number => readdirSync('/proc/self/task').length;

describe('worker_threads churn', () => {
  it(`${WORKERS} workers started and ended (terminated mid-wait, mid-batch, exiting with a loop open) leave no fd and no thread behind`, async () => {
    const before = fdCount();
    const threadsBefore = threadCount();
    // Shared by the 'blocked' workers: an epoll fd with nothing ready, and
    // the eventfd the loops watch (kicked to start a batch).
    const epfd = epoll_create1(0);
    const idle = eventfd(0, EFD_NONBLOCK); // never written: the idle loops' fd
    const kick = eventfd(1, EFD_NONBLOCK); // always readable: busy and exiting loops get a batch at once
    const spare = eventfd(0, EFD_NONBLOCK);
    epoll_ctl(epfd, EPOLL_CTL_ADD, spare, EPOLLIN);
    const seen = { ended: 0, terminated: 0, maxTerminateMs: 0 };
    try {
      const one = async (i: number): Promise<void> => {
        const kind = KINDS[i % KINDS.length]!;
        const efd = kind === 'loop-idle' ? idle : kind === 'loop-busy' || kind === 'loop-exit' ? kick : -1;
        const w = new Worker(WORKER, { eval: true, workerData: { kind, epfd, efd } });
        const exited = new Promise<number>((resolve) => w.once('exit', resolve));
        w.on('error', () => undefined); // a terminated worker may report nothing else
        const ready = new Promise<void>((resolve) =>
          w.on('message', (m) => {
            if (m === 'ready') resolve();
          }),
        );
        await Promise.race([ready, exited]);
        if (kind === 'blocked' || kind === 'loop-idle' || kind === 'loop-busy') {
          await new Promise((resolve) => setTimeout(resolve, 20 + (i % 3) * 20)); // into the wait, or the batch
          const t0 = Date.now();
          await w.terminate();
          seen.maxTerminateMs = Math.max(seen.maxTerminateMs, Date.now() - t0);
          seen.terminated++;
        }
        await exited;
        seen.ended++;
      };
      for (let i = 0; i < WORKERS; i += AT_ONCE) {
        await Promise.all(Array.from({ length: Math.min(AT_ONCE, WORKERS - i) }, (_, k) => one(i + k)));
      }
    } finally {
      close(spare);
      close(kick);
      close(idle);
      close(epfd);
    }
    console.log(`churn: ${seen.ended} workers ended, ${seen.terminated} terminated; slowest terminate ${seen.maxTerminateMs} ms`);
    expect(seen.ended).toBe(WORKERS);
    // A terminate waits at most for the blocked wait to run out (300 ms).
    expect(seen.maxTerminateMs).toBeLessThan(3_000);
    // The loops' epfds and libuv's dups are closed by their workers' teardown.
    let now = fdCount();
    for (let i = 0; i < 50 && now > before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = fdCount();
    }
    expect(now).toBe(before);
    expect(threadCount()).toBeLessThanOrEqual(threadsBefore);
  }, Math.max(60_000, WORKERS * 700));
});
