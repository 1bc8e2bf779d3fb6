// Addresses: the plain objects that stand for struct sockaddr_*, plus
// inet_pton/inet_ntop, the byte-order functions and interface names.
import { AF_INET, AF_INET6, AF_PACKET, AF_UNIX, AF_UNSPEC } from './constants.js';
import { checkValue } from './check.js';
import type { In6Addr, SockaddrIn6C, SockaddrInC, SockaddrUnC } from './cstruct.js';
import { nativeModule, type OrErrno } from './native.js';

/** struct sockaddr_in: an IPv4 address and port. See ip(7). */
export interface SockaddrIn {
  family: typeof AF_INET;
  /**
   * Dotted-quad text, such as `'127.0.0.1'`, or an in_addr_t in host byte
   * order like the port, such as `INADDR_ANY` or `INADDR_LOOPBACK` (C's own
   * `sin_addr.s_addr` is in network order: see {@link SockaddrInC}).
   * Absent is INADDR_ANY.
   */
  address?: string | number;
  /** 0..65535 in host byte order; 0 asks `bind` for an ephemeral port. */
  port: number;
}

/** struct sockaddr_in6: an IPv6 address, port, flow label and scope. See ipv6(7). */
export interface SockaddrIn6 {
  family: typeof AF_INET6;
  /**
   * Text form, such as `'::1'` (`'fe80::1%eth0'` names the scope by
   * interface), or an in6_addr: `in6addr_any`, `in6addr_loopback`, any
   * `{ s6_addr }` or its 16 bytes. Absent is in6addr_any.
   */
  address?: string | In6Addr | Uint8Array;
  port: number;
  flowinfo?: number;
  scopeid?: number;
}

/** struct sockaddr_un: a UNIX-domain socket address. See unix(7). */
export interface SockaddrUn {
  family: typeof AF_UNIX;
  /**
   * A filesystem path; a leading `'\0'` puts the name in the abstract
   * namespace (no file, every byte counts); `''` is an unnamed socket, and in
   * `bind` asks the kernel to pick an abstract name (autobind). The kernel's
   * answers (getsockname, recvfrom ...) give a string, or a Buffer when the
   * name's bytes are not UTF-8.
   */
  path: string | Uint8Array;
}

/** struct sockaddr_ll: a link-layer address for AF_PACKET sockets. See packet(7). */
export interface SockaddrLl {
  family: typeof AF_PACKET;
  /** An ETH_P_* protocol in host byte order. */
  protocol: number;
  ifindex: number;
  hatype?: number;
  pkttype?: number;
  /** The hardware address, at most 8 bytes. */
  address?: Uint8Array;
}

/** What the kernel reports for a socket with no address (AF_UNSPEC). */
export interface SockaddrUnspec {
  family: typeof AF_UNSPEC;
}

/**
 * Any socket address: an object discriminated by `family`, as C code
 * switches on sa_family; C's own struct layout ({@link SockaddrInC} ...);
 * `{ family: AF_UNSPEC }` (connect(2) with it dissolves a UDP socket's
 * association); or the raw bytes of a struct sockaddr, for a family this
 * library has no fields for, which the kernel accepts or answers with
 * EAFNOSUPPORT.
 */
export type Sockaddr =
  | SockaddrIn
  | SockaddrIn6
  | SockaddrUn
  | SockaddrLl
  | SockaddrUnspec
  | SockaddrInC
  | SockaddrIn6C
  | SockaddrUnC
  | ArrayBufferView;

/** An address as the kernel reports it (getsockname, getpeername, recvfrom). */
export type SockaddrResult = SockaddrIn | SockaddrIn6 | SockaddrUn | SockaddrLl | SockaddrUnspec;

const n = nativeModule<{
  inet_pton(af: number, src: string): Buffer | null;
  inet_ntop(af: number, src: ArrayBufferView): string;
  htons(x: number): number;
  ntohs(x: number): number;
  htonl(x: number): number;
  ntohl(x: number): number;
  if_nametoindex(name: string): number;
  if_indextoname(index: number): string | OrErrno;
}>();

/**
 * Converts an IPv4 or IPv6 address from text to binary (network byte
 * order): 4 bytes for AF_INET, 16 for AF_INET6. Returns `null` where C's
 * inet_pton returns 0 (the text is not an address of that family).
 * Corresponds to inet_pton(3).
 * @see https://man7.org/linux/man-pages/man3/inet_pton.3.html
 * @throws {TypeError} when `af` is neither AF_INET nor AF_INET6.
 */
export function inet_pton(af: number, src: string): Buffer | null {
  return n.inet_pton(af, src);
}

/**
 * Converts a 4-byte (AF_INET) or 16-byte (AF_INET6) binary address to text.
 * Corresponds to inet_ntop(3).
 * @see https://man7.org/linux/man-pages/man3/inet_ntop.3.html
 * @throws {RangeError} when `src` has the wrong length for `af`.
 */
export function inet_ntop(af: number, src: ArrayBufferView): string {
  return n.inet_ntop(af, src);
}

/**
 * Host to network byte order, 16 bits. Corresponds to htons(3).
 * @see https://man7.org/linux/man-pages/man3/htons.3.html
 */
export function htons(hostshort: number): number {
  return n.htons(hostshort);
}

/**
 * Network to host byte order, 16 bits. Corresponds to ntohs(3).
 * @see https://man7.org/linux/man-pages/man3/ntohs.3.html
 */
export function ntohs(netshort: number): number {
  return n.ntohs(netshort);
}

/**
 * Host to network byte order, 32 bits. Corresponds to htonl(3).
 * @see https://man7.org/linux/man-pages/man3/htonl.3.html
 */
export function htonl(hostlong: number): number {
  return n.htonl(hostlong);
}

/**
 * Network to host byte order, 32 bits. Corresponds to ntohl(3).
 * @see https://man7.org/linux/man-pages/man3/ntohl.3.html
 */
export function ntohl(netlong: number): number {
  return n.ntohl(netlong);
}

/**
 * The index of the network interface called `name` (such as `'lo'`), or 0
 * when there is none, as in C. Corresponds to if_nametoindex(3).
 * @see https://man7.org/linux/man-pages/man3/if_nametoindex.3.html
 * @throws {TypeError} when `name` is not a string.
 * @throws {RangeError} when `name` is longer than IFNAMSIZ - 1 bytes.
 */
export function if_nametoindex(name: string): number {
  return n.if_nametoindex(name);
}

/**
 * The name of the network interface with index `index`.
 * Corresponds to if_indextoname(3).
 * @see https://man7.org/linux/man-pages/man3/if_indextoname.3.html
 * @throws {SocketError} ENXIO when no interface has that index.
 * @throws {RangeError} when `index` is not in 1..2^32-1.
 */
export function if_indextoname(index: number): string {
  return checkValue(n.if_indextoname(index), 'if_indextoname');
}
