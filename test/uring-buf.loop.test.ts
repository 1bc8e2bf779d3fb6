// IoUringLoop: a ring inside Node's event loop. The ring fd polls readable
// while CQEs wait; the callback runs once per batch, reads them all, and
// submits what they call for, beside timers and promises.
import { afterEach, describe, expect, it } from 'vitest';
import {
  IoUringLoop,
  io_uring_alloc_arena,
  io_uring_cq_advance,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_prep_nop,
  io_uring_prep_recv,
  io_uring_prep_send,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_sqe_set_data,
  io_uring_submit,
  read,
  write,
  type IoUring,
} from '../lib/index.js';
import { closeAll, tcpPair, uringRefused } from './helpers.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.reverse()) f();
  cleanup = [];
});

function setup(): { ring: IoUring; loop: IoUringLoop } {
  const ring = io_uring_queue_init(16);
  const loop = new IoUringLoop(ring);
  cleanup.push(() => io_uring_queue_exit(ring), () => loop.close());
  return { ring, loop };
}

describe.skipIf(uringRefused())('IoUringLoop', () => {
  it('delivers a batch of CQEs in one callback', async () => {
    const { ring, loop } = setup();
    for (let i = 0; i < 3; i++) {
      const sqe = io_uring_get_sqe(ring)!;
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data(sqe, i);
    }
    io_uring_submit(ring);
    const batches: number[][] = [];
    await new Promise<void>((resolve) => {
      loop.start((r) => {
        const seen: number[] = [];
        io_uring_cq_advance(r, io_uring_for_each_cqe(r, (c) => seen.push(c.user_data)));
        batches.push(seen);
        resolve();
      });
    });
    expect(batches).toEqual([[0, 1, 2]]);
  });

  it('echoes from inside the event loop, beside a timer', async () => {
    const { ring, loop } = setup();
    const arena = io_uring_alloc_arena(ring, 256);
    const { client, server } = tcpPair();
    cleanup.push(() => closeAll(client, server));
    io_uring_prep_recv(io_uring_get_sqe(ring)!, server, arena.ref(), 256, 0);
    io_uring_sqe_set_data(ring.sqes[0]!, 1);
    io_uring_submit(ring);
    const done = new Promise<void>((resolve) => {
      loop.start((r) => {
        io_uring_cq_advance(
          r,
          io_uring_for_each_cqe(r, (c) => {
            if (c.user_data === 1) {
              const sqe = io_uring_get_sqe(r)!;
              io_uring_prep_send(sqe, server, arena.ref(), c.res, 0);
              io_uring_sqe_set_data(sqe, 2);
            } else resolve();
          }),
        );
        io_uring_submit(r);
      });
    });
    setTimeout(() => write(client, Buffer.from('loop echo')), 5);
    await done;
    const got = Buffer.alloc(9);
    expect(read(client, got)).toBe(9);
    expect(got.toString()).toBe('loop echo');
    loop.unref();
    loop.ref();
    loop.stop();
  });
});
