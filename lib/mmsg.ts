// Batched datagrams, recvmmsg and sendmmsg: many messages per system call,
// into and out of buffers the caller owns. Nothing is allocated per
// datagram: lengths and flags land in the caller's typed arrays.
import type { Sockaddr, SockaddrResult } from './address.js';
import { checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

type View = ArrayBufferView;
/** A preallocated array of 32-bit words the native side reads or fills. */
export type LengthArray = Uint32Array | Int32Array;

const n = nativeModule<{
  recvmmsg(
    fd: number,
    bufs: readonly View[],
    lengths: LengthArray,
    flags: number,
    msgFlags: LengthArray | null | undefined,
    addresses: Array<SockaddrResult | null> | null | undefined,
  ): OrErrno;
  sendmmsg(
    fd: number,
    bufs: readonly View[],
    lengths: LengthArray | null | undefined,
    flags: number,
    addresses: Sockaddr | ReadonlyArray<Sockaddr | null> | null | undefined,
  ): OrErrno;
}>();

/**
 * Receives up to `bufs.length` datagrams with one call, message i into
 * `bufs[i]` (one datagram per buffer; a longer one is cut short and flagged
 * MSG_TRUNC). Returns how many arrived (the first `count` entries are
 * filled), or -1 when none was waiting on a non-blocking socket. For each
 * received message i:
 * - `lengths[i]` gets its length (msg_len; with MSG_TRUNC in `flags`, the
 *   real length even when longer than the buffer);
 * - `msgFlags[i]`, when given, gets its msg_flags (MSG_TRUNC ...);
 * - `addresses[i]`, when an array is given, gets its sender (this allocates
 *   one object per message: leave it out in a hot loop that needs no
 *   addresses). It is filled after the datagrams have been taken off the
 *   socket, so a setter of your own on that array that throws loses them.
 *
 * `flags`: MSG_DONTWAIT, MSG_WAITFORONE (block for the first message only),
 * MSG_PEEK, MSG_TRUNC ... No timeout is offered: recvmmsg(2)'s own is only
 * checked between datagrams (see BUGS there); use a non-blocking socket and
 * epoll instead. Corresponds to recvmmsg(2).
 * @see https://man7.org/linux/man-pages/man2/recvmmsg.2.html
 * @throws {SocketError} EBADF, ENOTSOCK, ECONNREFUSED, EINVAL
 * @throws {TypeError} when `bufs` is not an array of live ArrayBufferViews, or `lengths`/`msgFlags` is not a Uint32Array/Int32Array.
 * @throws {RangeError} when `bufs` has more than IOV_MAX (1024) entries, or `lengths`/`msgFlags` is shorter than `bufs`.
 */
export function recvmmsg(
  fd: number,
  bufs: readonly View[],
  lengths: LengthArray,
  flags = 0,
  msgFlags?: LengthArray | null,
  addresses?: Array<SockaddrResult | null> | null,
): number {
  return checkWouldBlock(n.recvmmsg(fd, bufs, lengths, flags, msgFlags, addresses), 'recvmmsg');
}

/**
 * Sends `bufs.length` datagrams with one call, message i from `bufs[i]`:
 * all of it, or its first `lengths[i]` bytes when `lengths` is given (so a
 * set of preallocated buffers can be reused for datagrams of any size).
 * `addresses` is one destination for every message, or an array with one
 * per message (null: the connected peer); omit it on a connected socket.
 * Returns how many messages were sent (fewer than asked when the send
 * buffer filled up; send the rest later), or -1 when not even the first
 * could be sent without blocking. An error on a later message is not
 * reported: the count stops before it. Corresponds to sendmmsg(2).
 * @see https://man7.org/linux/man-pages/man2/sendmmsg.2.html
 * @throws {SocketError} EMSGSIZE, EDESTADDRREQ, ECONNREFUSED, ENETUNREACH, EACCES, EBADF, ENOTSOCK
 * @throws {TypeError} for a malformed buffer, lengths array or address.
 * @throws {RangeError} when `bufs` has more than IOV_MAX (1024) entries, `lengths`/`addresses` is shorter than `bufs`,
 *   or `lengths[i]` exceeds `bufs[i]`.
 */
export function sendmmsg(
  fd: number,
  bufs: readonly View[],
  lengths?: LengthArray | null,
  flags = 0,
  addresses?: Sockaddr | ReadonlyArray<Sockaddr | null> | null,
): number {
  return checkWouldBlock(n.sendmmsg(fd, bufs, lengths, flags, addresses), 'sendmmsg');
}
