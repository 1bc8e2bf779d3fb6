// Plain I/O on sockets and other fds: read, write, recv, send, recvfrom,
// sendto.
//
// Would-block is a return value: on a non-blocking fd every function here
// returns -1 when the kernel says EAGAIN/EWOULDBLOCK, and throws only for a
// real error. `buf` is any ArrayBufferView (Buffer, Uint8Array, DataView, any
// TypedArray); the optional `offset` and `length` are in bytes and select
// part of it without making a subarray. Counts are in bytes.
import type { Sockaddr, SockaddrResult } from './address.js';
import { checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

type View = ArrayBufferView;

const n = nativeModule<{
  read(fd: number, buf: View, offset?: number, length?: number): OrErrno;
  write(fd: number, buf: View, offset?: number, length?: number): OrErrno;
  recv(fd: number, buf: View, flags?: number, offset?: number, length?: number): OrErrno;
  send(fd: number, buf: View, flags?: number, offset?: number, length?: number): OrErrno;
  recvfrom(fd: number, buf: View, flags: number, offset?: number, length?: number): RecvfromResult | OrErrno;
  sendto(fd: number, buf: View, flags: number, addr: Sockaddr | null, offset?: number, length?: number): OrErrno;
}>();

/** What recvfrom returns: the byte count and who sent them. */
export interface RecvfromResult {
  /** Bytes received; 0 at end of stream; -1 when the call would block. */
  bytes: number;
  /** The sender, or `null` when the kernel reports none (a connected stream, or would-block). */
  address: SockaddrResult | null;
}

const WOULD_BLOCK: Readonly<RecvfromResult> = Object.freeze({ bytes: -1, address: null });

// The native side reads a missing argument without a napi call, so the
// wrappers pass offset and length only when the caller gave them.

/**
 * Reads up to `length` bytes into `buf` at `offset`. Returns the count, 0 at
 * end of file (the peer closed or shut down its writing side), or -1 when a
 * non-blocking fd has nothing to read. Corresponds to read(2).
 * @see https://man7.org/linux/man-pages/man2/read.2.html
 * @throws {SocketError} EBADF, ECONNRESET, ENOTCONN, EINVAL, EIO
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function read(fd: number, buf: View, offset?: number, length?: number): number {
  const r = offset === undefined && length === undefined ? n.read(fd, buf) : n.read(fd, buf, offset, length);
  return checkWouldBlock(r, 'read');
}

/**
 * Writes up to `length` bytes of `buf` from `offset`. Returns the count,
 * which may be short on a non-blocking socket, or -1 when the send buffer is
 * full. After the peer has closed, a write usually succeeds once (the peer's
 * kernel answers it with a reset); later ones fail with EPIPE or ECONNRESET
 * (Node ignores SIGPIPE, so no signal kills the process). Corresponds to
 * write(2).
 * @see https://man7.org/linux/man-pages/man2/write.2.html
 * @throws {SocketError} EPIPE, ECONNRESET, EBADF, ENOTCONN, EDESTADDRREQ
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function write(fd: number, buf: View, offset?: number, length?: number): number {
  const r = offset === undefined && length === undefined ? n.write(fd, buf) : n.write(fd, buf, offset, length);
  return checkWouldBlock(r, 'write');
}

/**
 * Receives into `buf` from a connected socket, as read does but with
 * `flags` (MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC, MSG_OOB ...).
 * Returns the count, 0 at end of stream, or -1 when it would block.
 * Corresponds to recv(2).
 * @see https://man7.org/linux/man-pages/man2/recv.2.html
 * @throws {SocketError} ECONNRESET, ENOTCONN, ECONNREFUSED, EBADF, ENOTSOCK, EINVAL
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function recv(fd: number, buf: View, flags = 0, offset?: number, length?: number): number {
  const r =
    offset === undefined && length === undefined ? n.recv(fd, buf, flags) : n.recv(fd, buf, flags, offset, length);
  return checkWouldBlock(r, 'recv');
}

/**
 * Sends `buf` on a connected socket, as write does but with `flags`
 * (MSG_NOSIGNAL, MSG_MORE, MSG_DONTWAIT, MSG_OOB ...). Returns the count or
 * -1 when it would block. Corresponds to send(2).
 * @see https://man7.org/linux/man-pages/man2/send.2.html
 * @throws {SocketError} EPIPE, ECONNRESET, ENOTCONN, EMSGSIZE, EBADF, ENOTSOCK
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function send(fd: number, buf: View, flags = 0, offset?: number, length?: number): number {
  const r =
    offset === undefined && length === undefined ? n.send(fd, buf, flags) : n.send(fd, buf, flags, offset, length);
  return checkWouldBlock(r, 'send');
}

/**
 * Receives one message (a datagram keeps its boundary) and says who sent
 * it. Returns `{ bytes, address }`; `{ bytes: -1, address: null }` when it
 * would block. A datagram longer than `buf` is cut short (MSG_TRUNC in
 * `flags` makes `bytes` its real length). Corresponds to recvfrom(2).
 * @see https://man7.org/linux/man-pages/man2/recvfrom.2.html
 * @throws {SocketError} ECONNREFUSED (an earlier datagram got ICMP port unreachable), EBADF, ENOTSOCK
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function recvfrom(fd: number, buf: View, flags = 0, offset?: number, length?: number): RecvfromResult {
  const r = n.recvfrom(fd, buf, flags, offset, length);
  if (typeof r !== 'number') return r;
  checkWouldBlock(r, 'recvfrom'); // throws unless it is EAGAIN
  return WOULD_BLOCK;
}

/**
 * Sends one message to `addr` (or, with `addr` null, on a connected
 * socket). Returns the count or -1 when it would block.
 * Corresponds to sendto(2).
 * @see https://man7.org/linux/man-pages/man2/sendto.2.html
 * @throws {SocketError} EMSGSIZE, EACCES (broadcast without SO_BROADCAST), ENETUNREACH, EDESTADDRREQ, EISCONN
 * @throws {RangeError} when offset or offset + length is past the end of `buf`.
 */
export function sendto(
  fd: number,
  buf: View,
  flags: number,
  addr: Sockaddr | null,
  offset?: number,
  length?: number,
): number {
  return checkWouldBlock(n.sendto(fd, buf, flags, addr, offset, length), 'sendto');
}
