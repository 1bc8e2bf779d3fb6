// What the liburing tests share: rings and fds that every test's afterEach
// closes, and the three steps each test repeats (a ring, an SQE, the next
// CQE copied out and marked seen).
import {
  io_uring_cqe_seen,
  io_uring_get_sqe,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_wait_cqe,
  type IoUring,
  type IoUringSqe,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

/** Rings a test opened itself, exited after it (push them here). */
export const rings: IoUring[] = [];
/** fds a test opened, closed after it (push them here). */
export const fds: number[] = [];

/** For afterEach: exits every ring and closes every fd the test left. */
export function closeRingsAndFds(): void {
  for (const r of rings) io_uring_queue_exit(r);
  closeAll(...fds);
  rings.length = 0;
  fds.length = 0;
}

export function ring(entries = 16): IoUring {
  const r = io_uring_queue_init(entries);
  rings.push(r);
  return r;
}

export function sqe(r: IoUring): IoUringSqe {
  const s = io_uring_get_sqe(r);
  if (s === null) throw new Error('SQ full');
  return s;
}

/** Waits for one CQE and returns a copy of it, marked seen. */
export function next(r: IoUring): { user_data: number; res: number; flags: number } {
  const c = io_uring_wait_cqe(r);
  const out = { user_data: c.user_data, res: c.res, flags: c.flags };
  io_uring_cqe_seen(r, c);
  return out;
}
