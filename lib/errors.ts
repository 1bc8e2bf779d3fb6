// System errors as exceptions, shaped like Node's own ErrnoException. The
// internal helpers that turn a native -errno into one are in check.ts.
import { ERRNO_NAMES } from './errno-names.js';
import { nativeModule } from './native.js';

const n = nativeModule<{
  strerror(errno: number): string;
  constants: Readonly<Record<string, number>>;
}>();

// Number -> name for every errno the build's headers define, made on the
// first error (the rare path), not at load.
let names: Map<number, string> | undefined;
function nameTable(): Map<number, string> {
  if (names === undefined) {
    names = new Map();
    for (const name of ERRNO_NAMES) {
      const value = n.constants[name];
      if (value !== undefined && !names.has(value)) names.set(value, name);
    }
  }
  return names;
}

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
    super(`${syscall} ${code}: ${n.strerror(errno)}`);
    this.name = 'SocketError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

/**
 * The symbolic name of an errno number, such as `'ECONNREFUSED'` for 111:
 * every name the kernel's errno headers define (errno(3)), read from the
 * headers at build time, EDOM and EHWPOISON as much as ECONNRESET. Where
 * Linux gives one number two names, the first the kernel lists wins, which
 * is also the one the socket man pages use: EAGAIN (not EWOULDBLOCK),
 * EOPNOTSUPP (Node says ENOTSUP), EDEADLK (not EDEADLOCK). A number with no
 * name reads `'Unknown system error 9999'`.
 * @see https://man7.org/linux/man-pages/man3/errno.3.html
 */
export function errnoName(errno: number): string {
  return nameTable().get(errno) ?? `Unknown system error ${errno}`;
}

/**
 * The kernel's text for an errno number. Corresponds to strerror(3).
 * @see https://man7.org/linux/man-pages/man3/strerror.3.html
 */
export function errnoMessage(errno: number): string {
  return n.strerror(errno);
}
