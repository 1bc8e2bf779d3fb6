// Scatter/gather and message I/O: readv, writev, sendmsg, recvmsg. The
// ancillary data they carry is typed in ./cmsg.ts; the batched calls
// (recvmmsg, sendmmsg) and interface names are in ./mmsg.ts. All three are
// exported from here.
//
// As in ./io.ts, would-block is a return value (-1, or `bytes: -1`), never
// an exception. Every list of buffers is checked whole before the call:
// each entry must be an ArrayBufferView that is not detached, and a list
// holds at most IOV_MAX (1024) of them.
import type { Sockaddr, SockaddrResult } from './address.js';
import type { ControlMessage, ControlMessageOut } from './cmsg.js';
import { checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

export * from './cmsg.js';
export * from './mmsg.js';

type View = ArrayBufferView;

const n = nativeModule<{
  readv(fd: number, bufs: readonly View[]): OrErrno;
  writev(fd: number, bufs: readonly View[]): OrErrno;
  sendmsg(fd: number, msg: MsgOut, flags: number): OrErrno;
  recvmsg(fd: number, buffers: readonly View[], options: RecvmsgOptions | undefined, flags: number): RecvmsgResult | OrErrno;
}>();

/** What sendmsg sends: struct msghdr's fields, named for what they hold. */
export interface MsgOut {
  /** The data, gathered from these buffers in order (msg_iov). At most IOV_MAX. */
  buffers: readonly View[];
  /** The destination (msg_name); omit on a connected socket. */
  address?: Sockaddr | null;
  /** Ancillary data (msg_control): see scmRights, scmCredentials, ipPktinfo, ipv6Pktinfo. */
  control?: readonly ControlMessageOut[] | null;
}

/** Options of recvmsg. */
export interface RecvmsgOptions {
  /**
   * Bytes of room for ancillary data (msg_controllen), 0 by default: size it
   * with CMSG_SPACE, e.g. `CMSG_SPACE(4 * 8)` for up to 8 fds. Too small a
   * room never overruns: the kernel cuts the control data short and sets
   * MSG_CTRUNC in `flags`. At most 1 MiB.
   */
  controlLength?: number;
}

/** What recvmsg returns. */
export interface RecvmsgResult {
  /**
   * Bytes received (0 at end of stream, -1 when it would block). With
   * MSG_TRUNC in the call's flags, a datagram's real length even when the
   * buffers were shorter.
   */
  bytes: number;
  /** msg_flags: MSG_TRUNC (datagram cut short), MSG_CTRUNC (control data cut short), MSG_EOR, MSG_OOB, MSG_ERRQUEUE. */
  flags: number;
  /** The sender, or `null` when the kernel reports none (a connected stream). */
  address: SockaddrResult | null;
  /** The control messages received, decoded where their type is known. */
  control: ControlMessage[];
  /**
   * Every fd received with SCM_RIGHTS in this message, in order (the same
   * numbers as in `control`). They are open in this process now and the
   * caller owns them: close each one. When the control buffer was too small
   * the kernel installed only those that fit (closing the rest itself) and
   * set MSG_CTRUNC (as it does when this process is out of fds: EMFILE is
   * not an error here); every fd it did install is listed here.
   */
  fds: number[];
}

const WOULD_BLOCK: Readonly<RecvmsgResult> = Object.freeze({
  bytes: -1,
  flags: 0,
  address: null,
  control: Object.freeze([]) as unknown as ControlMessage[],
  fds: Object.freeze([]) as unknown as number[],
});

/**
 * Reads into several buffers with one call, filling each in turn (scatter).
 * Returns the total count, 0 at end of file, or -1 when a non-blocking fd
 * has nothing to read. Corresponds to readv(2).
 * @see https://man7.org/linux/man-pages/man2/readv.2.html
 * @throws {SocketError} EBADF, EINVAL (total length overflows ssize_t), ECONNRESET, EIO
 * @throws {TypeError} when `bufs` is not an array or an entry is not a live ArrayBufferView.
 * @throws {RangeError} when `bufs` has more than IOV_MAX entries.
 */
export function readv(fd: number, bufs: readonly View[]): number {
  return checkWouldBlock(n.readv(fd, bufs), 'readv');
}

/**
 * Writes several buffers with one call, in order (gather). Returns the
 * count, which may be short on a non-blocking socket, or -1 when it would
 * block. Corresponds to writev(2).
 * @see https://man7.org/linux/man-pages/man2/writev.2.html
 * @throws {SocketError} EPIPE, ECONNRESET, EBADF, EINVAL
 * @throws {TypeError} when `bufs` is not an array or an entry is not a live ArrayBufferView.
 * @throws {RangeError} when `bufs` has more than IOV_MAX entries.
 */
export function writev(fd: number, bufs: readonly View[]): number {
  return checkWouldBlock(n.writev(fd, bufs), 'writev');
}

/**
 * Sends one message gathered from `msg.buffers`, to `msg.address` (or on a
 * connected socket), with optional ancillary data: pass fds with
 * `scmRights([fd])` over a UNIX socket, credentials with `scmCredentials()`,
 * choose a datagram's source with `ipPktinfo`/`ipv6Pktinfo`. `flags` as for
 * send (MSG_NOSIGNAL, MSG_DONTWAIT, MSG_MORE, MSG_EOR ...). Returns the
 * count or -1 when it would block. Corresponds to sendmsg(2); control
 * messages are laid out as cmsg(3) describes.
 * @see https://man7.org/linux/man-pages/man2/sendmsg.2.html
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 * @throws {SocketError} EPIPE, EMSGSIZE, EBADF (an fd in SCM_RIGHTS is not open), EPERM (credentials not one's own),
 *   EINVAL (bad control message, too many fds), ENOBUFS (control data over net.core.optmem_max), EDESTADDRREQ, EISCONN
 * @throws {TypeError} for a malformed message, buffer or control entry (named in the message).
 * @throws {RangeError} for more than IOV_MAX buffers or over 1 MiB of control data.
 */
export function sendmsg(fd: number, msg: MsgOut, flags = 0): number {
  return checkWouldBlock(n.sendmsg(fd, msg, flags), 'sendmsg');
}

/**
 * Receives one message, scattered into `buffers`, with its sender and its
 * ancillary data (room for which is `options.controlLength`). `flags` as
 * for recv (MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_TRUNC, MSG_OOB,
 * MSG_ERRQUEUE, and MSG_CMSG_CLOEXEC to set close-on-exec on received fds).
 * Returns {@link RecvmsgResult}; `bytes` is -1 when it would block.
 * Received fds are always handed back in `fds` (never dropped); close
 * them. Corresponds to recvmsg(2); control data is walked as cmsg(3)
 * describes (CMSG_FIRSTHDR/CMSG_NXTHDR), never past what the kernel filled.
 * @see https://man7.org/linux/man-pages/man2/recvmsg.2.html
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 * @see https://man7.org/linux/man-pages/man7/unix.7.html
 * @throws {SocketError} ECONNRESET, ENOTCONN, ECONNREFUSED, EBADF, ENOTSOCK, EINVAL (MSG_OOB with no urgent data)
 * @throws {TypeError} when `buffers` is not an array of live ArrayBufferViews.
 * @throws {RangeError} for more than IOV_MAX buffers or a controlLength over 1 MiB.
 */
export function recvmsg(fd: number, buffers: readonly View[], options?: RecvmsgOptions, flags = 0): RecvmsgResult {
  const r = n.recvmsg(fd, buffers, options, flags);
  if (typeof r !== 'number') return r;
  checkWouldBlock(r, 'recvmsg'); // throws unless it is EAGAIN
  return WOULD_BLOCK;
}
