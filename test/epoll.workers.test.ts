// epoll across threads: two worker_threads blocked in epoll_wait on one
// epfd (level- vs edge-triggered), EPOLLEXCLUSIVE across two epfds, the addon
// loaded in workers, and an EpollLoop cleaned up when its worker exits.
//
// The waiter tests are deterministic, not timing-based: the parent writes
// only once /proc shows both worker threads asleep inside epoll_wait, and
// each worker's single bounded wait then either returned the event or timed
// out.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  EFD_NONBLOCK,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLIN,
  EPOLL_CTL_ADD,
  epoll_create1,
  epoll_ctl,
  eventfd,
  read,
  write,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

const workers = path.join(__dirname, 'workers');
let toClose: number[] = [];
afterEach(() => {
  closeAll(...toClose);
  toClose = [];
});

interface WaitResult {
  count: number;
  mask: number;
  data: number;
}

// True once thread `tid` of this process sleeps in an epoll wait: its
// wchan names the epoll wait, or (when wchan is hidden) its current system
// call is epoll_wait or epoll_pwait.
function asleepInEpoll(tid: number): boolean {
  try {
    const dir = `/proc/self/task/${tid}`;
    const state = readFileSync(`${dir}/stat`, 'utf8').split(') ')[1][0];
    if (state !== 'S') return false;
    const wchan = readFileSync(`${dir}/wchan`, 'utf8');
    if (/ep_poll|epoll/.test(wchan)) return true;
    const nr = Number(readFileSync(`${dir}/syscall`, 'utf8').split(' ')[0]);
    const epollWaits = process.arch === 'x64' ? [232, 281, 441] : [22, 441]; // arm64: epoll_pwait, epoll_pwait2
    return epollWaits.includes(nr);
  } catch {
    return false;
  }
}

// Starts one waiter per epfd in `epfds`, waits until all sleep in the
// kernel, runs `fire`, and collects each waiter's one result.
async function waiters(epfds: number[], fire: () => void, timeoutMs = 1000): Promise<WaitResult[]> {
  const started = epfds.map((epfd) => {
    const w = new Worker(path.join(workers, 'epoll-waiter.cjs'), { workerData: { epfd, timeoutMs } });
    const tid = new Promise<number>((resolve) => w.once('message', (m: { tid: number }) => resolve(m.tid)));
    const result = new Promise<WaitResult>((resolve, reject) => {
      w.on('message', (m: { type: string } & WaitResult) => {
        if (m.type === 'result') resolve(m);
      });
      w.once('error', reject);
    });
    const exited = new Promise((resolve) => w.once('exit', resolve));
    return { tid, result, exited };
  });
  const tids = await Promise.all(started.map((s) => s.tid));
  for (let i = 0; i < 500 && !tids.every(asleepInEpoll); i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(tids.every(asleepInEpoll), 'both waiters asleep in epoll_wait').toBe(true);
  fire();
  const results = await Promise.all(started.map((s) => s.result));
  await Promise.all(started.map((s) => s.exited));
  return results;
}

describe('two waiters on one epfd', () => {
  it('level-triggered: one write wakes both', async () => {
    const ep = epoll_create1();
    const e = eventfd(0, EFD_NONBLOCK);
    toClose.push(ep, e);
    epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN, 5);
    const results = await waiters([ep, ep], () => write(e, new BigUint64Array([1n])));
    expect(results.map((r) => r.count)).toEqual([1, 1]);
    expect(results.every((r) => r.mask === EPOLLIN && r.data === 5)).toBe(true);
  });

  it('edge-triggered: one write wakes exactly one', async () => {
    const ep = epoll_create1();
    const e = eventfd(0, EFD_NONBLOCK);
    toClose.push(ep, e);
    epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLET);
    const results = await waiters([ep, ep], () => write(e, new BigUint64Array([1n])), 600);
    expect(results.map((r) => r.count).sort()).toEqual([0, 1]);
  });

  it('EPOLLEXCLUSIVE: one fd in two epfds, one write wakes exactly one of them', async () => {
    const ep1 = epoll_create1();
    const ep2 = epoll_create1();
    const e = eventfd(0, EFD_NONBLOCK);
    toClose.push(ep1, ep2, e);
    epoll_ctl(ep1, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLEXCLUSIVE);
    epoll_ctl(ep2, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLEXCLUSIVE);
    const results = await waiters([ep1, ep2], () => write(e, new BigUint64Array([1n])), 600);
    expect(results.map((r) => r.count).sort()).toEqual([0, 1]);
  });

  it('without EPOLLEXCLUSIVE the same write wakes both epfds', async () => {
    const ep1 = epoll_create1();
    const ep2 = epoll_create1();
    const e = eventfd(0, EFD_NONBLOCK);
    toClose.push(ep1, ep2, e);
    epoll_ctl(ep1, EPOLL_CTL_ADD, e, EPOLLIN);
    epoll_ctl(ep2, EPOLL_CTL_ADD, e, EPOLLIN);
    const results = await waiters([ep1, ep2], () => write(e, new BigUint64Array([1n])));
    expect(results.map((r) => r.count)).toEqual([1, 1]);
  });
});

