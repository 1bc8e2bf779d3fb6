// io_uring_prep_*: each fills the whole 64-byte SQE, as liburing's
// io_uring_prep_rw does, so that nothing of the slot's previous operation
// (flags, buffer group, user_data, a msghdr's fields) reaches the next one;
// and a reused slot then works against the kernel.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_UNIX,
  IORING_OP_SEND,
  IOSQE_BUFFER_SELECT,
  SOCK_STREAM,
  io_uring_alloc_arena,
  io_uring_get_sqe,
  io_uring_prep_send,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit_and_wait,
  io_uring_wait_cqe,
  io_uring_cqe_seen,
  read,
  socketpair,
  type IoUring,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

let ring: IoUring | undefined;
afterEach(() => {
  if (ring) io_uring_queue_exit(ring);
  ring = undefined;
});

describe('io_uring_prep_*', () => {
  it('writes every byte of the SQE: what the slot held before is gone', () => {
    ring = io_uring_queue_init(4);
    const arena = io_uring_alloc_arena(ring, 4096);
    const sqe = io_uring_get_sqe(ring)!;
    sqe.u8.fill(0xff, sqe.base, sqe.base + 64); // a slot full of another operation's fields
    io_uring_prep_send(sqe, 7, arena.ref(16), 64, 0);
    const words = Array.from(sqe.u32.subarray(sqe.base / 4, sqe.base / 4 + 16));
    expect(words[0]).toBe(IORING_OP_SEND); // opcode, and flags and ioprio 0
    expect(words[1]).toBe(7); // fd
    expect(words[6]).toBe(64); // len
    expect(words.slice(7)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]); // msg_flags (0) and everything after
    expect(words[4]! + words[5]! * 2 ** 32).toBe(arena.ref(16)); // addr: the arena reference
  });

  it('a slot reused after buffer select, a group and user_data sends as a plain send', () => {
    ring = io_uring_queue_init(4);
    const arena = io_uring_alloc_arena(ring, 4096);
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM, 0);
    try {
      const sqe = io_uring_get_sqe(ring)!;
      io_uring_prep_send(sqe, a, arena.ref(0), 5, 0);
      io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
      io_uring_sqe_set_buf_group(sqe, 3);
      io_uring_sqe_set_data(sqe, 2 ** 40);
      // Prepared again in the same slot before submitting: none of that may stay.
      arena.bytes.set(Buffer.from('hello'), 0);
      io_uring_prep_send(sqe, a, arena.ref(0), 5, 0);
      io_uring_sqe_set_data(sqe, 9);
      io_uring_submit_and_wait(ring, 1);
      const cqe = io_uring_wait_cqe(ring);
      expect([cqe.user_data, cqe.res]).toEqual([9, 5]);
      io_uring_cqe_seen(ring, cqe);
      const got = Buffer.alloc(8);
      expect(got.toString('utf8', 0, read(b, got, 8))).toBe('hello');
    } finally {
      closeAll(a, b);
    }
  });
});
