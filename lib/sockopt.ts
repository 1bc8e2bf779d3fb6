// Socket options: getsockopt(2) and setsockopt(2) with C's levels and option
// names, each option's value typed after its C type, and the ioctl(2)
// requests that tell how many bytes sit in a socket's queues.
//
// The typed form knows the options in the README's tables (and returned
// by socketOptions()). Any other option is one call away through the raw
// form: a Buffer value for setsockopt, getsockoptBuffer to read.
//
// Types: each option constant of the table has a branded type
// (`Opt<'SO_KEEPALIVE'>`, generated into constants.ts from the table), so
// getsockopt's result and setsockopt's value are typed per option, and the
// level must be the option's own. A plain number option (a variable, a
// literal, an option the table lacks) gets the untyped union.
//
// Value rule: an option that C treats as a flag (SO_REUSEADDR, TCP_NODELAY,
// IP_PKTINFO...) reads as a boolean and is set with true/false or 0/1;
// every other int option reads and is set as a number.
import {
  SO_LINGER,
  SO_PEERCRED,
  SO_RCVTIMEO,
  SO_SNDTIMEO,
  SOL_SOCKET,
  IPPROTO_TCP,
  TCP_INFO,
} from './constants.js';
import { check, checkSlot, checkValue, errnoSlot } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

import type {
  GetsockoptValue,
  LevelOf,
  Linger,
  Readable,
  SetsockoptValue,
  SockoptInput,
  SockoptValue,
  TcpInfo,
  Timeval,
  Ucred,
} from './sockopt-types.js';
/** One entry of the typed table: see {@link socketOptions}. */
export interface SocketOptionInfo {
  level: number;
  optname: number;
  /** The C name, such as 'SO_LINGER'. */
  name: string;
  /** The C type: 'bool', 'int', 'uint', 'linger', 'timeval', 'ip_mreqn', 'ipv6_mreq', 'in_addr', 'string', 'ucred', 'uint64', 'tcp_info'. */
  kind: string;
  /** 'rw', 'r' (getsockopt only) or 'w' (setsockopt only). */
  access: 'rw' | 'r' | 'w';
}

const n = nativeModule<{
  getsockopt(fd: number, level: number, optname: number, err: Int32Array): SockoptValue | undefined;
  setsockopt(fd: number, level: number, optname: number, value: SockoptInput): OrErrno;
  getsockoptBuffer(fd: number, level: number, optname: number, maxlen: number): Buffer | OrErrno;
  ioctl(fd: number, request: number, arg: number | boolean | undefined, err: Int32Array): number | undefined;
  sockoptTable(): SocketOptionInfo[];
}>();


/**
 * Reads a socket option, decoded after its C type: a boolean for flag
 * options, a number for int options, an object for struct options
 * (SO_LINGER, SO_RCVTIMEO, SO_PEERCRED, TCP_INFO), a string for
 * SO_BINDTODEVICE, TCP_CONGESTION and IP_MULTICAST_IF, a bigint for
 * SO_COOKIE. `getsockopt(fd, SOL_SOCKET, SO_ERROR)` reads (and clears) the
 * socket's pending error: after a non-blocking connect turns writable it is
 * 0 on success, or the errno number, such as ECONNREFUSED.
 *
 * Typed per option: with an option constant of the table the result has the
 * option's type (`getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)` is a boolean)
 * and `level` must be the option's own; with a plain number it is the union
 * {@link SockoptValue}.
 * Corresponds to getsockopt(2); the options are in socket(7), tcp(7), ip(7)
 * and ipv6(7).
 * @see https://man7.org/linux/man-pages/man2/getsockopt.2.html
 * @throws {SocketError} EBADF, ENOTSOCK, ENOPROTOOPT (this socket's protocol
 *   lacks the option), EINVAL, ENOTCONN (IP_MTU, IPV6_MTU on an unconnected socket)
 * @throws {TypeError} for an option the typed table does not know (use
 *   {@link getsockoptBuffer}) or one that can only be set.
 */
export function getsockopt<O extends number>(
  fd: number,
  level: LevelOf<O>,
  optname: O & Readable<O>,
): GetsockoptValue<O> {
  return checkSlot(n.getsockopt(fd, level, optname, errnoSlot), 'getsockopt') as GetsockoptValue<O>;
}

/**
 * Sets a socket option. `value` follows the option's C type (see
 * {@link getsockopt} and the README's tables): true/false or 0/1 for flags, a
 * number for ints, `{ onoff, linger }` for SO_LINGER, `{ sec, usec }` or
 * milliseconds for SO_RCVTIMEO/SO_SNDTIMEO, `{ multiaddr, address?, ifindex? }`
 * for IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP, `{ multiaddr, ifindex? }` for
 * IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP, a string for SO_BINDTODEVICE ('' unbinds),
 * TCP_CONGESTION and IP_MULTICAST_IF. Every field is checked before the
 * system call.
 *
 * Typed per option: with an option constant of the table, `value` must be
 * of the option's type (or raw bytes) and `level` the option's own; with a
 * plain number, any {@link SockoptInput}.
 *
 * Raw form: an ArrayBufferView `value` is passed as its bytes, to any
 * (level, optname), known to the table or not.
 * Corresponds to setsockopt(2).
 * @see https://man7.org/linux/man-pages/man2/setsockopt.2.html
 * @throws {SocketError} EBADF, ENOTSOCK, ENOPROTOOPT, EINVAL (a value the
 *   kernel refuses), EPERM (SO_MARK, IP_TRANSPARENT, SO_RCVBUFFORCE... without
 *   CAP_NET_ADMIN), ENODEV (SO_BINDTODEVICE to no such interface), ENOENT
 *   (TCP_CONGESTION naming no available algorithm), EADDRINUSE
 * @throws {TypeError} for an option the typed table does not know (pass a
 *   Buffer), a read-only option, or a value of the wrong type.
 * @throws {RangeError} for a value or field out of range.
 */
