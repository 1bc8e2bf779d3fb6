// C's own address structs, as a C tutorial writes them, beside the friendly
// objects of address.ts: sockaddr_in, sockaddr_in6 and sockaddr_un with the
// port and address in network order (`sin_port: htons(7000)`), C's
// value-result `socklen_t`, in6addr_any and in6addr_loopback, and the old
// IPv4 text functions inet_addr, inet_aton and inet_ntoa.
import { inet_pton } from './address.js';
import { AF_INET6 } from './constants.js';
import { nativeModule } from './native.js';

/** struct in_addr: an IPv4 address as C's in_addr_t, in network byte order. See ip(7). */
export interface InAddr {
  /** The address in network byte order: `htonl(INADDR_LOOPBACK)`, or what inet_addr returns. */
  s_addr: number;
}

/** struct in6_addr: the 16 bytes of an IPv6 address. See ipv6(7). */
export interface In6Addr {
  readonly s6_addr: Uint8Array;
}

/** struct sockaddr_in as C lays it out: port and address in network byte order. See ip(7). */
export interface SockaddrInC {
  sin_family: number;
  /** In network byte order, as in C: `htons(7000)`. */
  sin_port?: number;
  /** Absent is INADDR_ANY. */
  sin_addr?: InAddr;
}

/** struct sockaddr_in6 as C lays it out. See ipv6(7). */
export interface SockaddrIn6C {
  sin6_family: number;
  /** In network byte order: `htons(7000)`. */
  sin6_port?: number;
  /** In network byte order, as in C. */
  sin6_flowinfo?: number;
  /** Absent is in6addr_any. */
  sin6_addr?: In6Addr | Uint8Array;
  sin6_scope_id?: number;
}

/** struct sockaddr_un as C lays it out. See unix(7). */
export interface SockaddrUnC {
  sun_family: number;
  /** As `path` of {@link SockaddrUn}: a path, `'\0'`-prefixed abstract name, or bytes. */
  sun_path: string | Uint8Array;
}

/**
 * C's `socklen_t` passed by pointer (accept(2), recvfrom(2)): `value` goes
 * in as the room of the address buffer and comes back as the address's
 * real length, as in C: `const len = { value: sizeof.sockaddr_in }`.
 */
export interface Socklen {
  value: number;
}

/**
 * An address for the kernel to fill (accept(2)'s and recvfrom(2)'s `addr`):
 * start with `{}`. It receives both forms of the address, the friendly
 * fields (`family`, `address`, `port` or `path`) and C's (`sin_family`,
 * `sin_port`, `sin_addr.s_addr`, ... in network order), so a C program's
 * `ntohs(cli.sin_port)` and `inet_ntoa(cli.sin_addr)` read the same here.
 */
export interface SockaddrStorage {
  family?: number;
  address?: string | Uint8Array;
  port?: number;
  flowinfo?: number;
  scopeid?: number;
  path?: string | Uint8Array;
  sin_family?: number;
  sin_port?: number;
  sin_addr?: InAddr;
  sin6_family?: number;
  sin6_port?: number;
  sin6_flowinfo?: number;
  sin6_addr?: In6Addr;
  sin6_scope_id?: number;
  sun_family?: number;
  sun_path?: string | Uint8Array;
}

/** What accept and recvfrom fill: any object, typed as {@link SockaddrStorage}. */
export type SockaddrOut = SockaddrStorage;

const n = nativeModule<{
  inet_addr(cp: string): number;
  inet_aton(cp: string, inp: InAddr | null | undefined): number;
  inet_ntoa(inp: InAddr): string;
}>();

// The two in6_addr constants, parsed by the C library itself. Their bytes
// are handed out as fresh copies, so no caller can change them for another
// (C declares them const).
function in6addr(text: string): In6Addr {
  const bytes = inet_pton(AF_INET6, text)!;
  return Object.freeze({
    get s6_addr(): Uint8Array {
      return Uint8Array.from(bytes);
    },
  });
}

/** in6addr_any, `::`: the IPv6 wildcard, as C's `in6addr_any`. See ipv6(7). */
export const in6addr_any: In6Addr = in6addr('::');

/** in6addr_loopback, `::1`, as C's `in6addr_loopback`. See ipv6(7). */
export const in6addr_loopback: In6Addr = in6addr('::1');

/**
 * Converts dotted-quad text to an in_addr_t in network byte order, or
 * INADDR_NONE (0xffffffff) when it does not parse (so `'255.255.255.255'`
 * cannot be told from an error: inet_aton can). Corresponds to inet_addr(3).
 * @see https://man7.org/linux/man-pages/man3/inet_addr.3.html
 */
export function inet_addr(cp: string): number {
  return n.inet_addr(cp);
}

/**
 * Converts the IPv4 text `cp` (dotted quad, or the short forms `127.1` and
 * `0x7f000001` that inet_aton also takes) into `inp.s_addr`, in network byte
 * order. Returns 1 on success, 0 when it does not parse, as C does.
 * Corresponds to inet_aton(3).
 * @see https://man7.org/linux/man-pages/man3/inet_aton.3.html
 */
export function inet_aton(cp: string, inp?: InAddr | null): number {
  return n.inet_aton(cp, inp);
}

/**
 * The dotted-quad text of `inp.s_addr` (network byte order). Corresponds to
 * inet_ntoa(3), without its static buffer: each call returns its own string.
 * @see https://man7.org/linux/man-pages/man3/inet_ntoa.3.html
 */
export function inet_ntoa(inp: InAddr): string {
  return n.inet_ntoa(inp);
}
