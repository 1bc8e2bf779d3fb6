// System errors as exceptions, shaped like Node's own ErrnoException. The
// internal helpers that turn a native -errno into one are in check.ts.
import { getSystemErrorName } from 'node:util';
import { native } from './native.js';

const strerror = native.strerror as (errno: number) => string;
const { EOPNOTSUPP } = native.constants as Record<string, number>;

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
 * The symbolic name of an errno number, such as `'ECONNREFUSED'` for 111, as
 * errno(3) lists them. Where Linux gives one number two names, the one the
 * socket man pages use wins: EOPNOTSUPP (Node says ENOTSUP) and EAGAIN (not
 * EWOULDBLOCK). A number with no name reads `'Unknown system error 9999'`.
 * @see https://man7.org/linux/man-pages/man3/errno.3.html
 */
export function errnoName(errno: number): string {
  if (errno === EOPNOTSUPP) return 'EOPNOTSUPP';
  // Node names libuv's negated errnos, and for a number it does not know
  // answers with the negated number in its text.
  const name = Number.isInteger(errno) && errno > 0 ? getSystemErrorName(-errno) : '';
  return name.startsWith('E') ? name : `Unknown system error ${errno}`;
}

/**
 * The kernel's text for an errno number. Corresponds to strerror(3).
 * @see https://man7.org/linux/man-pages/man3/strerror.3.html
 */
export function errnoMessage(errno: number): string {
  return strerror(errno);
}
