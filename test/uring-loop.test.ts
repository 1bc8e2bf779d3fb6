// IoUringLoop's native loop: it submits what the callback staged, waits for
// the number of CQEs the callback returns, serves DEFER_TASKRUN rings
// through an eventfd of its own, goes with its ring, and lives and dies as a
// Node handle (child processes and a worker).
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  EFD_NONBLOCK,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IoUringLoop,
  MSG_DONTWAIT,
  close,
  eventfd,
  io_uring_alloc_arena,
  io_uring_cq_advance,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_prep_nop,
  io_uring_prep_recv,
  io_uring_prep_send,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_register_eventfd,
  io_uring_sqe_set_data,
  io_uring_submit,
  io_uring_wait_cqe,
  read,
  recv,
  write,
  type IoUring,
} from '../lib/index.js';
import { nativeModule } from '../lib/native.js';
import { closeAll, tcpPair, uringRefused, runChild } from './helpers.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.reverse()) f();
  cleanup = [];
});

function setup(flags = 0): { ring: IoUring; loop: IoUringLoop } {
  const ring = io_uring_queue_init(16, flags);
  const loop = new IoUringLoop(ring);
  cleanup.push(() => io_uring_queue_exit(ring), () => loop.close());
  return { ring, loop };
}

function stageNop(ring: IoUring, data: number): void {
  const sqe = io_uring_get_sqe(ring)!;
  io_uring_prep_nop(sqe);
  io_uring_sqe_set_data(sqe, data);
}

/**
 * Echoes one message through `loop`: the callback stages the send, and the
 * loop submits it on return, or (`submitItself`) the callback submits it
 * with io_uring_submit, which still works.
 */
async function echoOnce(ring: IoUring, loop: IoUringLoop, submitItself = false): Promise<string> {
  const arena = io_uring_alloc_arena(ring, 256);
  const { client, server } = tcpPair();
  cleanup.push(() => closeAll(client, server));
  io_uring_prep_recv(io_uring_get_sqe(ring)!, server, arena.ref(), 256, 0);
  io_uring_sqe_set_data(ring.sqes[0]!, 1);
  io_uring_submit(ring);
  const sent = new Promise<number>((resolve) => {
    loop.start((r) => {
      io_uring_cq_advance(
        r,
        io_uring_for_each_cqe(r, (c) => {
          if (c.user_data === 1) {
            const sqe = io_uring_get_sqe(r)!;
            io_uring_prep_send(sqe, server, arena.ref(), c.res, 0);
            io_uring_sqe_set_data(sqe, 2);
          } else resolve(c.res);
        }),
      );
      if (submitItself) io_uring_submit(r);
    });
  });
  write(client, Buffer.from('staged echo'));
  expect(await sent).toBe(11);
  const got = Buffer.alloc(11);
  expect(read(client, got)).toBe(11);
  // One echo, not two: a send submitted twice would be queued by now (loopback sends complete inline).
  expect(recv(client, Buffer.alloc(16), 16, MSG_DONTWAIT)).toBe(-1);
  return got.toString();
}

