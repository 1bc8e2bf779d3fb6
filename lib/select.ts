// select and pselect, C-shaped: an FdSet is a real fd_set in JS memory,
// which the kernel reads and writes in place, and FD_ZERO, FD_SET, FD_CLR
// and FD_ISSET are C's macros as functions, with C's argument order.
//
// The lesson of select is its limit: an fd_set is a bitmap of FD_SETSIZE
// (1024) bits, so no fd of 1024 or more can be in one, however many fds the
// process may open. poll and epoll have no such limit.
import type { Timespec } from './timerfd.js';
import { check } from './check.js';
import { FD_SETSIZE } from './constants.js';
import { nativeModule, type OrErrno } from './native.js';

/**
 * C's struct timeval with C's field names: seconds and microseconds.
 * (sockopt's `Timeval`, `{ sec, usec }`, is the friendly form of the same
 * struct that SO_RCVTIMEO reads as.)
 */
export interface CTimeval {
  tv_sec: number;
  tv_usec: number;
}


/**
 * A signal mask for the calls that take one (pselect, ppoll, epoll_pwait,
 * epoll_pwait2): the signal numbers (SIGUSR2, SIGTERM, ...) in it, which the
 * addon turns into a sigset_t with sigemptyset(3) and sigaddset(3). It is
 * the WHOLE mask of the calling thread for the wait, as in C: `[]` blocks
 * nothing, `[SIGUSR2]` blocks SIGUSR2 and nothing else. `null` leaves the
 * thread's mask as it is (C's NULL). See docs/select.md for what a mask can
 * and cannot do in Node, whose signal handling runs on other threads too.
 */
export type Sigmask = readonly number[] | null;

const n = nativeModule<{
  select(nfds: number, readfds: FdSet | null, writefds: FdSet | null, exceptfds: FdSet | null, timeout: CTimeval | null): OrErrno;
  pselect(
    nfds: number,
    readfds: FdSet | null,
    writefds: FdSet | null,
    exceptfds: FdSet | null,
    timeout: Timespec | null,
    sigmask: Sigmask,
  ): OrErrno;
}>();

const SET_BYTES = FD_SETSIZE / 8;
// An fd_set is an array of longs, bit fd % (8 * sizeof(long)) of long
// fd / (8 * sizeof(long)). On a little-endian machine that is bit fd % 8 of
// byte fd / 8 whatever the size of a long; on a big-endian one the bytes of
// each long are reversed.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LONG_BYTES = /64|s390x/.test(process.arch) ? 8 : 4;

/**
 * A C `fd_set`: a Uint8Array of sizeof(fd_set) bytes (FD_SETSIZE bits, 128
 * bytes), zeroed when made, as `FD_ZERO` leaves it. {@link select} and
 * {@link pselect} hand its memory to the kernel, which reads it and writes
 * the result into it: after the call, `FD_ISSET(fd, set)` says whether `fd`
 * is ready. Fill it again before each call, as in C.
 */
export class FdSet extends Uint8Array {
  // Methods that build a new array (subarray, map, slice) build a plain
  // Uint8Array: a part of an fd_set is not an fd_set.
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  constructor() {
    super(SET_BYTES);
  }
}

function checkSet(set: FdSet, macro: string): void {
  if (!(set instanceof FdSet)) {
    throw new TypeError(`Expected argument 'set' of ${macro} to be an FdSet`);
  }
  if (set.byteLength < SET_BYTES) {
    throw new TypeError(`Argument 'set' of ${macro} is a view of a detached ArrayBuffer`);
  }
}

// The byte of `set` that holds `fd`'s bit, after the checks that keep every
// access inside the set's memory.
function byteOf(fd: number, set: FdSet, macro: string): number {
  checkSet(set, macro);
  if (!Number.isInteger(fd)) {
    throw new TypeError(`Expected argument 'fd' of ${macro} to be an integer, got ${String(fd)}`);
  }
  if (fd < 0 || fd >= FD_SETSIZE) {
    throw new RangeError(
      `Argument 'fd' of ${macro} (${fd}) is outside an fd_set: glibc's fd_set holds FD_SETSIZE (${FD_SETSIZE}) ` +
        `bits, fds 0..${FD_SETSIZE - 1}, and ${macro} past them would write outside its memory. ` +
        'For higher fds use poll or epoll, which have no such limit',
    );
  }
  const bitInLong = fd % (8 * LONG_BYTES);
  const long = (fd - bitInLong) / 8;
  return long + (LITTLE_ENDIAN ? bitInLong >> 3 : LONG_BYTES - 1 - (bitInLong >> 3));
}

