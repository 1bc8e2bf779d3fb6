// File descriptors in general: close, fcntl and the flags it sets, and the
// pipes and eventfds that lessons and tests put beside sockets.
import { FD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, O_NONBLOCK } from './constants.js';
import { check, checkSlot, checkValue, errnoSlot } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

const n = nativeModule<{
  close(fd: number): OrErrno;
  fcntl(fd: number, cmd: number, arg: number, err: Int32Array): number | undefined;
  pipe(flags: number): [number, number] | OrErrno;
  eventfd(initval: number, flags: number): OrErrno;
}>();

/**
 * Closes a file descriptor. Never retried on EINTR (Linux releases the fd
 * even then, and a retry could close an fd another thread has just opened),
 * so an interrupted close counts as done. Corresponds to close(2).
 * @see https://man7.org/linux/man-pages/man2/close.2.html
 * @throws {SocketError} EBADF, EIO
 */
export function close(fd: number): void {
  check(n.close(fd), 'close');
}

/**
 * fcntl(2) for the commands that take an int: F_GETFL, F_SETFL, F_GETFD,
 * F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC. Returns what the command returns,
 * which may be negative: F_GETOWN reads a process group owner as its
 * negated id.
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 * @throws {SocketError} EBADF, EINVAL
 * @throws {TypeError} for a command that takes a pointer.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  return checkSlot(n.fcntl(fd, cmd, arg, errnoSlot), 'fcntl');
}

/**
 * Sets or clears O_NONBLOCK on an open fd: `fcntl(F_GETFL)` then
 * `fcntl(F_SETFL)`, as C code does it.
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 * @throws {SocketError} EBADF
 */
export function setNonBlocking(fd: number, on = true): void {
  const flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/**
 * Whether O_NONBLOCK is set on `fd` (fcntl(F_GETFL)).
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 * @throws {SocketError} EBADF
 */
export function isNonBlocking(fd: number): boolean {
  return (fcntl(fd, F_GETFL) & O_NONBLOCK) !== 0;
}

/**
 * Sets or clears FD_CLOEXEC on `fd` (fcntl(F_GETFD) then F_SETFD).
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 * @throws {SocketError} EBADF
 */
export function setCloseOnExec(fd: number, on = true): void {
  const flags = fcntl(fd, F_GETFD);
  fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
}

/**
 * Whether FD_CLOEXEC is set on `fd` (fcntl(F_GETFD)).
 * @see https://man7.org/linux/man-pages/man2/fcntl.2.html
 * @throws {SocketError} EBADF
 */
export function isCloseOnExec(fd: number): boolean {
  return (fcntl(fd, F_GETFD) & FD_CLOEXEC) !== 0;
}

/**
 * Creates a pipe and returns `[readFd, writeFd]`; `flags` may be
 * O_NONBLOCK | O_CLOEXEC. Corresponds to pipe2(2).
 * @see https://man7.org/linux/man-pages/man2/pipe2.2.html
 * @throws {SocketError} EMFILE, ENFILE, EINVAL
 */
export function pipe(flags = 0): [number, number] {
  return checkValue(n.pipe(flags), 'pipe2');
}

/**
 * Creates an eventfd: a 64-bit counter that is readable while non-zero, the
 * cheapest fd there is to wake an epoll loop. `flags` may be EFD_NONBLOCK |
 * EFD_CLOEXEC | EFD_SEMAPHORE. Write and read it with 8-byte buffers.
 * Corresponds to eventfd(2).
 * @see https://man7.org/linux/man-pages/man2/eventfd.2.html
 * @throws {SocketError} EMFILE, ENFILE, EINVAL
 */
export function eventfd(initval = 0, flags = 0): number {
  return check(n.eventfd(initval, flags), 'eventfd');
}
