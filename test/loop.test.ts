// EpollLoop inside Node's event loop, and the Poller over it: one callback
// per batch with the reused array, coexistence with timers, promises and
// net, stop/start, close (also from inside a callback), ref/unref and
// uncaught exceptions (in child processes), and the stale-event rule.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  AF_UNIX,
  EFD_NONBLOCK,
  EPOLLET,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLL_CTL_ADD,
  EpollLoop,
  Poller,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  close,
  epoll_ctl,
  eventfd,
  read,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, runChild } from './helpers.js';

let toClose: number[] = [];
let loops: Array<{ close(): void }> = [];
afterEach(() => {
  for (const l of loops) l.close();
  closeAll(...toClose);
  toClose = [];
  loops = [];
});

const one = new BigUint64Array([1n]);
const counter = new Uint8Array(8);
function efd(): number {
  const fd = eventfd(0, EFD_NONBLOCK);
  toClose.push(fd);
  return fd;
}
function openLoop(maxevents = 16): EpollLoop {
  const loop = new EpollLoop({ maxevents });
  loops.push(loop);
  return loop;
}
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('EpollLoop', () => {
  it('delivers every ready fd in one callback, in the one reused array', async () => {
    const loop = openLoop();
    const fds = [efd(), efd(), efd()];
    fds.forEach((fd, i) => epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, EPOLLIN, 100 + i));
    const batches: Array<{ count: number; same: boolean; pairs: number[][] }> = [];
    let done!: () => void;
    const got = new Promise<void>((resolve) => (done = resolve));
    loop.start((count, events) => {
      const pairs: number[][] = [];
      for (let i = 0; i < count; i++) {
        pairs.push([events[2 * i], events[2 * i + 1]]);
        read(fds[events[2 * i + 1] - 100], counter);
      }
      batches.push({ count, same: events === loop.events, pairs });
      done();
    });
    for (const fd of fds) write(fd, one); // all three before the loop turns
    await got;
    expect(batches).toHaveLength(1);
    expect(batches[0].count).toBe(3);
    expect(batches[0].same).toBe(true);
    expect(batches[0].pairs.sort()).toEqual([[EPOLLIN, 100], [EPOLLIN, 101], [EPOLLIN, 102]]);
  });

  it('caps a batch at maxevents and delivers the rest in the next one', async () => {
    const loop = openLoop(2);
    const fds = [efd(), efd(), efd()];
    for (const fd of fds) {
      epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, EPOLLIN);
      write(fd, one);
    }
    const counts: number[] = [];
    await new Promise<void>((resolve) => {
      let seen = 0;
      loop.start((count, events) => {
        counts.push(count);
        for (let i = 0; i < count; i++) read(events[2 * i + 1], counter);
        if ((seen += count) === 3) resolve();
      });
    });
    expect(counts).toEqual([2, 1]);
  });

  it('runs beside timers, promises and net, and drains microtasks after each batch', async () => {
    const loop = openLoop();
    const fd = efd();
    epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, EPOLLIN);
    const order: string[] = [];
    let batches = 0;
    loop.start(() => {
      read(fd, counter);
      batches++;
      order.push('batch');
      void Promise.resolve().then(() => order.push('microtask'));
      process.nextTick(() => order.push('tick'));
      setImmediate(() => order.push('immediate'));
    });
    // A net echo server and client in the same process, while a timer keeps
    // poking the eventfd.
    const server = net.createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const timer = setInterval(() => write(fd, one), 5);
    try {
      const port = (server.address() as net.AddressInfo).port;
      const payload = Buffer.alloc(200_000, 7);
      const echoed = await new Promise<Buffer>((resolve, reject) => {
        const c = net.connect(port, '127.0.0.1', () => c.end(payload));
        const parts: Buffer[] = [];
        c.on('data', (d) => parts.push(d));
        c.on('end', () => resolve(Buffer.concat(parts)));
        c.on('error', reject);
      });
      expect(echoed.equals(payload)).toBe(true);
      while (batches < 3) await tick(5);
    } finally {
      clearInterval(timer);
      await new Promise((resolve) => server.close(resolve));
    }
    // After a batch, its nextTick and promise jobs run before anything else
    // of the event loop (as after any Node I/O callback).
    expect(order.slice(0, 4)).toEqual(['batch', 'tick', 'microtask', 'immediate']);
  });

  it('stop() holds events in the kernel until start()', async () => {
    const loop = openLoop();
    const fd = efd();
    epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, EPOLLIN);
    let batches = 0;
    const cb = (): void => {
      batches++;
      read(fd, counter);
    };
    loop.start(cb);
    loop.stop();
    write(fd, one);
    await tick(20);
    expect(batches).toBe(0);
    loop.start(cb);
    while (batches === 0) await tick(1);
    expect(batches).toBe(1);
  });

  it('close() releases the epfd, stops batches even from inside a callback, and is idempotent', async () => {
    const loop = new EpollLoop({ maxevents: 4 });
    const fd = efd();
    const epfd = loop.epfd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN);
    let batches = 0;
    loop.start(() => {
      batches++; // never reads: level-triggered, it would fire forever
      loop.close();
    });
    write(fd, one);
    while (batches === 0) await tick(1);
    await tick(20);
    expect(batches).toBe(1);
    expect(loop.closed).toBe(true);
    expect(loop.epfd).toBe(-1);
    expect(() => epoll_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    loop.close();
    loop.stop();
    loop.unref();
    expect(() => loop.start(() => undefined)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'uv_poll_start' }));
  });

  it('tracks ref/unref like a Node handle', () => {
    const loop = openLoop();
    expect(loop.hasRef()).toBe(true);
    loop.unref();
    expect(loop.hasRef()).toBe(false);
    loop.ref();
    expect(loop.hasRef()).toBe(true);
  });

  it('checks its arguments', () => {
    expect(() => new EpollLoop({ maxevents: 0 })).toThrow(RangeError);
    expect(() => new EpollLoop({ maxevents: 1.5 })).toThrow(RangeError);
    const loop = openLoop();
    expect(() => loop.start(42 as unknown as () => void)).toThrow(/'callback'/);
  });
});