/**
 * Clears every fd of `set`. Corresponds to FD_ZERO(3).
 * @see https://man7.org/linux/man-pages/man3/FD_ZERO.3.html
 * @throws {TypeError} when `set` is not an FdSet or is detached.
 */
export function FD_ZERO(set: FdSet): void {
  checkSet(set, 'FD_ZERO');
  set.fill(0);
}

/**
 * Adds `fd` to `set`. Corresponds to FD_SET(3).
 * @see https://man7.org/linux/man-pages/man3/FD_SET.3.html
 * @throws {RangeError} when `fd` is negative or FD_SETSIZE (1024) or more:
 *   an fd_set cannot hold it (use poll or epoll).
 * @throws {TypeError} when `fd` is not an integer or `set` not an FdSet.
 */
export function FD_SET(fd: number, set: FdSet): void {
  set[byteOf(fd, set, 'FD_SET')]! |= 1 << (fd & 7);
}

/**
 * Removes `fd` from `set`. Corresponds to FD_CLR(3).
 * @see https://man7.org/linux/man-pages/man3/FD_CLR.3.html
 * @throws {RangeError} when `fd` is negative or FD_SETSIZE (1024) or more.
 * @throws {TypeError} when `fd` is not an integer or `set` not an FdSet.
 */
export function FD_CLR(fd: number, set: FdSet): void {
  set[byteOf(fd, set, 'FD_CLR')]! &= ~(1 << (fd & 7));
}

/**
 * Whether `fd` is in `set`: after {@link select}, whether it is ready.
 * Corresponds to FD_ISSET(3).
 * @see https://man7.org/linux/man-pages/man3/FD_ISSET.3.html
 * @throws {RangeError} when `fd` is negative or FD_SETSIZE (1024) or more.
 * @throws {TypeError} when `fd` is not an integer or `set` not an FdSet.
 */
export function FD_ISSET(fd: number, set: FdSet): boolean {
  return (set[byteOf(fd, set, 'FD_ISSET')]! & (1 << (fd & 7))) !== 0;
}

/**
 * Waits until one of the fds below `nfds` in `readfds` is readable, in
 * `writefds` writable or in `exceptfds` has an exceptional condition (TCP
 * urgent data), and returns how many are ready, counting an fd once per set
 * (0 on timeout). The kernel writes the answer into the sets in place: after
 * the call only the ready fds are in them. Any set may be null. `nfds` is the
 * highest fd plus one, as in C.
 *
 * `timeout` is `{ tv_sec, tv_usec }`, or null to block. As on Linux, the
 * time not slept is written back into it (`{ tv_sec: 0, tv_usec: 0 }` after
 * a timeout), so reset it before reusing it, as portable C does. A signal
 * does not end the wait early: EINTR is retried with the time that remains.
 * Corresponds to select(2).
 * @see https://man7.org/linux/man-pages/man2/select.2.html
 * @throws {SocketError} EBADF (an fd in a set is not open), EINVAL (nfds
 *   negative, a negative timeout or tv_usec), ENOMEM
 * @throws {RangeError} when `nfds` is more than FD_SETSIZE (1024): the kernel
 *   would read past the end of the sets. Use poll or epoll for such fds.
 * @throws {TypeError} when a set is not an ArrayBufferView (an FdSet) or is
 *   detached, or `timeout` lacks an integer `tv_sec` or `tv_usec`.
 */
export function select(
  nfds: number,
  readfds: FdSet | null,
  writefds: FdSet | null,
  exceptfds: FdSet | null,
  timeout: CTimeval | null,
): number {
  return check(n.select(nfds, readfds, writefds, exceptfds, timeout), 'select');
}

/**
 * {@link select} with a `{ tv_sec, tv_nsec }` timeout (null blocks), which is
 * left as it is (POSIX's pselect takes it as const; glibc's keeps it so),
 * and a signal mask: for the wait, the calling thread's mask is replaced by
 * `sigmask` atomically (null: left alone). EINTR is retried with the time
 * that remains. In Node a mask changes only whether this thread is
 * interrupted, not whether a signal reaches the process: see
 * docs/select.md. Corresponds to pselect(2).
 * @see https://man7.org/linux/man-pages/man2/pselect.2.html
 * @throws {SocketError} EBADF, EINVAL (nfds negative, an invalid timeout), ENOMEM
 * @throws {RangeError} when `nfds` is more than FD_SETSIZE (1024), or a
 *   signal number is one sigaddset(3) refuses.
 * @throws {TypeError} as {@link select}, and when `sigmask` is not an array
 *   of integers or null.
 */
export function pselect(
  nfds: number,
  readfds: FdSet | null,
  writefds: FdSet | null,
  exceptfds: FdSet | null,
  timeout: Timespec | null,
  sigmask: Sigmask,
): number {
  return check(n.pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask), 'pselect');
}