export function setsockopt<O extends number>(
  fd: number,
  level: LevelOf<O>,
  optname: O,
  value: SetsockoptValue<O>,
): void {
  check(n.setsockopt(fd, level, optname, value as SockoptInput), 'setsockopt');
}

/**
 * Reads any socket option as raw bytes: getsockopt(2) with a buffer of
 * `maxlen` bytes (0..65536). Returns a Buffer of the length the kernel
 * returned, which may be shorter than `maxlen`.
 * @see https://man7.org/linux/man-pages/man2/getsockopt.2.html
 * @throws {SocketError} EBADF, ENOTSOCK, ENOPROTOOPT, EINVAL (maxlen too small for the option)
 * @throws {RangeError} when maxlen is outside 0..65536.
 */
export function getsockoptBuffer(fd: number, level: number, optname: number, maxlen: number): Buffer {
  return checkValue(n.getsockoptBuffer(fd, level, optname, maxlen), 'getsockopt');
}

/**
 * Reads an int or flag option as a number (a flag reads 0 or 1): the C
 * habit of `int v; getsockopt(fd, level, opt, &v, &len)`, typed `number`.
 * @see https://man7.org/linux/man-pages/man2/getsockopt.2.html
 * @throws {SocketError} as {@link getsockopt}.
 * @throws {TypeError} when the option's value is not an int.
 */
export function getsockoptInt(fd: number, level: number, optname: number): number {
  const v = getsockopt(fd, level, optname);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TypeError(`Option ${optname} at level ${level} is not an int option; use getsockopt`);
}

/**
 * SO_LINGER, typed: `{ onoff, linger }`. getsockopt(2), socket(7).
 * @see https://man7.org/linux/man-pages/man7/socket.7.html
 * @throws {SocketError} EBADF, ENOTSOCK
 */
export function getLinger(fd: number): Linger {
  return getsockopt(fd, SOL_SOCKET, SO_LINGER);
}

/**
 * SO_RCVTIMEO or SO_SNDTIMEO, typed: `{ sec, usec }` (0 and 0: no timeout).
 * getsockopt(2), socket(7).
 * @see https://man7.org/linux/man-pages/man7/socket.7.html
 * @throws {SocketError} EBADF, ENOTSOCK
 * @throws {TypeError} when optname is neither SO_RCVTIMEO nor SO_SNDTIMEO.
 */
export function getTimeout(fd: number, optname: number): Timeval {
  if (optname !== SO_RCVTIMEO && optname !== SO_SNDTIMEO) {
    throw new TypeError(`Expected argument 'optname' to be SO_RCVTIMEO or SO_SNDTIMEO, got ${optname}`);
  }
  return getsockopt(fd, SOL_SOCKET, optname) as Timeval;
}

/**
 * SO_PEERCRED, typed: the credentials of the process at the other end of a
 * unix(7) socket. getsockopt(2), socket(7), unix(7). On a socket with no
 * peer (unconnected, or not AF_UNIX) the kernel reports no error but
 * `{ pid: 0, uid: 4294967295, gid: 4294967295 }`.
 * @see https://man7.org/linux/man-pages/man7/unix.7.html
 * @throws {SocketError} EBADF, ENOTSOCK
 */
export function getPeerCred(fd: number): Ucred {
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED);
}

/**
 * TCP_INFO, typed: the kernel's view of a TCP connection (state, rtt,
 * congestion window, retransmissions, bytes acked...). getsockopt(2), tcp(7).
 * @see https://man7.org/linux/man-pages/man7/tcp.7.html
 * @throws {SocketError} EBADF, ENOTSOCK, EOPNOTSUPP (not a TCP socket)
 */
export function getTcpInfo(fd: number): TcpInfo {
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO);
}

/**
 * ioctl(2) for the socket requests that answer with an int:
 * - FIONREAD (= SIOCINQ): bytes waiting to be read; for UDP, the size of
 *   the next datagram;
 * - SIOCOUTQ: bytes in the send queue not yet acknowledged by the peer (TCP);
 * - SIOCOUTQNSD: bytes in the send queue not yet sent (TCP);
 * - FIONBIO with `arg` true/false (or 1/0): sets or clears O_NONBLOCK; returns 0.
 *
 * The count is returned whatever its sign: FIONREAD on a regular file whose
 * offset is past its end answers the negative i_size - offset, as in C.
 * @see https://man7.org/linux/man-pages/man2/ioctl.2.html
 * @see https://man7.org/linux/man-pages/man7/tcp.7.html (SIOCINQ, SIOCOUTQ)
 * @throws {SocketError} EBADF, ENOTTY (request not for this fd), EINVAL
 *   (SIOCINQ on a listening socket)
 * @throws {TypeError} for any other request.
 */
export function ioctl(fd: number, request: number, arg?: boolean | number): number {
  return checkSlot(n.ioctl(fd, request, arg, errnoSlot), 'ioctl');
}

/**
 * The options the typed form knows on this build, sorted by level and C
 * name, with each one's C type and access. Not a system call: the table
 * that the README's option tables and socket(7), tcp(7), ip(7), ipv6(7)
 * describe.
 * @see https://man7.org/linux/man-pages/man7/socket.7.html
 */
export function socketOptions(): readonly SocketOptionInfo[] {
  return n.sockoptTable();
}
