// epoll_pwait, epoll_pwait2 and ppoll: epoll_wait's and poll's answers with
// a signal mask and (pwait2, ppoll) a { tv_sec, tv_nsec } timeout; the mask
// watched in /proc while signals arrive, and EINTR retried with the time that
// remains.
import { afterEach, describe, expect, it } from 'vitest';
import {
  EFD_NONBLOCK,
  EPOLLIN,
  EPOLLOUT,
  EPOLL_CTL_ADD,
  EpollEvents,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  PollFds,
  SIGUSR2,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_pwait,
  epoll_pwait2,
  eventfd,
  pipe,
  ppoll,
  write,
  type Sigmask,
} from '../lib/index.js';
import { closeAll } from './helpers.js';
import { describeSignalMask } from './signals.js';

let toClose: number[] = [];
afterEach(() => {
  closeAll(...toClose);
  toClose = [];
});
const track = (fd: number): number => {
  toClose.push(fd);
  return fd;
};

/** An epfd watching a pipe's read end (EPOLLIN) and write end (EPOLLOUT), data 7 and 8. */
function watchedPipe(): { ep: number; r: number; w: number } {
  const ep = track(epoll_create1());
  const [r, w] = pipe();
  track(r!);
  track(w!);
  epoll_ctl(ep, EPOLL_CTL_ADD, r!, EPOLLIN, 7);
  epoll_ctl(ep, EPOLL_CTL_ADD, w!, EPOLLOUT, 8);
  return { ep, r: r!, w: w! };
}

const elapsedMs = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

// The same checks for each wait that takes a mask: a 1.5 s wait while five
// SIGUSR2 arrive 40 ms apart.
const waits: Array<[string, (mask: Sigmask) => number]> = [
  ['epoll_pwait', (mask) => epoll_pwait(track(epoll_create1()), new Uint32Array(2), 1, 1500, mask)],
  ['epoll_pwait2', (mask) => epoll_pwait2(track(epoll_create1()), new Uint32Array(2), 1, { tv_sec: 1, tv_nsec: 500e6 }, mask)],
  ['ppoll', (mask) => ppoll(new PollFds(0), 0, { tv_sec: 1, tv_nsec: 500e6 }, mask)],
];

for (const [name, wait] of waits) describeSignalMask(name, wait);

describe('epoll_pwait', () => {
  it('answers as epoll_wait: (mask, data) pairs in events', () => {
    const { ep, w } = watchedPipe();
    const ev = new EpollEvents(4);
    expect(epoll_pwait(ep, ev, 4, 0, [SIGUSR2])).toBe(1);
    expect([ev.mask(0), ev.data(0)]).toEqual([EPOLLOUT, 8]);
    write(w, Buffer.from('x'));
    expect(epoll_pwait(ep, ev, 4, -1, null)).toBe(2);
    expect(new Set([ev.data(0), ev.data(1)])).toEqual(new Set([7, 8]));
  });

  it('a small timeout returns 0 after it', () => {
    const ep = track(epoll_create1());
    const t0 = process.hrtime.bigint();
    expect(epoll_pwait(ep, new Uint32Array(2), 1, 30, [])).toBe(0);
    expect(elapsedMs(t0)).toBeGreaterThanOrEqual(29);
  });

  it('errors and bad input as epoll_wait', () => {
    const dead = epoll_create1();
    close(dead);
    expect(() => epoll_pwait(dead, new Uint32Array(2), 1, 0, null)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'epoll_pwait' }));
    const ep = track(epoll_create1());
    expect(() => epoll_pwait(ep, new Uint32Array(2), 2, 0, null)).toThrow(/'maxevents'/);
    expect(() => epoll_pwait(ep, [0, 0] as unknown as Uint32Array, 1, 0, null)).toThrow(/'events'.*Uint32Array/);
    expect(() => epoll_pwait(ep, new Uint32Array(2), 1, 'x' as unknown as number, null)).toThrow(/'timeoutMs'/);
  });

  it('events detached by a getter of the sigmask is caught: pointers are taken last', () => {
    const ep = track(epoll_create1());
    const ev = new Uint32Array(2);
    const mask: number[] = [];
    Object.defineProperty(mask, 0, {
      get: () => {
        structuredClone(ev.buffer, { transfer: [ev.buffer] });
        return SIGUSR2;
      },
    });
    expect(() => epoll_pwait(ep, ev, 1, 0, mask)).toThrow(/detached/);
  });
});

