// Readiness, C-shaped: epoll_create1, epoll_ctl, epoll_wait, and poll beside
// them. Each function is one system call with C's name and argument order.
//
// epoll_wait is built for a loop that runs millions of times: the caller
// preallocates one Uint32Array (or an EpollEvents, which is one) and every
// wait fills it with (events mask, data) pairs, events[2*i] and
// events[2*i+1]. Nothing is allocated per wait.
import { check } from './check.js';
import { nativeModule, type OrErrno } from './native.js';
import type { Sigmask } from './select.js';
import type { Timespec } from './timerfd.js';

const n = nativeModule<{
  epoll_create1(flags: number): OrErrno;
  epoll_ctl(epfd: number, op: number, fd: number, events: number, data?: number): OrErrno;
  epoll_wait(epfd: number, events: Uint32Array, maxevents: number, timeoutMs: number): OrErrno;
  epoll_pwait(epfd: number, events: Uint32Array, maxevents: number, timeoutMs: number, sigmask: Sigmask): OrErrno;
  epoll_pwait2(epfd: number, events: Uint32Array, maxevents: number, timeout: Timespec | null, sigmask: Sigmask): OrErrno;
  poll(fds: Int32Array, nfds: number, timeoutMs: number): OrErrno;
  ppoll(fds: Int32Array, nfds: number, timeout: Timespec | null, sigmask: Sigmask): OrErrno;
}>();

/**
 * Creates an epoll instance and returns its fd. `flags` is 0 or
 * EPOLL_CLOEXEC. Close it with `close(epfd)`. Corresponds to
 * epoll_create1(2).
 * @see https://man7.org/linux/man-pages/man2/epoll_create1.2.html
 * @throws {SocketError} EINVAL (unknown flag), EMFILE, ENFILE, ENOMEM
 */
export function epoll_create1(flags = 0): number {
  return check(n.epoll_create1(flags), 'epoll_create1');
}

/**
 * Adds, modifies or removes the registration of `fd` in the interest list of
 * `epfd`. `op` is EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL; `events` is
 * an OR of EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLPRI, EPOLLET, EPOLLONESHOT,
 * EPOLLEXCLUSIVE, EPOLLWAKEUP (EPOLLERR and EPOLLHUP are always reported).
 * `data` is a 32-bit unsigned token that epoll_wait hands back with each
 * event of this fd; it defaults to `fd` itself. Corresponds to epoll_ctl(2).
 * @see https://man7.org/linux/man-pages/man2/epoll_ctl.2.html
 * @throws {SocketError} EEXIST (ADD of an fd already registered), ENOENT (MOD
 *   or DEL of an fd not registered), EPERM (an fd epoll cannot watch, such as
 *   a regular file), EBADF (epfd or fd not open), EINVAL (epfd is not an epoll
 *   fd, fd is epfd itself, EPOLLEXCLUSIVE with MOD or with EPOLLONESHOT),
 *   ELOOP (nesting that
 *   would form a cycle or go too deep), ENOMEM, ENOSPC
 *   (max_user_watches reached)
 * @throws {RangeError} when `data` is not in [0, 2**32 - 1].
 */
export function epoll_ctl(epfd: number, op: number, fd: number, events = 0, data?: number): void {
  check(data === undefined ? n.epoll_ctl(epfd, op, fd, events) : n.epoll_ctl(epfd, op, fd, events, data), 'epoll_ctl');
}

/**
 * Waits for events on `epfd` and returns how many fds are ready (0 when the
 * timeout expired). The i-th ready fd's event mask is written to
 * `events[2*i]` and its data token (see {@link epoll_ctl}) to
 * `events[2*i+1]`; entries past the count are left as they were.
 * `maxevents` must fit in `events`: `2 * maxevents <= events.length`
 * (below 1 it is the kernel's EINVAL, as in C). `timeoutMs` -1 blocks until an event arrives (on the JS
 * thread: nothing else in this thread runs meanwhile), 0 returns at once.
 * A signal does not end the wait early: EINTR is retried with the time that
 * remains. Corresponds to epoll_wait(2).
 * @see https://man7.org/linux/man-pages/man2/epoll_wait.2.html
 * @throws {SocketError} EBADF (epfd not open), EINVAL (epfd is not an epoll fd, or maxevents < 1)
 * @throws {RangeError} when `maxevents` is more than `events` holds.
 * @throws {TypeError} when `events` is not an ArrayBufferView or is detached.
 *   (Any 4-byte-aligned view of at least 8 * maxevents bytes is memory-safe
 *   and accepted; the values are meant to be read as a Uint32Array.)
 */
