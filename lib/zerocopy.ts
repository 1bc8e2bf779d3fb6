// Zero-copy transfers, C-shaped: sendfile, splice, tee. The bytes move
// between fds inside the kernel and never through a buffer of the caller's.
//
// C's `off_t *offset` (splice's `loff_t *off_in`, `*off_out`) is a
// value-result argument, and so it is here: `null` (C's NULL) uses the fd's
// own file offset and advances it; an {@link Offset} object is read before
// the call and its `value` set to where the kernel stopped, leaving the
// fd's file offset alone, as the pointed-to off_t would be.
import { checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

/** C's `off_t *` (or `loff_t *`): an offset the call reads and updates. */
export interface Offset {
  value: number;
}

const n = nativeModule<{
  sendfile(out_fd: number, in_fd: number, offset: Offset | null, count: number): OrErrno;
  splice(fd_in: number, off_in: Offset | null, fd_out: number, off_out: Offset | null, len: number, flags: number): OrErrno;
  tee(fd_in: number, fd_out: number, len: number, flags: number): OrErrno;
}>();

/**
 * Copies up to `count` bytes from `in_fd` (a file that can be mmapped, not a
 * socket) to `out_fd` (any fd since Linux 2.6.33; a socket, typically) and
 * returns how many were copied (fewer than `count` is normal: loop). With
 * `offset` null the read starts at, and advances, in_fd's file offset;
 * with `{ value }` it starts at `value`, which is then set past the last
 * byte read, and in_fd's offset does not move. A non-blocking out_fd that
 * is full returns -1. Corresponds to sendfile(2).
 * @see https://man7.org/linux/man-pages/man2/sendfile.2.html
 * @throws {SocketError} EBADF, EINVAL (in_fd cannot be mmapped, a negative
 *   offset), EIO, ENOMEM, EOVERFLOW, ESPIPE (offset given for a pipe), EPIPE
 * @throws {TypeError} when `offset` is neither null nor an object with an
 *   integer `value`.
 */
export function sendfile(out_fd: number, in_fd: number, offset: Offset | null, count: number): number {
  return checkWouldBlock(n.sendfile(out_fd, in_fd, offset, count), 'sendfile');
}

/**
 * Moves up to `len` bytes from `fd_in` to `fd_out`, at least one of which
 * must be a pipe, and returns how many moved (0: end of input). An offset
 * is for the fd that is not a pipe (ESPIPE on a pipe), with the same
 * null-or-{@link Offset} meaning as in {@link sendfile}. `flags` is an OR of
 * SPLICE_F_MOVE, SPLICE_F_NONBLOCK (do not block on the pipes; the other
 * fd's O_NONBLOCK still counts), SPLICE_F_MORE and SPLICE_F_GIFT (vmsplice
 * only). Would-block is -1. Corresponds to splice(2).
 * @see https://man7.org/linux/man-pages/man2/splice.2.html
 * @throws {SocketError} EBADF, EINVAL (neither fd is a pipe, an fd opened
 *   for appending, the same pipe on both sides), ENOMEM, ESPIPE
 */
export function splice(fd_in: number, off_in: Offset | null, fd_out: number, off_out: Offset | null, len: number, flags = 0): number {
  return checkWouldBlock(n.splice(fd_in, off_in, fd_out, off_out, len, flags), 'splice');
}

/**
 * Duplicates up to `len` bytes from the pipe `fd_in` into the pipe `fd_out`
 * without consuming them (a following read or splice of fd_in still sees
 * them) and returns how many; 0 when fd_in has none and no writer. `flags`:
 * SPLICE_F_NONBLOCK, and the others are accepted but mean nothing for tee.
 * Would-block is -1. Corresponds to tee(2).
 * @see https://man7.org/linux/man-pages/man2/tee.2.html
 * @throws {SocketError} EINVAL (either fd is not a pipe, or both are the same
 *   pipe), ENOMEM
 */
export function tee(fd_in: number, fd_out: number, len: number, flags = 0): number {
  return checkWouldBlock(n.tee(fd_in, fd_out, len, flags), 'tee');
}