describe('EpollLoop in a worker', () => {
  // Runs loop-worker.cjs: it opens a loop on its own libuv loop, watches
  // `efd`, reports batches, and ends after `exitAfter` of them while the
  // loop is still started and referenced.
  async function runLoopWorker(exitHow: 'exit' | 'terminate'): Promise<void> {
    const efd = eventfd(0, EFD_NONBLOCK);
    toClose.push(efd);
    const w = new Worker(path.join(workers, 'loop-worker.cjs'), { workerData: { efd, exitAfter: 2, exitHow } });
    const messages: Array<{ type: string; count?: number; mask?: number; data?: number; epfd: number; sameArray?: boolean }> = [];
    const exited = new Promise<number>((resolve) => w.once('exit', resolve));
    const errored = new Promise((resolve) => w.once('error', resolve));
    let waiting: (() => void) | null = null;
    w.on('message', (m) => {
      messages.push(m);
      if (waiting) waiting();
    });
    const next = async (): Promise<void> => {
      const before = messages.length;
      while (messages.length === before) await new Promise<void>((resolve) => (waiting = resolve));
    };
    await next(); // ready
    const epfd = messages[0].epfd;
    expect(readFileSync(`/proc/self/fdinfo/${epfd}`, 'utf8')).toMatch(/tfd:\s+\d+ events:\s+19 data:\s+1092/); // efd, EPOLLIN|ERR|HUP, 4242
    write(efd, new BigUint64Array([1n]));
    await next();
    write(efd, new BigUint64Array([1n]));
    await next();
    if (exitHow === 'terminate') await w.terminate();
    const code = await Promise.race([exited, errored.then(() => -1)]);
    expect(code).toBe(exitHow === 'exit' ? 0 : 1);
    const batches = messages.filter((m) => m.type === 'batch');
    expect(batches).toHaveLength(2);
    for (const b of batches) expect(b).toMatchObject({ count: 1, mask: EPOLLIN, data: 4242, sameArray: true });
    // The worker's loop closed its epfd on the way out (the fd-leak check in
    // setup.ts also fails the test otherwise).
    let open = true;
    for (let i = 0; i < 100 && open; i++) {
      try {
        readFileSync(`/proc/self/fdinfo/${epfd}`, 'utf8');
        await new Promise((resolve) => setTimeout(resolve, 10));
      } catch {
        open = false;
      }
    }
    expect(open).toBe(false);
    expect(read(efd, new Uint8Array(8))).toBe(-1); // the worker drained it
  }

  it('runs on the worker loop and is closed when the worker calls process.exit', async () => {
    await runLoopWorker('exit');
  });

  it('is closed when the worker is terminated from outside', async () => {
    await runLoopWorker('terminate');
  });
});
