// Names to addresses: getaddrinfo, getnameinfo and gai_strerror, with their
// EAI_* failures as GaiError. These are C library calls that may block on
// DNS, as in C; Node's `dns` module is the asynchronous road.
import type { Sockaddr, SockaddrIn, SockaddrIn6 } from './address.js';
import { constants } from './constants.js';
import { SocketError } from './errors.js';
import { nativeModule } from './native.js';

/**
 * What a netdb wrapper answers when it failed (native/netdb.cc): a negative
 * number is the EAI_* code as C returned it; a positive one is errno, which
 * C's EAI_SYSTEM points to.
 */
type EaiOrErrno = number;

const n = nativeModule<{
  getaddrinfo(node: string | null, service: string | null, hints: AddrInfoHints | null): AddrInfo[] | EaiOrErrno;
  getnameinfo(addr: Sockaddr, flags: number): NameInfo | EaiOrErrno;
  gai_strerror(errcode: number): string;
}>();

/** The fields of C's `struct addrinfo` that `hints` may set; each absent one is 0, as in a zeroed struct. */
export interface AddrInfoHints {
  /** AI_* flags ORed together: AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_ADDRCONFIG, ... */
  ai_flags?: number;
  /** AF_INET, AF_INET6, or AF_UNSPEC (0) for either. */
  ai_family?: number;
  /** SOCK_STREAM, SOCK_DGRAM, ..., or 0 for every type. */
  ai_socktype?: number;
  /** IPPROTO_TCP, IPPROTO_UDP, ..., or 0 for any. */
  ai_protocol?: number;
}

/**
 * One entry of the list getaddrinfo returns: C's `struct addrinfo`, with
 * `ai_next` replaced by the entry's place in the array.
 */
export interface AddrInfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  /** The length of the C address (16 for sockaddr_in, 28 for sockaddr_in6). */
  ai_addrlen: number;
  /** An address object that `bind`, `connect` and `sendto` take as it is. glibc only returns these two families. */
  ai_addr: SockaddrIn | SockaddrIn6;
  /** The canonical name, in the first entry when AI_CANONNAME was asked; null where C has NULL. */
  ai_canonname: string | null;
}

/** What getnameinfo fills in: C's `host` and `serv` buffers. */
export interface NameInfo {
  host: string;
  serv: string;
}

// Number -> name for the EAI_* codes the headers define: the names come
// from the generated constants (scripts/gen-constants.py), not from here.
let eaiNames: Map<number, string> | undefined;
function eaiName(code: number): string {
  if (eaiNames === undefined) {
    eaiNames = new Map();
    for (const [name, value] of Object.entries(constants)) {
      if (name.startsWith('EAI_') && !eaiNames.has(value)) eaiNames.set(value, name);
    }
  }
  return eaiNames.get(code) ?? `Unknown getaddrinfo error ${code}`;
}

/**
 * A failed getaddrinfo or getnameinfo: these fail with an EAI_* code, not
 * an errno. It is shaped like SocketError and Node's ErrnoException:
 * - `code`: the code's name, such as `'EAI_NONAME'`;
 * - `errno`: the code's number as C returns it, which compares with the
 *   exported `EAI_NONAME` (negative on Linux: -2 for EAI_NONAME in glibc);
 * - `syscall`: `'getaddrinfo'` or `'getnameinfo'`;
 * - `message`: `'getaddrinfo EAI_NONAME: Name or service not known'`, the
 *   text from gai_strerror(3).
 *
 * It is not a SocketError, whose `errno` is always an errno; an EAI_SYSTEM
 * failure ("see errno") is thrown as the SocketError of that errno instead,
 * with `syscall` `'getaddrinfo'`, so `code` names the real cause (`'EMFILE'`).
 */
export class GaiError extends Error implements NodeJS.ErrnoException {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;

  constructor(errcode: number, syscall: string) {
    const code = eaiName(errcode);
    super(`${syscall} ${code}: ${n.gai_strerror(errcode)}`);
    this.name = 'GaiError';
    this.code = code;
    this.errno = errcode;
    this.syscall = syscall;
  }
}

