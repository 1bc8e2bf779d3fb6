// epoll_create1, epoll_ctl, epoll_wait in blocking mode: the semantics the
// kernel documents (level- and edge-triggered, ONESHOT, RDHUP, HUP/ERR,
// nesting), the errors, and the argument checks.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { openSync, readFileSync } from 'node:fs';
import {
  AF_UNIX,
  EFD_NONBLOCK,
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EpollEvents,
  FD_CLOEXEC,
  F_GETFD,
  SHUT_WR,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  eventfd,
  fcntl,
  pipe,
  read,
  shutdown,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, tcpPair } from './helpers.js';

let toClose: number[] = [];
afterEach(() => {
  closeAll(...toClose.reverse());
  toClose = [];
});
function track<T extends number | number[]>(x: T): T {
  if (Array.isArray(x)) toClose.push(...x);
  else toClose.push(x as number);
  return x;
}

const one = new BigUint64Array([1n]);
const scratch = new Uint8Array(65536);

describe('epoll_create1', () => {
  it('returns an epoll fd, close-on-exec only when asked', () => {
    const a = track(epoll_create1());
    const b = track(epoll_create1(EPOLL_CLOEXEC));
    expect(readFileSync(`/proc/self/fdinfo/${a}`, 'utf8')).toMatch(/^pos:/m);
    expect(fcntl(a, F_GETFD) & FD_CLOEXEC).toBe(0);
    expect(fcntl(b, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
  });

  it('rejects unknown flags with EINVAL', () => {
    expect(() => epoll_create1(1)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'epoll_create1' }));
  });
});