describe('EpollLoop lifetime and errors (child processes)', () => {
  const child = path.join(__dirname, 'workers', 'loop-child.ts');
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

  it('a throw in the callback is an uncaught exception, and the loop goes on', async () => {
    expect(await run('throw-handled')).toMatchObject({ code: 0, stdout: 'caught boom in batch 1\nbatch 2\n' });
  });

  it('a loop dropped without close() is closed by the garbage collector', async () => {
    // Two fds per loop: its epfd and the private dup that libuv watches.
    expect(await run('gc', ['--expose-gc'])).toMatchObject({ code: 0, stdout: 'created=100 left=0\n' });
  });

  it('a loop or Poller started then stopped, dropped without close(), is closed by the garbage collector', async () => {
    // 25 loops and 25 Pollers, two fds each.
    expect(await run('gc-started', ['--expose-gc'])).toMatchObject({ code: 0, stdout: 'created=100 left=0\n' });
  });

  it('an unhandled throw ends the process as any uncaught exception does', async () => {
    const r = await run('throw-unhandled');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('boom unhandled');
  });
});

describe('Poller', () => {
  function openPoller(): Poller {
    const p = new Poller({ maxevents: 16 });
    loops.push(p);
    return p;
  }

  it('add and modify refuse a handler that is not a function, before epoll_ctl', () => {
    const p = openPoller();
    const efd = eventfd(0, EFD_NONBLOCK);
    toClose.push(efd);
    expect(() => p.add(efd, EPOLLIN, 42 as unknown as () => void)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining("'handler'") }),
    );
    expect(p.size).toBe(0);
    // Not registered with the kernel either: a real add now succeeds.
    p.add(efd, EPOLLIN, () => undefined);
    expect(() => p.modify(efd, EPOLLIN, 'x' as unknown as () => void)).toThrow(/'handler'/);
    p.remove(efd);
  });

  it('dispatches each event to its fd handler, blocking (wait) or integrated (start)', async () => {
    const p = openPoller();
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
    toClose.push(a, b);
    const seen: Array<[number, number]> = [];
    p.add(b, EPOLLIN, (fd, events) => {
      seen.push([fd, events]);
      read(fd, new Uint8Array(64));
    });
    expect(p.size).toBe(1);
    expect(p.wait(0)).toBe(0);
    write(a, new Uint8Array([1]));
    expect(p.wait(-1)).toBe(1);
    expect(seen).toEqual([[b, EPOLLIN]]);
    p.start();
    write(a, new Uint8Array([2]));
    while (seen.length < 2) await tick(1);
    expect(seen[1]).toEqual([b, EPOLLIN]);
  });

  it('never delivers a stale event to a new fd that reused a closed fd number in the same batch', async () => {
    const p = openPoller();
    const x = eventfd(1, EFD_NONBLOCK);
    const y = eventfd(1, EFD_NONBLOCK);
    const calls: string[] = [];
    let reused = -1;
    // Whichever of x and y is dispatched first closes the other, as a server
    // closes a peer, and opens a new fd, which gets the closed one's number.
    const handler = (me: number, other: number) => (): void => {
      calls.push(me === x ? 'x' : 'y');
      read(me, counter);
      p.remove(other);
      close(other);
      reused = eventfd(1, EFD_NONBLOCK); // readable at once: would match a stale entry
      expect(reused).toBe(other);
      p.add(reused, EPOLLIN, () => calls.push('new'));
    };
    p.add(x, EPOLLIN, handler(x, y));
    p.add(y, EPOLLIN, handler(y, x));
    try {
      expect(p.wait(0)).toBe(2); // both in one batch
      expect(calls).toHaveLength(1); // the closed one's entry was skipped
      expect(p.wait(0)).toBe(1); // the new fd's own event comes next batch
      expect(calls[1]).toBe('new');
    } finally {
      closeAll(calls[0] === 'x' ? x : y, reused);
    }
  });

  it('the same holds in the integrated loop', async () => {
    const p = openPoller();
    const x = eventfd(1, EFD_NONBLOCK);
    const y = eventfd(1, EFD_NONBLOCK);
    const calls: string[] = [];
    let reused = -1;
    let inFirstBatch = false;
    const handler = (me: number, other: number) => (): void => {
      calls.push(me === x ? 'x' : 'y');
      if (calls.length > 1) return;
      // Microtasks run once the whole batch callback has returned.
      inFirstBatch = true;
      queueMicrotask(() => (inFirstBatch = false));
      read(me, counter);
      p.remove(other);
      close(other);
      reused = eventfd(1, EFD_NONBLOCK);
      expect(reused).toBe(other);
      p.add(reused, EPOLLIN, () => {
        calls.push(inFirstBatch ? 'new, from a stale entry' : 'new');
        read(reused, counter);
      });
    };
    p.add(x, EPOLLIN, handler(x, y));
    p.add(y, EPOLLIN, handler(y, x));
    p.start();
    while (calls.length < 2) await tick(1);
    p.stop();
    expect(calls.slice(1)).toEqual(['new']);
    closeAll(calls[0] === 'x' ? x : y, reused);
  });

  it('retires the handler of an fd closed without remove() when its number is added again', () => {
    const p = openPoller();
    const a = eventfd(0, EFD_NONBLOCK);
    p.add(a, EPOLLIN, () => expect.unreachable('old handler'));
    close(a);
    const b = eventfd(1, EFD_NONBLOCK);
    toClose.push(b);
    expect(b).toBe(a);
    let calls = 0;
    p.add(b, EPOLLIN, () => calls++);
    expect(p.size).toBe(1);
    expect(p.wait(0)).toBe(1);
    expect(calls).toBe(1);
  });

  it('modify re-arms ONESHOT and switches handlers; remove errors and tolerates a closed fd', () => {
    const p = openPoller();
    const e = efd();
    write(e, one);
    const seen: string[] = [];
    p.add(e, EPOLLIN | EPOLLONESHOT, () => seen.push('first'));
    expect(p.wait(0)).toBe(1);
    expect(p.wait(0)).toBe(0);
    p.modify(e, EPOLLIN | EPOLLET, () => seen.push('second'));
    expect(p.wait(0)).toBe(1);
    expect(seen).toEqual(['first', 'second']);
    expect(() => p.modify(12345, EPOLLIN)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => p.add(e, EPOLLIN, () => undefined)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    const gone = eventfd();
    p.add(gone, EPOLLIN, () => undefined);
    close(gone);
    p.remove(gone);
    expect(() => p.remove(gone)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
