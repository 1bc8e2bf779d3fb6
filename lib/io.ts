// Plain I/O on sockets and other fds: read, write, recv, send, recvfrom,
// sendto, with C's arguments in C's places.
//
// `write(fd, buf, count)` means what it means in C. The count (C's `count`
// or `len`, in bytes) may be left out, and then is the rest of the buffer
// (in C a buffer does not know its length; here it does). What C writes as
// `buf + off` is the last argument, `offset`, so a loop needs no subarray:
// `write(fd, buf, n - off, 0, off)` in C is `write(fd, buf + off, n - off)`.
// `buf` is any ArrayBufferView (Buffer, Uint8Array, DataView, any
// TypedArray); counts and offsets are in bytes.
//
// Would-block is a return value: on a non-blocking fd every function here
// returns -1 when the kernel says EAGAIN/EWOULDBLOCK, and throws only for a
// real error.
import type { Sockaddr, SockaddrResult } from './address.js';
import type { SockaddrOut, Socklen } from './cstruct.js';
import { checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

type View = ArrayBufferView;

const n = nativeModule<{
  read(fd: number, buf: View, count?: number, offset?: number): OrErrno;
  write(fd: number, buf: View, count?: number, offset?: number): OrErrno;
  recv(fd: number, buf: View, len?: number, flags?: number, offset?: number): OrErrno;
  send(fd: number, buf: View, len?: number, flags?: number, offset?: number): OrErrno;
  recvfrom(
    fd: number,
    buf: View,
    len?: number,
    flags?: number,
    src_addr?: SockaddrOut | null,
    addrlen?: Socklen | null,
    offset?: number,
  ): RecvfromResult | OrErrno;
  sendto(
    fd: number,
    buf: View,
    len: number | undefined,
    flags: number,
    dest_addr: Sockaddr | null,
    addrlen?: number,
    offset?: number,
  ): OrErrno;
}>();

/** What recvfrom returns when no `src_addr` is given: the byte count and who sent them. */
export interface RecvfromResult {
  /** Bytes received; 0 at end of stream; -1 when the call would block. */
  bytes: number;
  /** The sender, or `null` when the kernel reports none (a connected stream, or would-block). */
  address: SockaddrResult | null;
}

const WOULD_BLOCK: Readonly<RecvfromResult> = Object.freeze({ bytes: -1, address: null });

// The native side reads a missing argument without a napi call, but an
// `undefined` passed costs one (napi_typeof), so the wrappers pass only the
// arguments the caller gave: the hot read(fd, buf) and recv(fd, buf) make
// exactly one napi call for each argument there is.

/**
 * Reads up to `count` bytes (the rest of `buf` when left out) into `buf` at
 * byte `offset`. Returns the count, 0 at end of file (the peer closed or shut
 * down its writing side), or -1 when a non-blocking fd has nothing to read.
 * Corresponds to read(2); `offset` stands for C's `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/read.2.html
 * @throws {SocketError} EBADF, ECONNRESET, ENOTCONN, EINVAL, EIO
 * @throws {RangeError} when offset, or offset + count, is past the end of `buf`.
 */
export function read(fd: number, buf: View, count?: number, offset?: number): number {
  const r =
    count === undefined && offset === undefined
      ? n.read(fd, buf)
      : offset === undefined
        ? n.read(fd, buf, count)
        : n.read(fd, buf, count, offset);
  return checkWouldBlock(r, 'read');
}

/**
 * Writes up to `count` bytes of `buf` (the rest of it when left out) from
 * byte `offset`. Returns the count, which may be short on a non-blocking
 * socket, or -1 when the send buffer is full. After the peer has closed, a
 * write usually succeeds once (the peer's kernel answers it with a reset);
 * later ones fail with EPIPE or ECONNRESET. On a socket, EPIPE also raises
 * SIGPIPE, whose default action ends the process: see "SIGPIPE" in
 * docs/sockets.md for when Node ignores it; `send` with MSG_NOSIGNAL never
 * raises it. Corresponds to write(2); `offset` stands for C's `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/write.2.html
 * @throws {SocketError} EPIPE, ECONNRESET, EBADF, ENOTCONN, EDESTADDRREQ
 * @throws {RangeError} when offset, or offset + count, is past the end of `buf`.
 */
export function write(fd: number, buf: View, count?: number, offset?: number): number {
  const r =
    count === undefined && offset === undefined
      ? n.write(fd, buf)
      : offset === undefined
        ? n.write(fd, buf, count)
        : n.write(fd, buf, count, offset);
  return checkWouldBlock(r, 'write');
}

/**
 * Receives up to `len` bytes (the rest of `buf` when left out or undefined)
 * from a connected socket, as read does but with `flags` (MSG_PEEK,
 * MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC, MSG_OOB ...). Returns the count, 0 at
 * end of stream, or -1 when it would block. Corresponds to recv(2); `offset`
 * stands for C's `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/recv.2.html
 * @throws {SocketError} ECONNRESET, ENOTCONN, ECONNREFUSED, EBADF, ENOTSOCK, EINVAL
 * @throws {RangeError} when offset, or offset + len, is past the end of `buf`.
 */
export function recv(fd: number, buf: View, len?: number, flags = 0, offset?: number): number {
  const r =
    offset !== undefined
      ? n.recv(fd, buf, len, flags, offset)
      : flags !== 0
        ? n.recv(fd, buf, len, flags)
        : len !== undefined
          ? n.recv(fd, buf, len)
          : n.recv(fd, buf);
  return checkWouldBlock(r, 'recv');
}

/**
 * Sends up to `len` bytes of `buf` (the rest of it when left out or
 * undefined) on a connected socket, as write does but with `flags`
 * (MSG_NOSIGNAL, MSG_MORE, MSG_DONTWAIT, MSG_OOB ...). Returns the count or
 * -1 when it would block. Corresponds to send(2); `offset` stands for C's
 * `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/send.2.html
 * @throws {SocketError} EPIPE, ECONNRESET, ENOTCONN, EMSGSIZE, EBADF, ENOTSOCK
 * @throws {RangeError} when offset, or offset + len, is past the end of `buf`.
 */
export function send(fd: number, buf: View, len?: number, flags = 0, offset?: number): number {
  const r =
    offset !== undefined
      ? n.send(fd, buf, len, flags, offset)
      : flags !== 0
        ? n.send(fd, buf, len, flags)
        : len !== undefined
          ? n.send(fd, buf, len)
          : n.send(fd, buf);
  return checkWouldBlock(r, 'send');
}

/**
 * Receives one message (a datagram keeps its boundary) and says who sent it,
 * in either of two forms:
 * - C's: `recvfrom(fd, buf, len, flags, src_addr, addrlen)` with `src_addr`
 *   an object (filled with the sender's address, both as `{ family, address,
 *   port }` and as C's `sin_family`/`sin_port`/`sin_addr`) or null, and
 *   `addrlen` a `{ value }` (in: the room, as C's `socklen_t`; out: the
 *   address's real length) or null. Returns the byte count, or -1 when it
 *   would block.
 * - With `src_addr` left out: returns `{ bytes, address }`, and
 *   `{ bytes: -1, address: null }` when it would block.
 * A datagram longer than `len` is cut short (MSG_TRUNC in `flags` makes the
 * count its real length). Corresponds to recvfrom(2); `offset` stands for
 * C's `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/recvfrom.2.html
 * @throws {SocketError} ECONNREFUSED (an earlier datagram got ICMP port unreachable), EBADF, ENOTSOCK
 * @throws {RangeError} when offset, or offset + len, is past the end of `buf`.
 */
export function recvfrom(fd: number, buf: View, len?: number, flags?: number): RecvfromResult;
export function recvfrom(
  fd: number,
  buf: View,
  len: number | undefined,
  flags: number,
  src_addr: SockaddrOut | null,
  addrlen: Socklen | null,
  offset?: number,
): number;
export function recvfrom(
  fd: number,
  buf: View,
  len: number | undefined,
  flags: number,
  src_addr: undefined,
  addrlen: undefined,
  offset: number,
): RecvfromResult;
export function recvfrom(
  fd: number,
  buf: View,
  len?: number,
  flags = 0,
  src_addr?: SockaddrOut | null,
  addrlen?: Socklen | null,
  offset?: number,
): RecvfromResult | number {
  // Only the arguments given: an undefined one costs the native side a
  // napi call, and a UDP server calls this once per datagram.
  const r =
    offset !== undefined
      ? n.recvfrom(fd, buf, len, flags, src_addr, addrlen, offset)
      : src_addr !== undefined
        ? n.recvfrom(fd, buf, len, flags, src_addr, addrlen)
        : flags !== 0
          ? n.recvfrom(fd, buf, len, flags)
          : len !== undefined
            ? n.recvfrom(fd, buf, len)
            : n.recvfrom(fd, buf);
  if (typeof r !== 'number') return r;
  const bytes = checkWouldBlock(r, 'recvfrom'); // throws unless it is EAGAIN
  return src_addr === undefined ? WOULD_BLOCK : bytes;
}

/**
 * Sends one message of up to `len` bytes (the rest of `buf` when undefined)
 * to `dest_addr` (or, with `dest_addr` null, on a connected socket). C's
 * `addrlen` may follow: the length the kernel sees, at most the whole C
 * struct of the address's family (left out, the address's own length).
 * Returns the count or -1 when it would block. Corresponds to sendto(2);
 * `offset` stands for C's `buf + offset`.
 * @see https://man7.org/linux/man-pages/man2/sendto.2.html
 * @throws {SocketError} EMSGSIZE, EACCES (broadcast without SO_BROADCAST), ENETUNREACH, EDESTADDRREQ, EISCONN, EAFNOSUPPORT
 * @throws {RangeError} when offset, or offset + len, is past the end of `buf`, or addrlen past the struct.
 */
export function sendto(
  fd: number,
  buf: View,
  len: number | undefined,
  flags: number,
  dest_addr: Sockaddr | null,
  addrlen?: number | null,
  offset?: number,
): number {
  const r =
    offset !== undefined
      ? n.sendto(fd, buf, len, flags, dest_addr, addrlen ?? undefined, offset)
      : addrlen !== undefined && addrlen !== null
        ? n.sendto(fd, buf, len, flags, dest_addr, addrlen)
        : n.sendto(fd, buf, len, flags, dest_addr);
  return checkWouldBlock(r, 'sendto');
}
