// The io_uring_prep_* calls of liburing: each fills one staged SQE, laid out
// as struct io_uring_sqe, with plain typed-array writes. Where C passes a
// pointer (a buffer, a sockaddr, a timespec), these take an arena
// reference (IoUringArena.ref(offset)), or 0 for NULL; user_data and the
// 64-bit fields take integers below 2**53.
import type { IoUringSqe } from './liburing.js';
import { nativeModule } from './native.js';

const C = nativeModule<{ constants: Record<string, number> }>().constants;
const TWO32 = 2 ** 32;
const OP = {
  NOP: C.IORING_OP_NOP!,
  READ: C.IORING_OP_READ!,
  WRITE: C.IORING_OP_WRITE!,
  ACCEPT: C.IORING_OP_ACCEPT!,
  CONNECT: C.IORING_OP_CONNECT!,
  RECV: C.IORING_OP_RECV!,
  SEND: C.IORING_OP_SEND!,
  SEND_ZC: C.IORING_OP_SEND_ZC!,
  CLOSE: C.IORING_OP_CLOSE!,
  SHUTDOWN: C.IORING_OP_SHUTDOWN!,
  TIMEOUT: C.IORING_OP_TIMEOUT!,
  TIMEOUT_REMOVE: C.IORING_OP_TIMEOUT_REMOVE!,
  LINK_TIMEOUT: C.IORING_OP_LINK_TIMEOUT!,
  ASYNC_CANCEL: C.IORING_OP_ASYNC_CANCEL!,
  POLL_ADD: C.IORING_OP_POLL_ADD!,
  POLL_REMOVE: C.IORING_OP_POLL_REMOVE!,
  SOCKET: C.IORING_OP_SOCKET!,
};

// Word indexes in an SQE (struct io_uring_sqe): fd 1, off/addr2 2-3,
// addr 4-5, len 6, the op's flags word 7, user_data 8-9, buf_group the
// u16 at byte 40, file_index / addr_len word 11.
function setU64(u32: Uint32Array, w: number, v: number): void {
  u32[w] = v >>> 0;
  u32[w + 1] = Math.floor(v / TWO32) >>> 0;
}

/**
 * Fills an SQE for operation `op` as liburing's io_uring_prep_rw: every
 * field zero but opcode, fd, addr, len and off. Corresponds to
 * io_uring_prep_rw (liburing.h), under every io_uring_prep_*(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_read.3.html
 */
export function io_uring_prep_rw(op: number, sqe: IoUringSqe, fd: number, addr: number, len: number, offset: number): void {
  const u32 = sqe.u32;
  const w = sqe.base >>> 2;
  // Every word written, none read: word 0 is opcode, flags 0 and ioprio 0
  // (little-endian), words 7 to 15 zero. Sixteen stores, where
  // TypedArray.prototype.fill is a call into the engine's runtime per SQE.
  u32[w] = op;
  sqe.i32[w + 1] = fd;
  setU64(u32, w + 2, offset);
  setU64(u32, w + 4, addr);
  u32[w + 6] = len;
  u32[w + 7] = 0;
  u32[w + 8] = 0;
  u32[w + 9] = 0;
  u32[w + 10] = 0;
  u32[w + 11] = 0;
  u32[w + 12] = 0;
  u32[w + 13] = 0;
  u32[w + 14] = 0;
  u32[w + 15] = 0;
}

/**
 * Sets the SQE's user_data, which its CQE carries back. Corresponds to
 * io_uring_sqe_set_data64(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_sqe_set_data.3.html
 */
export function io_uring_sqe_set_data(sqe: IoUringSqe, data: number): void {
  setU64(sqe.u32, (sqe.base >>> 2) + 8, data);
}

/**
 * Sets the SQE's IOSQE_* flags. Corresponds to io_uring_sqe_set_flags(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_sqe_set_flags.3.html
 */
export function io_uring_sqe_set_flags(sqe: IoUringSqe, flags: number): void {
  sqe.u8[sqe.base + 1] = flags;
}

/**
 * Sets the provided-buffer group the SQE selects from (with
 * IOSQE_BUFFER_SELECT). Corresponds to io_uring_sqe_set_buf_group(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_sqe_set_flags.3.html
 */
export function io_uring_sqe_set_buf_group(sqe: IoUringSqe, bgid: number): void {
  sqe.u16[(sqe.base + 40) >>> 1] = bgid;
}

/**
 * An operation that does nothing and completes with 0. Corresponds to
 * io_uring_prep_nop(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_nop.3.html
 */
export function io_uring_prep_nop(sqe: IoUringSqe): void {
  io_uring_prep_rw(OP.NOP, sqe, -1, 0, 0, 0);
}

