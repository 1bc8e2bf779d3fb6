// Ancillary data (control messages) for sendmsg and recvmsg: the shapes the
// native side reads and returns, builders for the common outgoing ones, and
// CMSG_SPACE/CMSG_LEN to size a receive buffer as C code does.
import { IPPROTO_IP, IPPROTO_IPV6, IPV6_PKTINFO, IP_PKTINFO, SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET } from './constants.js';
import { nativeModule } from './native.js';
import type { Ucred } from './sockopt-types.js'; // struct ucred, shared with SO_PEERCRED

const n = nativeModule<{
  CMSG_SPACE(length: number): number;
  CMSG_LEN(length: number): number;
}>();


/** struct in_pktinfo, as IP_PKTINFO carries it. See ip(7). */
export interface InPktinfo {
  /** The interface the packet came in on (received) or is to leave by (sent); 0: routing decides. */
  ifindex: number;
  /** Received: the local address the packet was routed to. Sent: the source address to use. */
  spec_dst: string;
  /** Received: the destination address in the IP header. Ignored on send. */
  addr: string;
}

/** struct in6_pktinfo, as IPV6_PKTINFO carries it. See ipv6(7). */
export interface In6Pktinfo {
  ifindex: number;
  /** Received: the destination address. Sent: the source address to use. */
  addr: string;
}

/**
 * One outgoing control message: `level` and `type` as in struct cmsghdr,
 * and exactly one payload. `data` is the raw bytes, for any level/type; the
 * other forms are encoded natively into the C structs (and must go with
 * their level/type, else a TypeError).
 */
export type ControlMessageOut =
  | { level: number; type: number; data: ArrayBufferView }
  | { level: number; type: number; fds: readonly number[] }
  | { level: number; type: number; credentials: Ucred }
  | { level: number; type: number; pktinfo: Partial<InPktinfo> | Partial<In6Pktinfo> };

/**
 * One received control message. `data` is always the raw payload (cut
 * short when the control buffer was, see MSG_CTRUNC); the known types are
 * also decoded:
 * - SOL_SOCKET/SCM_RIGHTS: `fds`, the descriptors now open in this process;
 * - SOL_SOCKET/SCM_CREDENTIALS: `credentials`;
 * - IPPROTO_IP/IP_PKTINFO: `pktinfo` ({@link InPktinfo});
 * - IPPROTO_IPV6/IPV6_PKTINFO: `pktinfo` ({@link In6Pktinfo}).
 */
export interface ControlMessage {
  level: number;
  type: number;
  data: Buffer;
  fds?: number[];
  credentials?: Ucred;
  pktinfo?: InPktinfo | In6Pktinfo;
}

/**
 * The SCM_RIGHTS message that passes open file descriptors over a UNIX
 * socket; the receiver gets new fds to the same open files. The sender's
 * fds stay open (close them when done). See unix(7).
 * @see https://man7.org/linux/man-pages/man7/unix.7.html
 */
export function scmRights(fds: readonly number[]): ControlMessageOut {
  return { level: SOL_SOCKET, type: SCM_RIGHTS, fds };
}

/**
 * The SCM_CREDENTIALS message, by default with this process's own pid, uid
 * and gid (the only values an unprivileged sender may state). The receiver
 * sees credentials only when it has enabled SO_PASSCRED. See unix(7).
 * @see https://man7.org/linux/man-pages/man7/unix.7.html
 */
export function scmCredentials(credentials?: Ucred): ControlMessageOut {
  const c = credentials ?? { pid: process.pid, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return { level: SOL_SOCKET, type: SCM_CREDENTIALS, credentials: c };
}

/**
 * The IP_PKTINFO message for sendmsg: `spec_dst` picks the source address
 * and `ifindex` the outgoing interface of one datagram (on a socket bound
 * to the wildcard address). See ip(7).
 * @see https://man7.org/linux/man-pages/man7/ip.7.html
 */
export function ipPktinfo(info: Partial<InPktinfo>): ControlMessageOut {
  return { level: IPPROTO_IP, type: IP_PKTINFO, pktinfo: info };
}

/**
 * The IPV6_PKTINFO message for sendmsg: `addr` picks the source address and
 * `ifindex` the outgoing interface of one datagram. See ipv6(7).
 * @see https://man7.org/linux/man-pages/man7/ipv6.7.html
 */
export function ipv6Pktinfo(info: Partial<In6Pktinfo>): ControlMessageOut {
  return { level: IPPROTO_IPV6, type: IPV6_PKTINFO, pktinfo: info };
}

/**
 * The bytes a control message with `length` bytes of data takes in a
 * control buffer, padding included: add these up for recvmsg's
 * `controlLength`, e.g. `CMSG_SPACE(4 * maxFds)` for SCM_RIGHTS. The
 * CMSG_SPACE macro of cmsg(3), computed by the C library.
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 * @throws {RangeError} when `length` is negative or over 1 MiB.
 */
export function CMSG_SPACE(length: number): number {
  return n.CMSG_SPACE(length);
}

/**
 * The `cmsg_len` of a control message with `length` bytes of data (header
 * included, trailing padding not). The CMSG_LEN macro of cmsg(3).
 * @see https://man7.org/linux/man-pages/man3/cmsg.3.html
 * @throws {RangeError} when `length` is negative or over 1 MiB.
 */
export function CMSG_LEN(length: number): number {
  return n.CMSG_LEN(length);
}
