// Sockets: creating, naming, connecting and ending them. Each function is
// one system call with C's name and argument order.
import type { Sockaddr, SockaddrResult } from './address.js';
import type { SockaddrOut, Socklen } from './cstruct.js';
import { SOMAXCONN } from './constants.js';
import { check, checkInProgress, checkValue, checkWouldBlock } from './check.js';
import { nativeModule, type OrErrno } from './native.js';

const n = nativeModule<{
  socket(domain: number, type: number, protocol: number): OrErrno;
  socketpair(domain: number, type: number, protocol: number): [number, number] | OrErrno;
  bind(fd: number, addr: Sockaddr, addrlen?: number): OrErrno;
  listen(fd: number, backlog: number): OrErrno;
  accept(fd: number, addr?: SockaddrOut | null, addrlen?: Socklen | null, flags?: number): OrErrno;
  connect(fd: number, addr: Sockaddr, addrlen?: number): OrErrno;
  shutdown(fd: number, how: number): OrErrno;
  getsockname(fd: number, addr?: SockaddrOut, addrlen?: Socklen | null): SockaddrResult | OrErrno;
  getpeername(fd: number, addr?: SockaddrOut, addrlen?: Socklen | null): SockaddrResult | OrErrno;
}>();

/**
 * Creates an endpoint for communication and returns its file descriptor.
 * `type` may OR in SOCK_NONBLOCK and SOCK_CLOEXEC. Corresponds to socket(2).
 * @see https://man7.org/linux/man-pages/man2/socket.2.html
 * @throws {SocketError} EAFNOSUPPORT, EPROTONOSUPPORT, EINVAL, EMFILE, ENFILE, EACCES
 */
export function socket(domain: number, type: number, protocol = 0): number {
  return check(n.socket(domain, type, protocol), 'socket');
}

/**
 * Creates a pair of connected sockets (AF_UNIX) and returns both fds.
 * Corresponds to socketpair(2).
 * @see https://man7.org/linux/man-pages/man2/socketpair.2.html
 * @throws {SocketError} EAFNOSUPPORT, EOPNOTSUPP, EPROTONOSUPPORT, EMFILE
 */
export function socketpair(domain: number, type: number, protocol = 0): [number, number] {
  return checkValue(n.socketpair(domain, type, protocol), 'socketpair');
}

/**
 * Assigns the address `addr` to the socket `fd`. Port 0 asks for an
 * ephemeral port, which getsockname then reveals. `addr` is an address
 * object, a C struct (`{ sin_family, sin_port: htons(7000), sin_addr }`) or
 * raw sockaddr bytes. C's `addrlen` may follow: the length the kernel sees,
 * at most the whole C struct of the family (a shorter one is the kernel's
 * EINVAL to give); left out, the encoded address's length.
 * Corresponds to bind(2).
 * @see https://man7.org/linux/man-pages/man2/bind.2.html
 * @throws {SocketError} EADDRINUSE, EADDRNOTAVAIL, EACCES, EINVAL (already bound, or addrlen too short), EAFNOSUPPORT, EBADF, ENOTSOCK
 */
export function bind(fd: number, addr: Sockaddr, addrlen?: number): void {
  check(addrlen === undefined ? n.bind(fd, addr) : n.bind(fd, addr, addrlen), 'bind');
}

/**
 * Marks `fd` as a passive socket that accepts connections; `backlog` bounds
 * the queue of completed connections (the kernel caps it at
 * net.core.somaxconn). Corresponds to listen(2).
 * @see https://man7.org/linux/man-pages/man2/listen.2.html
 * @throws {SocketError} EADDRINUSE, EBADF, ENOTSOCK, EOPNOTSUPP
 */
export function listen(fd: number, backlog: number = SOMAXCONN): void {
  check(n.listen(fd, backlog), 'listen');
}

/**
 * Takes the first connection off the queue of a listening socket and
 * returns its new fd. As in C, `addr` is null or an object the kernel fills
 * with the peer's address (both `{ family, address, port }` and C's
 * `sin_family`/`sin_port`/`sin_addr`, see {@link SockaddrOut}), and `addrlen`
 * null or a `{ value }` that comes back as the address's length. On a
 * blocking socket it waits, exactly as in C; on a non-blocking one it
 * returns **-1 when no connection is waiting** (EAGAIN), rather than
 * throwing. Corresponds to accept(2).
 * @see https://man7.org/linux/man-pages/man2/accept.2.html
 * @throws {SocketError} EBADF, EINVAL (not listening), EMFILE, ENFILE, ENOTSOCK, ECONNABORTED
 */