export function epoll_wait(epfd: number, events: Uint32Array, maxevents: number, timeoutMs: number): number {
  return check(n.epoll_wait(epfd, events, maxevents, timeoutMs), 'epoll_wait');
}

/**
 * {@link epoll_wait} with a signal mask: for the wait, the calling thread's
 * mask is replaced by `sigmask` (an array of signal numbers, see
 * {@link Sigmask}) atomically; null leaves it alone, which makes this
 * epoll_wait itself. EINTR is retried with the time that remains. In Node a
 * mask changes only whether this thread is interrupted, not whether a signal
 * reaches the process: see docs/select.md. Corresponds to epoll_pwait(2).
 * @see https://man7.org/linux/man-pages/man2/epoll_pwait.2.html
 * @throws {SocketError} EBADF (epfd not open), EINVAL (epfd is not an epoll fd)
 * @throws {RangeError} as {@link epoll_wait}, and for a signal number
 *   sigaddset(3) refuses.
 * @throws {TypeError} as {@link epoll_wait}, and when `sigmask` is not an
 *   array of integers or null.
 */
export function epoll_pwait(epfd: number, events: Uint32Array, maxevents: number, timeoutMs: number, sigmask: Sigmask): number {
  return check(n.epoll_pwait(epfd, events, maxevents, timeoutMs, sigmask), 'epoll_pwait');
}

/**
 * {@link epoll_pwait} with a `{ tv_sec, tv_nsec }` timeout, for waits finer
 * than a millisecond; null blocks, `{ tv_sec: 0, tv_nsec: 0 }` returns at
 * once. The timeout is left as it is (the kernel takes it as const). A
 * signal does not end the wait early: EINTR is retried with what is left
 * until the deadline the call began with (read from the monotonic clock).
 * Linux 5.11 and later; an older kernel answers ENOSYS. Corresponds to
 * epoll_pwait2(2).
 * @see https://man7.org/linux/man-pages/man2/epoll_pwait2.2.html
 * @throws {SocketError} EBADF, EINVAL (epfd is not an epoll fd, a negative
 *   timeout or a tv_nsec outside 0..999999999), ENOSYS (before Linux 5.11)
 * @throws {RangeError} as {@link epoll_pwait}.
 * @throws {TypeError} as {@link epoll_pwait}, and when `timeout` lacks an
 *   integer `tv_sec` or `tv_nsec`.
 */
export function epoll_pwait2(
  epfd: number,
  events: Uint32Array,
  maxevents: number,
  timeout: Timespec | null,
  sigmask: Sigmask,
): number {
  return check(n.epoll_pwait2(epfd, events, maxevents, timeout, sigmask), 'epoll_pwait2');
}

/**
 * A preallocated Uint32Array sized for `capacity` events, with accessors
 * that name the two halves of each pair. It IS a Uint32Array, so
 * `epoll_wait(epfd, ev, ev.capacity, -1)` takes it directly and plain
 * indexing (`ev[2*i]`, `ev[2*i+1]`) works as well.
 */
export class EpollEvents extends Uint32Array {
  // Methods that build a new array (subarray, map, slice) build a plain
  // Uint32Array, not another EpollEvents of a different meaning.
  static get [Symbol.species](): Uint32ArrayConstructor {
    return Uint32Array;
  }

  /** How many events fit: half the element count. */
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0x3fffffff) {
      throw new RangeError(`EpollEvents capacity must be an integer in [1, 2**30 - 1], got ${capacity}`);
    }
    super(2 * capacity);
    this.capacity = capacity;
  }

  /** The event mask (EPOLLIN, EPOLLOUT, ...) of the i-th event of the last wait. */
  mask(i: number): number {
    return this[2 * i];
  }

  /** The data token (the fd, unless epoll_ctl was given another) of the i-th event. */
  data(i: number): number {
    return this[2 * i + 1];
  }
}

/**
 * An array of `struct pollfd` in JS memory: `buffer` holds `capacity`
 * entries of 8 bytes each (int fd, short events, short revents), which
 * {@link poll} hands to the kernel as they are. An entry whose fd is -1 is
 * skipped by the kernel (its revents reads 0).
 */
