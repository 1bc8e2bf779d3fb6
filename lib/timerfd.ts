// Timers as fds, C-shaped: timerfd_create, timerfd_settime, timerfd_gettime,
// and clock_gettime for the absolute times TFD_TIMER_ABSTIME takes.
//
// A blocking epoll loop on the JS thread runs no Node timers (setTimeout's
// callbacks wait for the event loop the epoll_wait is holding up), so a C
// loop's answer belongs here: a timer that is an fd, readable in the epoll
// set beside the sockets. Reading it, `read(fd, buf8)` with an 8-byte buffer,
// gives the number of expirations since the last read as a uint64, exactly
// as in C: `buf8.readBigUInt64LE(0)`.
import { check, checkValue } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

/** C's `struct timespec`: seconds and nanoseconds (0 to 999,999,999). */
export interface Timespec {
  tv_sec: number;
  tv_nsec: number;
}

/**
 * C's `struct itimerspec`: the first expiration (`it_value`; all zero
 * disarms the timer) and the period after it (`it_interval`; all zero is a
 * one-shot timer).
 */
export interface Itimerspec {
  it_interval: Timespec;
  it_value: Timespec;
}

/**
 * An itimerspec as the caller may write it: a field left out is 0, as in a
 * C designated initializer (`{ .it_value = { .tv_sec = 1 } }`).
 */
export interface ItimerspecInit {
  it_interval?: Partial<Timespec> | null;
  it_value?: Partial<Timespec> | null;
}

const n = nativeModule<{
  timerfd_create(clockid: number, flags: number): OrErrno;
  timerfd_settime(fd: number, flags: number, new_value: ItimerspecInit): Itimerspec | OrErrno;
  timerfd_gettime(fd: number): Itimerspec | OrErrno;
  clock_gettime(clockid: number): Timespec | OrErrno;
}>();

// Fills a caller's struct as C's out-parameter would be: in place, nested
// objects included, so a reference to `out.it_value` sees the new numbers.
function fillTimespec(out: Timespec, v: Timespec): void {
  out.tv_sec = v.tv_sec;
  out.tv_nsec = v.tv_nsec;
}
function fillItimerspec(out: Itimerspec, v: Itimerspec): Itimerspec {
  for (const key of ['it_interval', 'it_value'] as const) {
    const field = out[key] as Timespec | undefined;
    if (typeof field === 'object' && field !== null) fillTimespec(field, v[key]);
    else out[key] = v[key];
  }
  return out;
}

/**
 * Creates a timer that delivers its expirations through an fd, and returns
 * the fd. `clockid` is CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (or
 * an _ALARM clock, which needs CAP_WAKE_ALARM); `flags` an OR of
 * TFD_NONBLOCK and TFD_CLOEXEC. The timer starts disarmed. Close it with
 * `close(fd)`. Corresponds to timerfd_create(2).
 * @see https://man7.org/linux/man-pages/man2/timerfd_create.2.html
 * @throws {SocketError} EINVAL (unknown clock or flag), EPERM (an _ALARM
 *   clock without CAP_WAKE_ALARM), EMFILE, ENFILE, ENODEV, ENOMEM
 */
export function timerfd_create(clockid: number, flags = 0): number {
  return check(n.timerfd_create(clockid, flags), 'timerfd_create');
}

/**
 * Arms (or, with an all-zero `it_value`, disarms) the timer: `new_value` is
 * C's struct itimerspec literally, `{ it_interval: { tv_sec, tv_nsec },
 * it_value: { tv_sec, tv_nsec } }`. `flags` is 0 (it_value is relative to
 * now) or TFD_TIMER_ABSTIME (an absolute time on the timer's clock, see
 * {@link clock_gettime}), with TFD_TIMER_CANCEL_ON_SET beside it for a
 * CLOCK_REALTIME timer that a clock change should cancel (its read then
 * fails with ECANCELED). The previous setting is returned, and also
 * written into `old_value` when one is given (C's out-parameter). A
 * tv_nsec outside 0..999,999,999 goes to the kernel, which answers EINVAL.
 * Corresponds to timerfd_settime(2).
 * @see https://man7.org/linux/man-pages/man2/timerfd_settime.2.html
 * @throws {SocketError} EBADF, EINVAL (not a timerfd, a bad flag or
 *   tv_nsec), ECANCELED
 * @throws {TypeError} when `new_value` or one of its fields is not an object
 *   or an integer.
 */
export function timerfd_settime(fd: number, flags: number, new_value: ItimerspecInit, old_value?: Itimerspec | null): Itimerspec {
  const old = checkValue(n.timerfd_settime(fd, flags, new_value), 'timerfd_settime');
  return old_value ? fillItimerspec(old_value, old) : old;
}

/**
 * The time left until the next expiration (`it_value`, relative even for a
 * TFD_TIMER_ABSTIME timer; all zero when disarmed) and the period
 * (`it_interval`). Written into `curr_value` too when one is given.
 * Corresponds to timerfd_gettime(2).
 * @see https://man7.org/linux/man-pages/man2/timerfd_gettime.2.html
 * @throws {SocketError} EBADF, EINVAL (not a timerfd)
 */
export function timerfd_gettime(fd: number, curr_value?: Itimerspec | null): Itimerspec {
  const cur = checkValue(n.timerfd_gettime(fd), 'timerfd_gettime');
  return curr_value ? fillItimerspec(curr_value, cur) : cur;
}

/**
 * The time of `clockid` (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
 * ...), as `{ tv_sec, tv_nsec }`: what an absolute timer
 * (TFD_TIMER_ABSTIME) is set against. Written into `tp` too when one is
 * given. Corresponds to clock_gettime(2).
 * @see https://man7.org/linux/man-pages/man2/clock_gettime.2.html
 * @throws {SocketError} EINVAL (unknown clock)
 */
export function clock_gettime(clockid: number, tp?: Timespec | null): Timespec {
  const now = checkValue(n.clock_gettime(clockid), 'clock_gettime');
  if (!tp) return now;
  fillTimespec(tp, now);
  return tp;
}
