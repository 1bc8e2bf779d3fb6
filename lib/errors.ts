// System errors as exceptions, shaped like Node's own ErrnoException.
//
// Native wrappers return their result, or -errno when the call failed (see
// native/common.h). The helpers here turn that number into a SocketError on
// the rare path, and keep the common path to one comparison.
import { getSystemErrorName } from 'node:util';
import { native } from './native.js';

const strerror = native.strerror as (errno: number) => string;
const { EAGAIN, EINPROGRESS, EOPNOTSUPP } = native.constants as Record<string, number>;
const NEG_EAGAIN = -EAGAIN;
const NEG_EINPROGRESS = -EINPROGRESS;

/**
 * A failed system call. It carries what Node's own errors carry, so code
 * written for `NodeJS.ErrnoException` handles it:
 * - `code`: the errno's name, such as `'EADDRINUSE'`;
 * - `errno`: the errno's number as C sees it (positive, so it compares with
 *   the exported `EADDRINUSE`; Node's own errors use the negated number);
 * - `syscall`: the call that failed, such as `'bind'`;
 * - `message`: `'bind EADDRINUSE: Address already in use'`, with the kernel's
 *   text from strerror(3).
 */
export class SocketError extends Error implements NodeJS.ErrnoException {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(errno: number, syscall: string) {
    const code = errnoName(errno);
    super(`${syscall} ${code}: ${strerror(errno)}`);
    this.name = 'SocketError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

/**
 * The symbolic name of an errno number, such as `'ECONNREFUSED'` for 111.
 * Where Linux gives one number two names, the one the socket man pages use
 * wins: EOPNOTSUPP (Node says ENOTSUP) and EAGAIN (not EWOULDBLOCK).
 */
export function errnoName(errno: number): string {
  if (errno === EOPNOTSUPP) return 'EOPNOTSUPP';
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `Unknown system error ${errno}`;
  }
}

/** The kernel's text for an errno number: strerror(3). */
export function errnoMessage(errno: number): string {
  return strerror(errno);
}

/**
 * Returns `r` when the call succeeded; throws the SocketError for `-r`
 * otherwise. For calls where every failure is an exception.
 * @internal
 */
export function check(r: number, syscall: string): number {
  if (r < 0) throw new SocketError(-r, syscall);
  return r;
}

/**
 * Like `check`, but EAGAIN/EWOULDBLOCK is the return value -1 rather than an
 * exception, so a non-blocking loop never pays for a throw.
 * @internal
 */
export function checkWouldBlock(r: number, syscall: string): number {
  if (r >= 0) return r;
  if (r === NEG_EAGAIN) return -1;
  throw new SocketError(-r, syscall);
}

/**
 * Like `check`, for connect: EINPROGRESS (a non-blocking connect under way)
 * is the return value -1.
 * @internal
 */
export function checkInProgress(r: number, syscall: string): number {
  if (r >= 0) return r;
  if (r === NEG_EINPROGRESS) return -1;
  throw new SocketError(-r, syscall);
}

/**
 * Throws the SocketError when a native call answered -errno instead of the
 * value it builds on success (an array, an object).
 * @internal
 */
export function checkValue<T>(r: T | number, syscall: string): T {
  if (typeof r === 'number') throw new SocketError(-r, syscall);
  return r;
}