export class PollFds {
  /** How many entries `buffer` holds. */
  readonly capacity: number;
  /** The raw array of struct pollfd. */
  readonly buffer: ArrayBuffer;
  /** The same memory as 32-bit words: entry i's fd is int32[2*i]. */
  readonly int32: Int32Array;
  readonly #int16: Int16Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 0x0fffffff) {
      throw new RangeError(`PollFds capacity must be an integer in [0, 2**28 - 1], got ${capacity}`);
    }
    this.capacity = capacity;
    this.buffer = new ArrayBuffer(8 * capacity);
    this.int32 = new Int32Array(this.buffer);
    this.#int16 = new Int16Array(this.buffer);
  }

  /** Fills entry `i`: the fd to watch and the events (POLLIN, POLLOUT, ...) to watch for; clears revents. */
  set(i: number, fd: number, events: number): void {
    if (!(i >= 0 && i < this.capacity && Number.isInteger(i))) {
      throw new RangeError(`PollFds index must be an integer in [0, ${this.capacity - 1}], got ${i}`);
    }
    // What would not fit struct pollfd's fields (an int and a short of
    // flags) is refused rather than silently truncated into another value.
    if (!Number.isInteger(fd)) throw new TypeError(`Expected argument 'fd' to be an integer, got ${fd}`);
    if (fd < -(2 ** 31) || fd >= 2 ** 31) throw new RangeError(`Argument 'fd' must fit an int, got ${fd}`);
    if (!(Number.isInteger(events) && events >= 0 && events <= 0xffff)) {
      throw new RangeError(`Argument 'events' must be an integer in [0, 0xffff] (a short of POLL* flags), got ${events}`);
    }
    this.int32[2 * i] = fd;
    this.#int16[4 * i + 2] = events;
    this.#int16[4 * i + 3] = 0;
  }

  /** The fd of entry `i`. */
  fd(i: number): number {
    return this.int32[2 * i];
  }

  /** The events entry `i` asks for. */
  events(i: number): number {
    return this.#int16[4 * i + 2] & 0xffff;
  }

  /** The events the last poll reported for entry `i` (POLLIN, POLLHUP, POLLNVAL, ...). */
  revents(i: number): number {
    return this.#int16[4 * i + 3] & 0xffff;
  }
}

/**
 * Waits until one of the first `nfds` entries of `fds` is ready and returns
 * how many entries have a non-zero revents (0 on timeout). The kernel reads
 * `fds.buffer` in place and writes each revents there; nothing is copied.
 * Unlike epoll, every call hands the kernel the whole list, so its cost
 * grows with `nfds` rather than with the number of ready fds. `timeoutMs`
 * -1 blocks, 0 returns at once; EINTR is retried with the time that remains.
 * Corresponds to poll(2).
 * @see https://man7.org/linux/man-pages/man2/poll.2.html
 * @throws {SocketError} EINVAL (nfds above RLIMIT_NOFILE), ENOMEM
 * @throws {RangeError} when `nfds` is more than `fds.capacity`.
 */
export function poll(fds: PollFds, nfds: number, timeoutMs: number): number {
  return check(n.poll(fds.int32, nfds, timeoutMs), 'poll');
}

/**
 * {@link poll} with a `{ tv_sec, tv_nsec }` timeout (null blocks) and a
 * signal mask: for the wait, the calling thread's mask is replaced by
 * `sigmask` (see {@link Sigmask}) atomically; null leaves it alone. The
 * timeout is left as it is (glibc's ppoll keeps it so, though the system call
 * writes the time not slept into its copy). EINTR is retried with the time
 * that remains. In Node a mask changes only whether this thread is
 * interrupted: see docs/select.md. Corresponds to ppoll(2).
 * @see https://man7.org/linux/man-pages/man2/ppoll.2.html
 * @throws {SocketError} EINVAL (nfds above RLIMIT_NOFILE, an invalid timeout), ENOMEM
 * @throws {RangeError} when `nfds` is more than `fds.capacity`, or for a
 *   signal number sigaddset(3) refuses.
 * @throws {TypeError} when `timeout` lacks an integer `tv_sec` or `tv_nsec`,
 *   or `sigmask` is not an array of integers or null.
 */
export function ppoll(fds: PollFds, nfds: number, timeout: Timespec | null, sigmask: Sigmask): number {
  return check(n.ppoll(fds.int32, nfds, timeout, sigmask), 'ppoll');
}