/**
 * read(2) of `nbytes` into `buf` at file `offset` (-1: the current position).
 * Corresponds to io_uring_prep_read(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_read.3.html
 */
export function io_uring_prep_read(sqe: IoUringSqe, fd: number, buf: number, nbytes: number, offset: number): void {
  io_uring_prep_rw(OP.READ, sqe, fd, buf, nbytes, offset);
}

/**
 * write(2) of `nbytes` from `buf` at file `offset` (-1: the current position).
 * Corresponds to io_uring_prep_write(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_write.3.html
 */
export function io_uring_prep_write(sqe: IoUringSqe, fd: number, buf: number, nbytes: number, offset: number): void {
  io_uring_prep_rw(OP.WRITE, sqe, fd, buf, nbytes, offset);
}

/**
 * accept4(2): `addr` (room for 128 bytes in its arena) and `addrlen` (a
 * socklen_t the caller sets to the room) receive the peer's address, or
 * both 0. Corresponds to io_uring_prep_accept(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_accept.3.html
 */
export function io_uring_prep_accept(sqe: IoUringSqe, fd: number, addr: number, addrlen: number, flags: number): void {
  io_uring_prep_rw(OP.ACCEPT, sqe, fd, addr, 0, addrlen);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * As {@link io_uring_prep_accept}, armed once for every connection to
 * come: each CQE carries IORING_CQE_F_MORE while it stays armed.
 * Corresponds to io_uring_prep_multishot_accept(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_multishot_accept.3.html
 */
export function io_uring_prep_multishot_accept(sqe: IoUringSqe, fd: number, addr: number, addrlen: number, flags: number): void {
  io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
  sqe.u16[(sqe.base + 2) >>> 1] |= C.IORING_ACCEPT_MULTISHOT!;
}

/**
 * connect(2) to the `addrlen`-byte sockaddr at `addr`. Corresponds to
 * io_uring_prep_connect(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_connect.3.html
 */
export function io_uring_prep_connect(sqe: IoUringSqe, fd: number, addr: number, addrlen: number): void {
  io_uring_prep_rw(OP.CONNECT, sqe, fd, addr, 0, addrlen);
}

/**
 * recv(2) of up to `len` bytes into `buf`; with IOSQE_BUFFER_SELECT and a
 * buffer group, `buf` is 0 and the kernel picks a provided buffer.
 * Corresponds to io_uring_prep_recv(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_recv.3.html
 */
export function io_uring_prep_recv(sqe: IoUringSqe, sockfd: number, buf: number, len: number, flags: number): void {
  io_uring_prep_rw(OP.RECV, sqe, sockfd, buf, len, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * As {@link io_uring_prep_recv}, armed until it fails or the peer closes:
 * one CQE per receive, each with a provided buffer (buffer select is
 * required). Corresponds to io_uring_prep_recv_multishot(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_recv.3.html
 */
export function io_uring_prep_recv_multishot(sqe: IoUringSqe, sockfd: number, buf: number, len: number, flags: number): void {
  io_uring_prep_recv(sqe, sockfd, buf, len, flags);
  sqe.u16[(sqe.base + 2) >>> 1] |= C.IORING_RECV_MULTISHOT!;
}

/**
 * send(2) of `len` bytes from `buf`. Corresponds to io_uring_prep_send(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_send.3.html
 */
export function io_uring_prep_send(sqe: IoUringSqe, sockfd: number, buf: number, len: number, flags: number): void {
  io_uring_prep_rw(OP.SEND, sqe, sockfd, buf, len, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * A zero-copy send (Linux 6.0): two CQEs, the result with
 * IORING_CQE_F_MORE, then a notification (IORING_CQE_F_NOTIF) once the
 * kernel no longer reads `buf`. Corresponds to io_uring_prep_send_zc(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_send_zc.3.html
 */
export function io_uring_prep_send_zc(sqe: IoUringSqe, sockfd: number, buf: number, len: number, flags: number, zc_flags: number): void {
  io_uring_prep_rw(OP.SEND_ZC, sqe, sockfd, buf, len, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
  sqe.u16[(sqe.base + 2) >>> 1] = zc_flags;
}

/**
 * close(2). Corresponds to io_uring_prep_close(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_close.3.html
 */
export function io_uring_prep_close(sqe: IoUringSqe, fd: number): void {
  io_uring_prep_rw(OP.CLOSE, sqe, fd, 0, 0, 0);
}

/**
 * shutdown(2). Corresponds to io_uring_prep_shutdown(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_shutdown.3.html
 */
export function io_uring_prep_shutdown(sqe: IoUringSqe, fd: number, how: number): void {
  io_uring_prep_rw(OP.SHUTDOWN, sqe, fd, 0, how, 0);
}

/**
 * A timeout: completes with -ETIME when the struct __kernel_timespec at `ts`
 * (16 bytes: tv_sec, tv_nsec as int64) passes, or with 0 once `count` other
 * CQEs have arrived (0: time only). Corresponds to io_uring_prep_timeout(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_timeout.3.html
 */
export function io_uring_prep_timeout(sqe: IoUringSqe, ts: number, count: number, flags: number): void {
  io_uring_prep_rw(OP.TIMEOUT, sqe, -1, ts, 1, count);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * Removes the timeout whose user_data is `user_data`. Corresponds to
 * io_uring_prep_timeout_remove(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_timeout_remove.3.html
 */
export function io_uring_prep_timeout_remove(sqe: IoUringSqe, user_data: number, flags: number): void {
  io_uring_prep_rw(OP.TIMEOUT_REMOVE, sqe, -1, user_data, 0, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * A timeout for the SQE linked before it (IOSQE_IO_LINK). Corresponds to
 * io_uring_prep_link_timeout(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_link_timeout.3.html
 */
export function io_uring_prep_link_timeout(sqe: IoUringSqe, ts: number, flags: number): void {
  io_uring_prep_rw(OP.LINK_TIMEOUT, sqe, -1, ts, 1, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * Cancels the operation whose user_data is `user_data` (IORING_ASYNC_CANCEL_*
 * flags widen the match). Corresponds to io_uring_prep_cancel64(3); C's
 * io_uring_prep_cancel takes the user_data as a pointer, here the same number.
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_cancel.3.html
 */
export function io_uring_prep_cancel64(sqe: IoUringSqe, user_data: number, flags: number): void {
  io_uring_prep_rw(OP.ASYNC_CANCEL, sqe, -1, user_data, 0, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}

/**
 * The same as {@link io_uring_prep_cancel64}. Corresponds to io_uring_prep_cancel(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_cancel.3.html
 */
export function io_uring_prep_cancel(sqe: IoUringSqe, user_data: number, flags: number): void {
  io_uring_prep_cancel64(sqe, user_data, flags);
}

/**
 * Cancels the operations on `fd` (IORING_ASYNC_CANCEL_FD, plus `flags`).
 * Corresponds to io_uring_prep_cancel_fd(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_cancel.3.html
 */
export function io_uring_prep_cancel_fd(sqe: IoUringSqe, fd: number, flags: number): void {
  io_uring_prep_rw(OP.ASYNC_CANCEL, sqe, fd, 0, 0, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = flags | C.IORING_ASYNC_CANCEL_FD!;
}

/**
 * poll(2) for `poll_mask` (POLL* events) on `fd`, once. Corresponds to
 * io_uring_prep_poll_add(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_poll_add.3.html
 */
export function io_uring_prep_poll_add(sqe: IoUringSqe, fd: number, poll_mask: number): void {
  io_uring_prep_rw(OP.POLL_ADD, sqe, fd, 0, 0, 0);
  sqe.u32[(sqe.base >>> 2) + 7] = poll_mask;
}

/**
 * As {@link io_uring_prep_poll_add}, armed for every readiness to come
 * (IORING_POLL_ADD_MULTI). Corresponds to io_uring_prep_poll_multishot(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_poll_add.3.html
 */
export function io_uring_prep_poll_multishot(sqe: IoUringSqe, fd: number, poll_mask: number): void {
  io_uring_prep_poll_add(sqe, fd, poll_mask);
  sqe.u32[(sqe.base >>> 2) + 6] = C.IORING_POLL_ADD_MULTI!;
}

/**
 * Removes the poll whose user_data is `user_data`. Corresponds to
 * io_uring_prep_poll_remove(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_poll_remove.3.html
 */
export function io_uring_prep_poll_remove(sqe: IoUringSqe, user_data: number): void {
  io_uring_prep_rw(OP.POLL_REMOVE, sqe, -1, user_data, 0, 0);
}

/**
 * socket(2) (Linux 5.19): the CQE's res is the new fd. Corresponds to
 * io_uring_prep_socket(3).
 * @see https://man7.org/linux/man-pages/man3/io_uring_prep_socket.3.html
 */
export function io_uring_prep_socket(sqe: IoUringSqe, domain: number, type: number, protocol: number, flags: number): void {
  io_uring_prep_rw(OP.SOCKET, sqe, domain, 0, protocol, type);
  sqe.u32[(sqe.base >>> 2) + 7] = flags;
}