describe('epoll_pwait2', () => {
  it('answers as epoll_wait; null blocks until an event, { 0, 0 } returns at once', () => {
    const { ep, w } = watchedPipe();
    const ev = new EpollEvents(4);
    expect(epoll_pwait2(ep, ev, 4, { tv_sec: 0, tv_nsec: 0 }, null)).toBe(1);
    write(w, Buffer.from('x'));
    expect(epoll_pwait2(ep, ev, 4, null, [SIGUSR2])).toBe(2);
    expect(new Set([ev.data(0), ev.data(1)])).toEqual(new Set([7, 8]));
  });

  it('waits a timeout finer than a millisecond, and leaves the timeout as it was', () => {
    const ep = track(epoll_create1());
    const ts = { tv_sec: 0, tv_nsec: 1_500_000 };
    const t0 = process.hrtime.bigint();
    expect(epoll_pwait2(ep, new Uint32Array(2), 1, ts, null)).toBe(0);
    const ms = elapsedMs(t0);
    expect(ms).toBeGreaterThanOrEqual(1.4);
    expect(ms).toBeLessThan(100);
    expect(ts).toEqual({ tv_sec: 0, tv_nsec: 1_500_000 });
  });

  it('EINVAL (from the kernel) for a negative timeout or a tv_nsec past 999999999; EBADF', () => {
    const ep = track(epoll_create1());
    const ev = new Uint32Array(2);
    expect(() => epoll_pwait2(ep, ev, 1, { tv_sec: -1, tv_nsec: 0 }, null)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'epoll_pwait2' }));
    expect(() => epoll_pwait2(ep, ev, 1, { tv_sec: 0, tv_nsec: 1e9 }, null)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const dead = epoll_create1();
    close(dead);
    expect(() => epoll_pwait2(dead, ev, 1, null, null)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('bad timeout: not an object, a missing or non-integer field', () => {
    const ep = track(epoll_create1());
    const ev = new Uint32Array(2);
    expect(() => epoll_pwait2(ep, ev, 1, 10 as unknown as null, null)).toThrow(/'timeout'.*tv_nsec/);
    expect(() => epoll_pwait2(ep, ev, 1, { tv_sec: 0 } as { tv_sec: number; tv_nsec: number }, null)).toThrow(/'timeout.tv_nsec'/);
    expect(() => epoll_pwait2(ep, ev, 1, { tv_sec: 0.5, tv_nsec: 0 }, null)).toThrow(/'timeout.tv_sec'/);
  });

  it('events detached by a getter of the timeout is caught', () => {
    const ep = track(epoll_create1());
    const ev = new Uint32Array(2);
    const ts = {
      get tv_sec(): number {
        structuredClone(ev.buffer, { transfer: [ev.buffer] });
        return 0;
      },
      tv_nsec: 0,
    };
    expect(() => epoll_pwait2(ep, ev, 1, ts, null)).toThrow(/detached/);
  });
});

describe('ppoll', () => {
  it('answers as poll, in place, and leaves the timeout as it was', () => {
    const [r, w] = pipe();
    track(r!);
    track(w!);
    const e = track(eventfd(0, EFD_NONBLOCK));
    const fds = new PollFds(3);
    fds.set(0, r!, POLLIN);
    fds.set(1, w!, POLLOUT);
    fds.set(2, e, POLLIN);
    const ts = { tv_sec: 0, tv_nsec: 20_000_000 };
    expect(ppoll(fds, 3, ts, [SIGUSR2])).toBe(1);
    expect([fds.revents(0), fds.revents(1), fds.revents(2)]).toEqual([0, POLLOUT, 0]);
    write(w!, Buffer.from('x'));
    expect(ppoll(fds, 1, null, null)).toBe(1);
    expect(fds.revents(0)).toBe(POLLIN);
    fds.set(0, r!, 0);
    const t0 = process.hrtime.bigint();
    expect(ppoll(fds, 1, ts, null)).toBe(0);
    expect(elapsedMs(t0)).toBeGreaterThanOrEqual(19);
    expect(ts).toEqual({ tv_sec: 0, tv_nsec: 20_000_000 });
  });

  it('POLLNVAL for a closed fd; EINVAL (from the kernel) for an invalid timeout', () => {
    const dead = eventfd();
    close(dead);
    const fds = new PollFds(1);
    fds.set(0, dead, POLLIN);
    expect(ppoll(fds, 1, { tv_sec: 0, tv_nsec: 0 }, null)).toBe(1);
    expect(fds.revents(0)).toBe(POLLNVAL);
    expect(() => ppoll(fds, 1, { tv_sec: 0, tv_nsec: -1 }, null)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ppoll' }));
  });

  it('checks nfds against the capacity and the timeout fields', () => {
    const fds = new PollFds(1);
    expect(() => ppoll(fds, 2, null, null)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/'nfds'/) }));
    expect(() => ppoll(fds, 1, { tv_sec: '1' } as unknown as null, null)).toThrow(/'timeout.tv_sec'/);
  });
});