describe('epoll_ctl and epoll_wait', () => {
  it('reports (mask, data) pairs; data defaults to the fd and takes any 32-bit token', () => {
    const ep = track(epoll_create1());
    const [r1, w1] = track(pipe());
    const [r2, w2] = track(pipe());
    epoll_ctl(ep, EPOLL_CTL_ADD, r1, EPOLLIN);
    epoll_ctl(ep, EPOLL_CTL_ADD, r2, EPOLLIN, 0xfffffffe);
    const ev = new Uint32Array(16);
    expect(epoll_wait(ep, ev, 8, 0)).toBe(0);
    write(w1, one);
    write(w2, one);
    expect(epoll_wait(ep, ev, 8, -1)).toBe(2);
    const got = new Map([[ev[1], ev[0]], [ev[3], ev[2]]]);
    expect(got).toEqual(new Map([[r1, EPOLLIN], [0xfffffffe, EPOLLIN]]));
  });

  it('returns at most maxevents and leaves the rest for the next wait', () => {
    const ep = track(epoll_create1());
    const ready: number[] = [];
    for (let i = 0; i < 5; i++) {
      const e = track(eventfd(1, EFD_NONBLOCK));
      epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN);
      ready.push(e);
    }
    const ev = new EpollEvents(3);
    expect(epoll_wait(ep, ev, 3, 0)).toBe(3);
    const seen = [ev.data(0), ev.data(1), ev.data(2)];
    // Level-triggered and unread, the first three stay ready; the kernel
    // rotates them to the back so the other two come first.
    expect(epoll_wait(ep, ev, 2, 0)).toBe(2);
    seen.push(ev.data(0), ev.data(1));
    expect(seen.sort((a, b) => a - b)).toEqual(ready);
    expect(ev.mask(0)).toBe(EPOLLIN);
  });

  it('level-triggered re-reports unread data on every wait', () => {
    const ep = track(epoll_create1());
    const [a, b] = track(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK));
    epoll_ctl(ep, EPOLL_CTL_ADD, b, EPOLLIN);
    const ev = new Uint32Array(8);
    write(a, new Uint8Array(100));
    for (let i = 0; i < 3; i++) {
      expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
      expect(ev[0]).toBe(EPOLLIN);
    }
    expect(read(b, scratch, 40)).toBe(40); // partly drained: still ready
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
    expect(read(b, scratch)).toBe(60);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
  });

  it('edge-triggered reports once per new arrival, however much is left unread', () => {
    const ep = track(epoll_create1());
    const [a, b] = track(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK));
    epoll_ctl(ep, EPOLL_CTL_ADD, b, EPOLLIN | EPOLLET);
    const ev = new Uint32Array(8);
    write(a, new Uint8Array(100));
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
    expect(ev[0]).toBe(EPOLLIN);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0); // 100 bytes unread, no new edge
    expect(read(b, scratch, 10)).toBe(10);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0); // reading is not an arrival
    write(a, new Uint8Array(1));
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1); // a new arrival is
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
    // The draining contract: read until -1 (EAGAIN).
    let total = 0;
    for (let r; (r = read(b, scratch)) !== -1; ) total += r;
    expect(total).toBe(91);
  });

  it('ONESHOT disarms after one event until EPOLL_CTL_MOD re-arms', () => {
    const ep = track(epoll_create1());
    const [r, w] = track(pipe());
    epoll_ctl(ep, EPOLL_CTL_ADD, r, EPOLLIN | EPOLLONESHOT, 7);
    const ev = new Uint32Array(8);
    write(w, one);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
    expect([ev[0], ev[1]]).toEqual([EPOLLIN, 7]);
    write(w, one);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0); // disarmed, data or not
    epoll_ctl(ep, EPOLL_CTL_MOD, r, EPOLLIN | EPOLLONESHOT, 8);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
    expect([ev[0], ev[1]]).toEqual([EPOLLIN, 8]);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
  });

  it('RDHUP reports the peer half-closing its side (TCP on loopback)', () => {
    const ep = track(epoll_create1());
    const { client, server } = tcpPair();
    track([client, server]);
    epoll_ctl(ep, EPOLL_CTL_ADD, server, EPOLLIN | EPOLLRDHUP);
    const ev = new Uint32Array(8);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
    shutdown(client, SHUT_WR);
    expect(epoll_wait(ep, ev, 4, -1)).toBe(1);
    expect(ev[0] & (EPOLLIN | EPOLLRDHUP)).toBe(EPOLLIN | EPOLLRDHUP);
    expect(ev[0] & EPOLLHUP).toBe(0); // only half closed: writing still works
    expect(read(server, scratch)).toBe(0);
  });

  it('HUP and ERR are reported though never asked for', () => {
    const ep = track(epoll_create1());
    const [r, w] = track(pipe());
    const [r2, w2] = track(pipe());
    epoll_ctl(ep, EPOLL_CTL_ADD, r, 0); // no events requested
    epoll_ctl(ep, EPOLL_CTL_ADD, w2, 0, 1000);
    const ev = new Uint32Array(8);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
    close(w);
    close(r2);
    toClose = toClose.filter((fd) => fd !== w && fd !== r2);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(2);
    const byData = new Map([[ev[1], ev[0]], [ev[3], ev[2]]]);
    expect(byData.get(r)).toBe(EPOLLHUP); // writer gone
    expect(byData.get(1000)).toBe(EPOLLERR); // reader gone: writing would EPIPE
  });

  it('EPOLLOUT is reported while there is room to write, and stops when full', () => {
    const ep = track(epoll_create1());
    const [a, b] = track(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK));
    epoll_ctl(ep, EPOLL_CTL_ADD, a, EPOLLOUT);
    const ev = new Uint32Array(8);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(1);
    expect(ev[0]).toBe(EPOLLOUT);
    while (write(a, scratch) !== -1);
    expect(epoll_wait(ep, ev, 4, 0)).toBe(0);
    while (read(b, scratch) !== -1);
    expect(epoll_wait(ep, ev, 4, -1)).toBe(1);
  });

  it('DEL stops reporting', () => {
    const ep = track(epoll_create1());
    const e = track(eventfd(1));
    epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN);
    epoll_ctl(ep, EPOLL_CTL_DEL, e);
    expect(epoll_wait(ep, new Uint32Array(2), 1, 0)).toBe(0);
  });

  it('nested epoll: an epfd is readable while its own wait would return events', () => {
    const outer = track(epoll_create1());
    const inner = track(epoll_create1());
    const e = track(eventfd(0, EFD_NONBLOCK));
    epoll_ctl(inner, EPOLL_CTL_ADD, e, EPOLLIN);
    epoll_ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 99);
    const ev = new Uint32Array(8);
    expect(epoll_wait(outer, ev, 4, 0)).toBe(0);
    write(e, one);
    expect(epoll_wait(outer, ev, 4, 0)).toBe(1);
    expect([ev[0], ev[1]]).toEqual([EPOLLIN, 99]);
    // Waiting on the inner one does not consume level-triggered readiness.
    expect(epoll_wait(inner, ev, 4, 0)).toBe(1);
    expect(epoll_wait(outer, ev, 4, 0)).toBe(1);
    expect(read(e, new Uint8Array(8))).toBe(8);
    expect(epoll_wait(outer, ev, 4, 0)).toBe(0);
    // The kernel refuses an epfd inside itself (EINVAL) and a cycle (ELOOP).
    expect(() => epoll_ctl(outer, EPOLL_CTL_ADD, outer, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'epoll_ctl' }),
    );
    expect(() => epoll_ctl(inner, EPOLL_CTL_ADD, outer, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'ELOOP', syscall: 'epoll_ctl' }),
    );
  });

  it('an EINTR is retried with the time that remains, not ended early', async () => {
    const ep = track(epoll_create1());
    let signals = 0;
    const onSignal = (): void => {
      signals++;
    };
    process.on('SIGUSR2', onSignal);
    // A worker signals this process while the main thread sits in
    // epoll_wait; Linux delivers a process signal to the main thread first.
    const sender = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', () => {
         let n = 0;
         const t = setInterval(() => { process.kill(process.pid, 'SIGUSR2'); if (++n === 5) clearInterval(t); }, 30);
       });`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => sender.once('online', resolve));
      sender.postMessage('go');
      const t0 = process.hrtime.bigint();
      const r = epoll_wait(ep, new Uint32Array(2), 1, 400);
      const waitedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      expect(r).toBe(0);
      expect(waitedMs).toBeGreaterThanOrEqual(395); // never shortened by a signal
      // The JS handlers run once the event loop reads libuv's signal pipe.
      for (let i = 0; i < 100 && signals === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(signals).toBeGreaterThan(0); // and signals did arrive meanwhile
    } finally {
      await sender.terminate();
      process.off('SIGUSR2', onSignal);
    }
  });
});

describe('errors', () => {
  it('ADD twice is EEXIST; MOD or DEL of an unknown fd is ENOENT', () => {
    const ep = track(epoll_create1());
    const e = track(eventfd());
    epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN);
    expect(() => epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'EEXIST', errno: 17, syscall: 'epoll_ctl' }),
    );
    const other = track(eventfd());
    expect(() => epoll_ctl(ep, EPOLL_CTL_MOD, other, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'epoll_ctl' }),
    );
    expect(() => epoll_ctl(ep, EPOLL_CTL_DEL, other)).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'epoll_ctl' }),
    );
  });

  it('a regular file is EPERM', () => {
    const ep = track(epoll_create1());
    const fd = track(openSync('/proc/self/cmdline', 'r'));
    expect(() => epoll_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'EPERM', syscall: 'epoll_ctl' }),
    );
  });

  it('a closed fd or epfd is EBADF; a non-epoll epfd is EINVAL', () => {
    const ep = track(epoll_create1());
    const e = eventfd();
    close(e);
    expect(() => epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'epoll_ctl' }),
    );
    const dead = epoll_create1();
    close(dead);
    expect(() => epoll_wait(dead, new Uint32Array(2), 1, 0)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'epoll_wait' }),
    );
    const notEp = track(eventfd());
    expect(() => epoll_wait(notEp, new Uint32Array(2), 1, 0)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'epoll_wait' }),
    );
  });

  it('EPOLLEXCLUSIVE cannot be used with MOD (EINVAL)', () => {
    const ep = track(epoll_create1());
    const e = track(eventfd());
    epoll_ctl(ep, EPOLL_CTL_ADD, e, EPOLLIN | EPOLLEXCLUSIVE);
    expect(() => epoll_ctl(ep, EPOLL_CTL_MOD, e, EPOLLIN)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'epoll_ctl' }),
    );
  });
});

describe('argument checks', () => {
  const ev = new Uint32Array(8);

  it('names the bad argument', () => {
    expect(() => epoll_wait(-1, ev, 1, 0)).toThrow(expect.objectContaining({ code: 'EBADF' })); // the kernel judges fds
    expect(() => epoll_wait(0, [0, 0] as unknown as Uint32Array, 1, 0)).toThrow(/'events'.*Uint32Array/);
    expect(() => epoll_wait(0, new Uint8Array(12) as unknown as Uint32Array, 2, 0)).toThrow(/'maxevents'/);
    expect(() => epoll_wait(0, new Uint8Array(new ArrayBuffer(16), 1, 8) as unknown as Uint32Array, 1, 0)).toThrow(/aligned/);
    expect(() => epoll_wait(0, null as unknown as Uint32Array, 1, 0)).toThrow(TypeError);
    expect(() => epoll_wait(0, ev, 0, 0)).toThrow(expect.objectContaining({ code: 'EINVAL' })); // the kernel's to judge
    expect(() => epoll_wait(0, ev, 5, 0)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    expect(() => epoll_wait(0, ev, 1.5, 0)).toThrow(/'maxevents'/);
    expect(() => epoll_wait(0, ev, 1, 'x' as unknown as number)).toThrow(/'timeoutMs'/);
    expect(() => epoll_ctl(0, EPOLL_CTL_ADD, 1, EPOLLIN, -1)).toThrow(/'data'/);
    expect(() => epoll_ctl(0, EPOLL_CTL_ADD, 1, EPOLLIN, 2 ** 32)).toThrow(/'data'/);
    expect(() => epoll_ctl(0, EPOLL_CTL_ADD, 1.5, EPOLLIN)).toThrow(/'fd'/);
    expect(() => new EpollEvents(0)).toThrow(RangeError);
  });

  it('a detached events array is a TypeError, not a crash', () => {
    const ep = track(epoll_create1());
    const a = new Uint32Array(8);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(() => epoll_wait(ep, a, 1, 0)).toThrow(/detached/);
  });

  it('EpollEvents is a Uint32Array whose derived arrays are plain ones', () => {
    const e = new EpollEvents(4);
    expect(e).toBeInstanceOf(Uint32Array);
    expect(e.length).toBe(8);
    expect(e.capacity).toBe(4);
    expect(e.subarray(0, 2)).not.toBeInstanceOf(EpollEvents);
  });
});