export function accept(fd: number, addr: SockaddrOut | null = null, addrlen: Socklen | null = null): number {
  return checkWouldBlock(addr === null ? n.accept(fd) : n.accept(fd, addr, addrlen), 'accept');
}

/**
 * accept with `flags` (SOCK_NONBLOCK | SOCK_CLOEXEC) set on the new fd in
 * the same call. Corresponds to accept4(2).
 * @see https://man7.org/linux/man-pages/man2/accept4.2.html
 * @throws {SocketError} EBADF, EINVAL (not listening, or bad flags), EMFILE, ENFILE, ENOTSOCK, ECONNABORTED
 */
export function accept4(fd: number, addr: SockaddrOut | null, addrlen: Socklen | null, flags: number): number {
  return checkWouldBlock(n.accept(fd, addr, addrlen, flags), 'accept4');
}

/**
 * Connects `fd` to `addr`. A blocking socket waits for the handshake and
 * returns 0. A non-blocking stream socket returns **-1 while the connection
 * is in progress** (EINPROGRESS): wait for it to turn writable (epoll_wait,
 * poll), then read the outcome with `getsockopt(fd, SOL_SOCKET, SO_ERROR)`.
 * An interrupted connect (EINTR) is carried on, never reported as done
 * before the kernel says so: a TCP handshake is waited for (within
 * SO_SNDTIMEO when set: -1 once it expires, C's EINPROGRESS for a blocking
 * connect that timed out), an AF_UNIX connect (which the kernel drops when
 * interrupted) is made again.
 * `{ family: AF_UNSPEC }` dissolves a datagram socket's association. C's
 * `addrlen` may follow, as for {@link bind}. Corresponds to connect(2).
 * @see https://man7.org/linux/man-pages/man2/connect.2.html
 * @throws {SocketError} ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EADDRNOTAVAIL, EISCONN, EALREADY, EAFNOSUPPORT, EBADF
 */
export function connect(fd: number, addr: Sockaddr, addrlen?: number): number {
  return checkInProgress(addrlen === undefined ? n.connect(fd, addr) : n.connect(fd, addr, addrlen), 'connect');
}

/**
 * Shuts down part of a full-duplex connection: SHUT_RD, SHUT_WR (the peer
 * reads EOF while it can still send back) or SHUT_RDWR. Unlike close, it
 * acts on the connection, whatever other fds refer to it.
 * Corresponds to shutdown(2).
 * @see https://man7.org/linux/man-pages/man2/shutdown.2.html
 * @throws {SocketError} ENOTCONN, EINVAL, EBADF, ENOTSOCK
 */
export function shutdown(fd: number, how: number): void {
  check(n.shutdown(fd, how), 'shutdown');
}

/**
 * Returns the address the socket is bound to (after bind to port 0, the port
 * the kernel chose). C's form, `getsockname(fd, addr, addrlen)`, fills `addr`
 * and `addrlen` as {@link accept} does (`addrlen.value` in: the room, out:
 * the address's real length) and returns 0, so that C's
 * `getsockname(fd, (struct sockaddr *)&me, &len)` translates word for word.
 * Corresponds to getsockname(2).
 * @see https://man7.org/linux/man-pages/man2/getsockname.2.html
 * @throws {SocketError} EBADF, ENOTSOCK
 */
export function getsockname(fd: number): SockaddrResult;
export function getsockname(fd: number, addr: SockaddrOut, addrlen: Socklen | null): 0;
export function getsockname(fd: number, addr?: SockaddrOut, addrlen: Socklen | null = null): SockaddrResult | 0 {
  if (addr === undefined) return checkValue(n.getsockname(fd), 'getsockname');
  check(n.getsockname(fd, addr, addrlen) as number, 'getsockname');
  return 0;
}

/**
 * Returns the address of the peer connected to the socket; C's form
 * `getpeername(fd, addr, addrlen)` fills them and returns 0, as
 * {@link getsockname}'s. Corresponds to getpeername(2).
 * @see https://man7.org/linux/man-pages/man2/getpeername.2.html
 * @throws {SocketError} ENOTCONN, EBADF, ENOTSOCK
 */
export function getpeername(fd: number): SockaddrResult;
export function getpeername(fd: number, addr: SockaddrOut, addrlen: Socklen | null): 0;
export function getpeername(fd: number, addr?: SockaddrOut, addrlen: Socklen | null = null): SockaddrResult | 0 {
  if (addr === undefined) return checkValue(n.getpeername(fd), 'getpeername');
  check(n.getpeername(fd, addr, addrlen) as number, 'getpeername');
  return 0;
}
