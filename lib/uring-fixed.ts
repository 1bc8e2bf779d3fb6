// Registered buffers (IORING_REGISTER_BUFFERS) over arena memory, and the
// operations that name one by index: io_uring_prep_read_fixed,
// io_uring_prep_write_fixed, io_uring_prep_send_zc_fixed. The ring keeps
// each registered arena alive while it is registered, and io_uring_submit
// checks that a fixed SQE's buf_index names a registered buffer and that
// its range lies inside it (native/uring_fixed.cc).
import { check } from './check.js';
import type { IoUring, IoUringSqe } from './liburing.js';
import { nativeModule, type OrErrno } from './native.js';
import { io_uring_prep_rw } from './uring-prep.js';

const n = nativeModule<{
  uringRegisterBuffers(h: object, iovecs: readonly IoUringIovec[]): OrErrno;
  uringUnregisterBuffers(h: object): OrErrno;
  constants: Record<string, number>;
}>();
const C = n.constants;

/** struct iovec with `iov_base` an arena reference. */
export interface IoUringIovec {
  iov_base: number;
  iov_len: number;
}

/**
 * Registers `nr_iovecs` (default all) of `iovecs` as the ring's fixed
 * buffers, 0 to nr_iovecs - 1 in order; each must lie inside one arena.
 * Corresponds to io_uring_register_buffers(3).
 * @see https://man.archlinux.org/man/io_uring_register_buffers.3
 * @throws {SocketError} EBUSY (buffers already registered), EINVAL, ENOMEM, EFAULT
 * @throws {RangeError} for a buffer outside its arena.
 */
export function io_uring_register_buffers(ring: IoUring, iovecs: readonly IoUringIovec[], nr_iovecs = iovecs.length): number {
  if (!Number.isInteger(nr_iovecs) || nr_iovecs < 0 || nr_iovecs > iovecs.length)
    throw new RangeError(`io_uring_register_buffers: nr_iovecs ${nr_iovecs} is not within 0..${iovecs.length}`);
  return check(n.uringRegisterBuffers(ring.handle, iovecs.slice(0, nr_iovecs)), 'io_uring_register');
}

/**
 * Unregisters the fixed buffers (operations in flight keep the pages).
 * Corresponds to io_uring_unregister_buffers(3).
 * @see https://man.archlinux.org/man/io_uring_unregister_buffers.3
 * @throws {SocketError} ENXIO (none registered)
 */
export function io_uring_unregister_buffers(ring: IoUring): number {
  return check(n.uringUnregisterBuffers(ring.handle), 'io_uring_register');
}

/**
 * read(2) of `nbytes` into `buf`, which lies inside registered buffer
 * `buf_index`. Corresponds to io_uring_prep_read_fixed(3).
 * @see https://man.archlinux.org/man/io_uring_prep_read_fixed.3
 */
export function io_uring_prep_read_fixed(sqe: IoUringSqe, fd: number, buf: number, nbytes: number, offset: number, buf_index: number): void {
  io_uring_prep_rw(C.IORING_OP_READ_FIXED!, sqe, fd, buf, nbytes, offset);
  sqe.u16[(sqe.base + 40) >>> 1] = buf_index;
}

/**
 * write(2) of `nbytes` from `buf`, inside registered buffer `buf_index`.
 * Corresponds to io_uring_prep_write_fixed(3).
 * @see https://man.archlinux.org/man/io_uring_prep_write_fixed.3
 */
export function io_uring_prep_write_fixed(sqe: IoUringSqe, fd: number, buf: number, nbytes: number, offset: number, buf_index: number): void {
  io_uring_prep_rw(C.IORING_OP_WRITE_FIXED!, sqe, fd, buf, nbytes, offset);
  sqe.u16[(sqe.base + 40) >>> 1] = buf_index;
}

/**
 * A zero-copy send from registered buffer `buf_index`
 * (IORING_RECVSEND_FIXED_BUF): the result CQE, then the notification.
 * Plain IORING_OP_SEND takes no fixed buffer; this is the send that does.
 * Corresponds to io_uring_prep_send_zc_fixed(3).
 * @see https://man.archlinux.org/man/io_uring_prep_send_zc_fixed.3
 */
export function io_uring_prep_send_zc_fixed(
  sqe: IoUringSqe,
  sockfd: number,
  buf: number,
  len: number,
  flags: number,
  zc_flags: number,
  buf_index: number,
): void {
  io_uring_prep_rw(C.IORING_OP_SEND_ZC!, sqe, sockfd, buf, len, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
  sqe.u16[(sqe.base + 2) >>> 1] = zc_flags | C.IORING_RECVSEND_FIXED_BUF!;
  sqe.u16[(sqe.base + 40) >>> 1] = buf_index;
}
