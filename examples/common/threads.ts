// What the lessons with worker_threads share: starting a lesson's own file
// again in a worker (under tsx, as the reader runs it), seeing from outside
// that a thread sleeps in epoll_wait, and waiting for a condition that other
// threads make true in shared memory.
//
// A thread blocked in epoll_wait runs no JS: worker.terminate() cannot stop
// it and its postMessage calls wait until it returns. So these lessons talk
// to their workers through SharedArrayBuffers (Atomics) and wake them with
// an fd in their epoll sets (an eventfd), as a C program would.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Runs `file` (a lesson's `__filename`) in a new worker_thread with
 * `workerData`. A worker does not inherit tsx's loader, so the worker
 * registers it (tsx/cjs) before it loads the file.
 */
export function startWorker(file: string, workerData: unknown): Worker {
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData });
}

/**
 * Whether thread `tid` of this process sleeps in epoll_wait now, as the
 * kernel tells in /proc: state S (sleeping) and the wait channel (the kernel
 * function it sleeps in) do_epoll_wait or ep_poll. A thread that sleeps
 * there is on the epoll fd's wait queue, so a wake-up would reach it.
 */
export function sleepsInEpollWait(tid: number): boolean {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    const wchan = readFileSync(`/proc/self/task/${tid}/wchan`, 'utf8');
    return state === 'S' && /epoll|ep_poll/.test(wchan);
  } catch {
    return false; // the thread has ended
  }
}

/** Resolves true as soon as `cond()` holds (checked every few ms), false after `ms` without it. */
export async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

/** Blocks the calling thread for `ms` or until `cell[i]` is notified and no longer `value` (Atomics.wait). */
export function waitWhile(cell: Int32Array, i: number, value: number, ms: number): void {
  const end = Date.now() + ms;
  for (let left = ms; Atomics.load(cell, i) === value && left > 0; left = end - Date.now()) {
    Atomics.wait(cell, i, value, left);
  }
}