describe.skipIf(uringRefused())('IoUringLoop (native loop)', () => {
  it('submits what the callback staged when it returns', async () => {
    const { ring, loop } = setup();
    expect(await echoOnce(ring, loop)).toBe('staged echo');
  });

  it('a callback that submits itself (io_uring_submit) works the same, and the loop submits nothing twice', async () => {
    const { ring, loop } = setup();
    expect(await echoOnce(ring, loop, true)).toBe('staged echo');
    expect(ring.staged).toBe(0);
  });

  it('delivers a batch of CQEs in one callback, beside ref, unref and stop', async () => {
    const { ring, loop } = setup();
    for (let i = 0; i < 3; i++) stageNop(ring, i);
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
    loop.unref();
    expect(loop.hasRef()).toBe(false);
    loop.ref();
    expect(loop.hasRef()).toBe(true);
    loop.stop();
  });

  it('costs one Node-API call a batch: the callback reads, stages and returns without calling the addon', async () => {
    const { ring, loop } = setup();
    const arena = io_uring_alloc_arena(ring, 256);
    const { client, server } = tcpPair();
    cleanup.push(() => closeAll(client, server));
    // Every addon function counts the calls made while the callback runs.
    const addon = nativeModule<Record<string, unknown>>();
    const calls: string[] = [];
    let inCallback = false;
    const originals = Object.entries(addon).filter(([, f]) => typeof f === 'function') as Array<[string, (...a: unknown[]) => unknown]>;
    for (const [name, f] of originals)
      addon[name] = (...a: unknown[]) => {
        if (inCallback) calls.push(name);
        return f(...a);
      };
    cleanup.push(() => originals.forEach(([name, f]) => (addon[name] = f)));
    const recv = (r: IoUring): void => {
      io_uring_prep_recv(io_uring_get_sqe(r)!, server, arena.ref(), 256, 0);
      io_uring_sqe_set_data(r.sqes[r.staged - 1]!, 1);
    };
    recv(ring);
    io_uring_submit(ring);
    let echoes = 0;
    let batches = 0;
    const done = new Promise<void>((resolve) => {
      loop.start((r) => {
        inCallback = true;
        batches++;
        io_uring_cq_advance(
          r,
          io_uring_for_each_cqe(r, (c) => {
            if (c.user_data === 1) {
              const sqe = io_uring_get_sqe(r)!;
              io_uring_prep_send(sqe, server, arena.ref(), c.res, 0);
              io_uring_sqe_set_data(sqe, 2);
            } else if (++echoes < 5) {
              recv(r);
              setImmediate(() => {
                read(client, Buffer.alloc(4)); // the echo is back: the next request
                write(client, Buffer.from('ping'));
              });
            } else resolve();
          }),
        );
        inCallback = false;
      });
    });
    write(client, Buffer.from('ping'));
    await done;
    expect(echoes).toBe(5);
    expect(batches).toBeGreaterThanOrEqual(5);
    expect(calls).toEqual([]);
  });

  it('calls back again only once the number of CQEs the callback returned is ready', async () => {
    const { ring, loop } = setup();
    const arena = io_uring_alloc_arena(ring, 64);
    const { client, server } = tcpPair();
    cleanup.push(() => closeAll(client, server));
    stageNop(ring, 1);
    io_uring_prep_recv(io_uring_get_sqe(ring)!, server, arena.ref(), 64, 0);
    io_uring_sqe_set_data(ring.sqes[1]!, 9);
    io_uring_submit(ring);
    const batches: number[][] = [];
    const done = new Promise<void>((resolve) => {
      loop.start((r) => {
        const seen: number[] = [];
        io_uring_cq_advance(r, io_uring_for_each_cqe(r, (c) => seen.push(c.user_data)));
        batches.push(seen);
        if (batches.length === 1) {
          // The NOP completes at once, in the submit; it must wait for the
          // recv's CQE and come in the same batch.
          stageNop(r, 2);
          setImmediate(() => write(client, Buffer.from('x')));
          return 2;
        }
        resolve();
      });
    });
    await done;
    expect(batches).toEqual([[1], [2, 9]]);
  });

  it('refuses a callback that is not a function', () => {
    const { loop } = setup();
    expect(() => loop.start(42 as unknown as () => void)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining("'callback'") }),
    );
  });

  it('submits what a callback staged before it closed the loop', async () => {
    const { ring, loop } = setup();
    stageNop(ring, 1);
    io_uring_submit(ring);
    await new Promise<void>((resolve) => {
      loop.start((r) => {
        io_uring_cq_advance(r, io_uring_for_each_cqe(r, () => undefined));
        stageNop(r, 2);
        loop.close();
        resolve();
      });
    });
    expect(io_uring_wait_cqe(ring).user_data).toBe(2);
  });

  it('is closed with its ring: start() is then EBADF', () => {
    const ring = io_uring_queue_init(4);
    const loop = new IoUringLoop(ring);
    io_uring_queue_exit(ring);
    expect(() => loop.start(() => undefined)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    loop.close();
    expect(() => new IoUringLoop(ring)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('serves a DEFER_TASKRUN ring through an eventfd it registers and enters itself', async () => {
    const { ring, loop } = setup(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    expect(await echoOnce(ring, loop)).toBe('staged echo');
    // Its eventfd is unregistered on close: the ring takes another one then.
    loop.close();
    const efd = eventfd(0, EFD_NONBLOCK);
    cleanup.push(() => close(efd));
    expect(io_uring_register_eventfd(ring, efd)).toBe(0);
  });

  it('refuses a DEFER_TASKRUN ring that has an eventfd of its own (EBUSY)', () => {
    const ring = io_uring_queue_init(4, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    const efd = eventfd(0, EFD_NONBLOCK);
    cleanup.push(() => io_uring_queue_exit(ring), () => close(efd));
    io_uring_register_eventfd(ring, efd);
    expect(() => new IoUringLoop(ring)).toThrow(expect.objectContaining({ code: 'EBUSY', syscall: 'io_uring_register' }));
  });
});

describe.skipIf(uringRefused())('IoUringLoop lifetime and errors (child processes)', () => {
  const child = path.join(__dirname, 'workers', 'uring-loop-child.ts');
  const run = (mode: string, flags: string[] = []) => runChild(child, mode, flags);

  it('an unreferenced loop does not keep the process alive', async () => {
    expect(await run('unref')).toMatchObject({ code: 0, stdout: 'exit hasRef=false\n' });
  });

  it('a started, referenced loop keeps the process alive; close() lets it end', async () => {
    expect(await run('ref')).toMatchObject({ code: 0, stdout: 'alive\n' });
  });

  it('a stopped loop does not keep the process alive', async () => {
    expect(await run('stopped')).toMatchObject({ code: 0, stdout: 'exit\n' });
  });

  it('closing the ring closes its started loop, which then keeps nothing alive', async () => {
    const out = await run('ring-closed');
    // Ours: the ring's fd and the loop's dup at least; at exit none of them is open.
    expect(out).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ours=\d+, exit io_uring fds=0\n$/) });
    expect(Number(/ours=(\d+)/.exec(out.stdout)![1])).toBeGreaterThanOrEqual(2);
  });

  it('a refused SQE staged by the callback is an uncaught RangeError; the batch is dropped and the loop goes on', async () => {
    const r = await run('refused');
    expect(r.stdout).toMatch(/^caught RangeError sqe\[0\] \(opcode \d+\): addr names arena 6; the ring has 0\nbatch 2 nop\n$/);
    expect(r.code).toBe(0);
  });

  it('a callback returning a bad wait count is an uncaught RangeError', async () => {
    expect(await run('bad-return')).toMatchObject({
      code: 0,
      stdout: 'caught RangeError IoUringLoop callback returned 0: expected nothing or an integer >= 1\n',
    });
  });

  it('a throw in the callback ends the process as any uncaught exception does', async () => {
    const r = await run('throw-unhandled');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('boom unhandled');
  });

  it('loops dropped without close() are closed by the garbage collector', async () => {
    // One fd per loop: its dup of the ring fd.
    expect(await run('gc', ['--expose-gc'])).toMatchObject({ code: 0, stdout: 'created=50 left=0\n' });
  });
});

describe.skipIf(uringRefused())('IoUringLoop in a worker', () => {
  const ioUringFds = (): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[io_uring]';
      } catch {
        return false;
      }
    }).length;

  it.each(['exit', 'terminate'] as const)('a worker that %ss with its loop started closes loop and ring', async (how) => {
    const before = ioUringFds();
    const w = new Worker(path.join(__dirname, 'workers', 'uring-loop-worker.cjs'), { workerData: { exitAfter: 3, how } });
    const batches: number[] = [];
    const exited = new Promise<number>((resolve) => w.once('exit', resolve));
    const third = new Promise<void>((resolve, reject) => {
      w.on('message', (m: { batch: number; cqes: number }) => {
        batches.push(m.cqes);
        if (m.batch === 3) resolve();
      });
      w.once('error', reject);
    });
    await third;
    expect(batches).toEqual([1, 1, 1]); // one NOP staged per batch, submitted by the loop
    if (how === 'terminate') await w.terminate();
    expect(await exited).toBe(how === 'exit' ? 0 : 1);
    // The ring's two fds and the loop's dup are gone with the worker.
    let left = ioUringFds() - before;
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      left = ioUringFds() - before;
    }
    expect(left).toBe(0);
    expect(existsSync('/proc/self/fd')).toBe(true);
  });
});