// Throws what a failed netdb wrapper's number stands for.
function gaiFailure(r: EaiOrErrno, syscall: string): never {
  throw r > 0 ? new SocketError(r, syscall) : new GaiError(r, syscall);
}

/**
 * Translates a host name and a service name (or numbers in text: `'127.0.0.1'`,
 * `'8080'`) into the socket addresses to try, in the order the C library
 * gives them (its list flattened to an array; the list is freed natively).
 * `null` for `node` or `service` is C's NULL: with AI_PASSIVE, a null node
 * gives the wildcard addresses (0.0.0.0, ::) to bind; without, the loopback
 * ones. `hints` null is C's NULL too, which glibc reads as AI_V4MAPPED |
 * AI_ADDRCONFIG and every family and type; an object is a zeroed struct
 * with the fields given.
 *
 * **Blocks** the thread until the lookup ends, as in C: a name that is not
 * in /etc/hosts goes to DNS, which may take the resolver's whole timeout.
 * On Node's main thread that stops the event loop; use Node's `dns` module
 * for lookups in an event-driven program, or call this in a worker.
 * Corresponds to getaddrinfo(3).
 * @see https://man7.org/linux/man-pages/man3/getaddrinfo.3.html
 * @throws {GaiError} EAI_NONAME (no such name, or a non-number with
 *   AI_NUMERICHOST / AI_NUMERICSERV), EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE,
 *   EAI_BADFLAGS, EAI_AGAIN, EAI_FAIL, EAI_NODATA, EAI_ADDRFAMILY, EAI_MEMORY
 * @throws {SocketError} for EAI_SYSTEM: the errno behind it, such as EMFILE
 * @throws {TypeError} when `node` or `service` is neither a string nor null
 *   (or holds a NUL), or a field of `hints` is not an integer
 * @throws {RangeError} when `node` is longer than NI_MAXHOST - 1 bytes or
 *   `service` longer than NI_MAXSERV - 1
 */
export function getaddrinfo(
  node: string | null,
  service: string | null = null,
  hints: AddrInfoHints | null = null,
): AddrInfo[] {
  const r = n.getaddrinfo(node, service, hints);
  return typeof r === 'number' ? gaiFailure(r, 'getaddrinfo') : r;
}

/**
 * Translates a socket address into a host name and a service name, or their
 * numbers as text with NI_NUMERICHOST / NI_NUMERICSERV. `flags` ORs NI_*
 * flags: NI_NAMEREQD fails with EAI_NONAME where no name is found (instead
 * of giving the number), NI_DGRAM looks up the UDP service (some ports name
 * other services over UDP), NI_NOFQDN keeps only the host part of a local
 * name. C's `host` and `serv` buffers are both always filled (NI_MAXHOST and
 * NI_MAXSERV bytes), so C's NULL for either has no translation: ignore the
 * field instead. Blocks on a reverse DNS lookup as getaddrinfo does on a
 * forward one. Corresponds to getnameinfo(3).
 * @see https://man7.org/linux/man-pages/man3/getnameinfo.3.html
 * @throws {GaiError} EAI_NONAME, EAI_FAMILY, EAI_BADFLAGS, EAI_AGAIN,
 *   EAI_FAIL, EAI_MEMORY, EAI_OVERFLOW
 * @throws {SocketError} for EAI_SYSTEM: the errno behind it
 * @throws {TypeError} when `addr` is not an address object
 */
export function getnameinfo(addr: Sockaddr, flags = 0): NameInfo {
  const r = n.getnameinfo(addr, flags);
  return typeof r === 'number' ? gaiFailure(r, 'getnameinfo') : r;
}

/**
 * The C library's text for an EAI_* code, such as `'Name or service not
 * known'` for EAI_NONAME. Corresponds to gai_strerror(3).
 * @see https://man7.org/linux/man-pages/man3/getaddrinfo.3.html
 * @throws {TypeError} when `errcode` is not an integer
 */
export function gai_strerror(errcode: number): string {
  return n.gai_strerror(errcode);
}
