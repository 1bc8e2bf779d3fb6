// timerfd_create / settime / gettime and clock_gettime: timers as fds in an
// epoll loop, C's structs literally, the kernel's own EINVAL.
import { describe, expect, it } from 'vitest';
import {
  CLOCK_BOOTTIME,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  EPOLLIN,
  EPOLL_CTL_ADD,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
  TFD_TIMER_ABSTIME,
  clock_gettime,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  isCloseOnExec,
  isNonBlocking,
  read,
  timerfd_create,
  timerfd_gettime,
  timerfd_settime,
  type Itimerspec,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

const ms = (n: number) => ({ tv_sec: Math.floor(n / 1000), tv_nsec: (n % 1000) * 1e6 });
const zero = { tv_sec: 0, tv_nsec: 0 };
const disarmed: Itimerspec = { it_interval: zero, it_value: zero };

// The expirations a timerfd counted since the last read, as C reads them.
function expirations(fd: number): bigint | -1 {
  const buf = Buffer.alloc(8);
  const r = read(fd, buf);
  if (r === -1) return -1;
  expect(r).toBe(8);
  return buf.readBigUInt64LE(0);
}

describe('timerfd_create', () => {
  it('makes a disarmed timer; TFD_NONBLOCK and TFD_CLOEXEC set the fd flags', () => {
    const plain = timerfd_create(CLOCK_MONOTONIC, 0);
    const flagged = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    try {
      expect(timerfd_gettime(plain)).toEqual(disarmed);
      expect(isNonBlocking(plain)).toBe(false);
      expect(isNonBlocking(flagged)).toBe(true);
      expect(isCloseOnExec(flagged)).toBe(true);
      expect(expirations(flagged)).toBe(-1); // disarmed: reading would block
    } finally {
      closeAll(plain, flagged);
    }
  });

  it('an unknown clock or flag is the kernel\'s EINVAL', () => {
    expect(() => timerfd_create(12345, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'timerfd_create' }));
    expect(() => timerfd_create(CLOCK_MONOTONIC, 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('timers in an epoll loop', () => {
  it('a 20 ms one-shot fires once, after about 20 ms', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    const ep = epoll_create1();
    try {
      epoll_ctl(ep, EPOLL_CTL_ADD, tfd, EPOLLIN);
      const start = process.hrtime.bigint();
      timerfd_settime(tfd, 0, { it_interval: zero, it_value: ms(20) });
      const ev = new Uint32Array(2);
      expect(epoll_wait(ep, ev, 1, 5000)).toBe(1);
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      expect(ev[0]! & EPOLLIN).toBe(EPOLLIN);
      expect(ev[1]).toBe(tfd);
      expect(elapsed).toBeGreaterThanOrEqual(19);
      expect(expirations(tfd)).toBe(1n);
      // One-shot: now disarmed, nothing more to read, epoll reports nothing.
      expect(timerfd_gettime(tfd)).toEqual(disarmed);
      expect(expirations(tfd)).toBe(-1);
      expect(epoll_wait(ep, ev, 1, 60)).toBe(0);
    } finally {
      closeAll(ep, tfd);
    }
  });

  it('a periodic timer counts every period, also those that passed unread', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    const ep = epoll_create1();
    try {
      epoll_ctl(ep, EPOLL_CTL_ADD, tfd, EPOLLIN);
      timerfd_settime(tfd, 0, { it_interval: ms(10), it_value: ms(10) });
      const ev = new Uint32Array(2);
      let total = 0n;
      let wakeups = 0;
      while (total < 5n) {
        expect(epoll_wait(ep, ev, 1, 5000)).toBe(1);
        const n = expirations(tfd);
        expect(n).not.toBe(-1);
        total += n as bigint;
        wakeups++;
      }
      expect(wakeups).toBeLessThanOrEqual(5);
      // Sleep through several periods without reading: one read counts them all.
      const until = Date.now() + 55;
      while (Date.now() < until) {
        // busy: no epoll_wait, no read
      }
      expect(expirations(tfd)).toBeGreaterThanOrEqual(4n);
      expect(timerfd_gettime(tfd).it_interval).toEqual(ms(10));
    } finally {
      closeAll(ep, tfd);
    }
  });

  it('a blocking read waits for the expiration', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    try {
      timerfd_settime(tfd, 0, { it_value: ms(15) });
      const start = Date.now();
      expect(expirations(tfd)).toBe(1n);
      expect(Date.now() - start).toBeGreaterThanOrEqual(14);
    } finally {
      close(tfd);
    }
  });
});

describe('timerfd_settime and timerfd_gettime', () => {
  it('gettime after settime gives the interval and at most the value set', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    try {
      timerfd_settime(tfd, 0, { it_interval: { tv_sec: 2, tv_nsec: 500 }, it_value: { tv_sec: 30, tv_nsec: 0 } });
      const cur = timerfd_gettime(tfd);
      expect(cur.it_interval).toEqual({ tv_sec: 2, tv_nsec: 500 });
      expect(cur.it_value.tv_sec).toBeLessThanOrEqual(29);
      expect(cur.it_value.tv_sec).toBeGreaterThanOrEqual(28);
      expect(cur.it_value.tv_nsec).toBeGreaterThanOrEqual(0);
      expect(cur.it_value.tv_nsec).toBeLessThan(1e9);
    } finally {
      close(tfd);
    }
  });

  it('returns the old setting, and fills old_value (C\'s out-parameter) in place', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    try {
      expect(timerfd_settime(tfd, 0, { it_value: { tv_sec: 60 } })).toEqual(disarmed);
      const inner = { tv_sec: -1, tv_nsec: -1 };
      const old: Itimerspec = { it_interval: { tv_sec: -1, tv_nsec: -1 }, it_value: inner };
      const r = timerfd_settime(tfd, 0, { it_interval: zero, it_value: zero }, old);
      expect(r).toBe(old);
      expect(old.it_interval).toEqual(zero);
      expect(inner.tv_sec).toBeGreaterThanOrEqual(58); // the same object, filled
      expect(timerfd_gettime(tfd)).toEqual(disarmed); // all-zero it_value disarmed it
      const cur = { it_interval: { tv_sec: 9, tv_nsec: 9 }, it_value: { tv_sec: 9, tv_nsec: 9 } };
      expect(timerfd_gettime(tfd, cur)).toBe(cur);
      expect(cur).toEqual(disarmed);
    } finally {
      close(tfd);
    }
  });

  it('TFD_TIMER_ABSTIME takes a time on the timer\'s clock (clock_gettime)', () => {
    const tfd = timerfd_create(CLOCK_REALTIME, 0);
    try {
      const now = clock_gettime(CLOCK_REALTIME);
      const at = { tv_sec: now.tv_sec + (now.tv_nsec >= 980e6 ? 1 : 0), tv_nsec: (now.tv_nsec + 20e6) % 1e9 };
      timerfd_settime(tfd, TFD_TIMER_ABSTIME, { it_value: at });
      expect(expirations(tfd)).toBe(1n);
      const after = clock_gettime(CLOCK_REALTIME);
      expect(after.tv_sec * 1e9 + after.tv_nsec).toBeGreaterThanOrEqual(at.tv_sec * 1e9 + at.tv_nsec);
      // A time already past expires at once.
      timerfd_settime(tfd, TFD_TIMER_ABSTIME, { it_value: { tv_sec: 1 } });
      expect(expirations(tfd)).toBe(1n);
    } finally {
      close(tfd);
    }
  });

  it('tv_nsec of 1e9 or below 0 goes to the kernel: EINVAL', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    try {
      const bad = (t: { tv_sec: number; tv_nsec: number }) => () => timerfd_settime(tfd, 0, { it_value: t });
      expect(bad({ tv_sec: 1, tv_nsec: 1e9 })).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'timerfd_settime' }));
      expect(bad({ tv_sec: 1, tv_nsec: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => timerfd_settime(tfd, 0, { it_interval: { tv_nsec: 1e9 }, it_value: ms(5) })).toThrow(
        expect.objectContaining({ code: 'EINVAL' }),
      );
      expect(() => timerfd_settime(tfd, 0x80, { it_value: ms(5) })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(timerfd_gettime(tfd)).toEqual(disarmed); // nothing was armed
    } finally {
      close(tfd);
    }
  });

  it('an fd that is not a timerfd: EINVAL; a closed one: EBADF', () => {
    const other = epoll_create1();
    const ep = epoll_create1();
    close(ep); // ep is now a closed fd number
    try {
      expect(() => timerfd_gettime(other)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'timerfd_gettime' }));
      expect(() => timerfd_settime(ep, 0, { it_value: ms(1) })).toThrow(expect.objectContaining({ code: 'EBADF' }));
    } finally {
      close(other);
    }
  });

  it('bad types are TypeErrors that name the field', () => {
    const tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    try {
      const settime = timerfd_settime as (...a: unknown[]) => unknown;
      expect(() => settime(tfd, 0, null)).toThrow(TypeError);
      expect(() => settime(tfd, 0, { it_value: 5 })).toThrow(/new_value\.it_value/);
      expect(() => settime(tfd, 0, { it_value: { tv_sec: 1.5 } })).toThrow(/new_value\.it_value\.tv_sec/);
      expect(() => settime(tfd, 0, { it_value: { tv_nsec: '1' } })).toThrow(TypeError);
      expect(timerfd_gettime(tfd)).toEqual(disarmed);
    } finally {
      close(tfd);
    }
  });
});

describe('clock_gettime', () => {
  it('reads the clocks; an unknown clock is EINVAL', () => {
    const mono = clock_gettime(CLOCK_MONOTONIC);
    const boot = clock_gettime(CLOCK_BOOTTIME);
    const real = clock_gettime(CLOCK_REALTIME);
    expect(Math.abs(real.tv_sec - Date.now() / 1000)).toBeLessThan(2);
    expect(boot.tv_sec).toBeGreaterThanOrEqual(mono.tv_sec);
    expect(mono.tv_nsec).toBeLessThan(1e9);
    const tp = { tv_sec: 0, tv_nsec: 0 };
    expect(clock_gettime(CLOCK_MONOTONIC, tp)).toBe(tp);
    expect(tp.tv_sec).toBeGreaterThanOrEqual(mono.tv_sec);
    expect(() => clock_gettime(12345)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'clock_gettime' }));
  });
});
