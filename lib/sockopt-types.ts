// The values of socket options as types: the C structs (struct linger,
// timeval, ucred, tcp_info ...) and, per option constant, what getsockopt
// returns and setsockopt takes (sockopt.ts is the calls). The option
// constants' branded types come from constants.ts, generated from the
// native option table.
import type { Level, Opt, SocketOptionTypes } from './constants.js';

/** struct linger (SO_LINGER): whether close lingers, and for how many seconds. */
export interface Linger {
  /** l_onoff: linger on close. Set with true/false or 0/1; reads as a boolean. */
  onoff: boolean;
  /** l_linger: seconds close(2) waits for unsent data (0 with onoff: reset the connection). */
  linger: number;
}

/** struct timeval (SO_RCVTIMEO, SO_SNDTIMEO): 0 and 0 mean "wait forever". */
export interface Timeval {
  /** tv_sec: whole seconds, >= 0. */
  sec: number;
  /** tv_usec: microseconds, 0..999999. Optional when setting (default 0). */
  usec: number;
}

/** struct ip_mreqn (IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP). */
export interface IpMreqn {
  /** imr_multiaddr: the IPv4 multicast group, e.g. '239.1.2.3'. */
  multiaddr: string;
  /** imr_address: the local interface address; default '0.0.0.0' (any). */
  address?: string;
  /** imr_ifindex: the interface index; default 0 (any). */
  ifindex?: number;
}

/** struct ipv6_mreq (IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP). */
export interface Ipv6Mreq {
  /** ipv6mr_multiaddr: the IPv6 multicast group, e.g. 'ff02::1:3'. */
  multiaddr: string;
  /** ipv6mr_interface: the interface index; default 0 (the kernel picks). */
  ifindex?: number;
}

/** struct ucred: a process's pid, uid and gid: the peer of a unix(7) socket (SO_PEERCRED), or what SCM_CREDENTIALS carries. */
export interface Ucred {
  pid: number;
  uid: number;
  gid: number;
}

/** tcpi_state by name, as tcp(7) and ss(8) print it. */
export type TcpState =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT1'
  | 'FIN_WAIT2'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING';

/** tcpi_ca_state by name: the congestion-avoidance state (TCP_CA_Open, ...). */
export type TcpCaState = 'Open' | 'Disorder' | 'CWR' | 'Recovery' | 'Loss';

/**
 * struct tcp_info (TCP_INFO) from <linux/tcp.h>, each field without its
 * `tcpi_` prefix. Times are in microseconds (rtt, rttvar, rto, ato, min_rtt,
 * rcv_rtt, busy_time...) except the last_* fields (milliseconds ago).
 * Rates are bytes per second. A field the running kernel did not fill is
 * absent; 64-bit counters are numbers (exact to 2^53) and the kernel's
 * "unlimited" rate (~0) reads as Infinity. A state or ca_state newer than
 * this build reads as its number.
 */
export interface TcpInfo {
  state: TcpState | number;
  ca_state: TcpCaState | number;
  retransmits: number;
  probes: number;
  backoff: number;
  /** TCPI_OPT_* bits: timestamps 1, sack 2, wscale 4, ecn 8, ecn_seen 16, syn_data 32. */
  options: number;
  snd_wscale: number;
  rcv_wscale: number;
  delivery_rate_app_limited: number;
  fastopen_client_fail: number;
  rto: number;
  ato: number;
  snd_mss: number;
  rcv_mss: number;
  /** Packets sent and not yet acknowledged. */
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  fackets: number;
  last_data_sent: number;
  last_ack_sent: number;
  last_data_recv: number;
  last_ack_recv: number;
  pmtu: number;
  rcv_ssthresh: number;
  /** Smoothed round-trip time, microseconds. */
  rtt: number;
  rttvar: number;
  snd_ssthresh: number;
  /** Congestion window, in packets. */
  snd_cwnd: number;
  advmss: number;
  reordering: number;
  rcv_rtt: number;
  rcv_space: number;
  total_retrans: number;
  pacing_rate?: number;
  max_pacing_rate?: number;
  bytes_acked?: number;
  bytes_received?: number;
  segs_out?: number;
  segs_in?: number;
  /** Bytes written but not yet sent (what SIOCOUTQNSD reports). */
  notsent_bytes?: number;
  min_rtt?: number;
  data_segs_in?: number;
  data_segs_out?: number;
  delivery_rate?: number;
  busy_time?: number;
  rwnd_limited?: number;
  sndbuf_limited?: number;
  delivered?: number;
  delivered_ce?: number;
  bytes_sent?: number;
  bytes_retrans?: number;
  dsack_dups?: number;
  reord_seen?: number;
  rcv_ooopack?: number;
  snd_wnd?: number;
}

/** What the typed getsockopt returns; which one depends on the option (the README's tables). */
export type SockoptValue = number | boolean | string | bigint | Linger | Timeval | Ucred | TcpInfo;

/**
 * What the typed setsockopt takes. An ArrayBufferView (Buffer, Uint8Array,
 * DataView...) is the raw form: its bytes are passed as they are, to any
 * option. A number for SO_RCVTIMEO/SO_SNDTIMEO is milliseconds.
 */
export type SockoptInput =
  | number
  | boolean
  | string
  | { onoff: boolean | number; linger: number }
  | { sec: number; usec?: number }
  | IpMreqn
  | Ipv6Mreq
  | ArrayBufferView;

/** What getsockopt returns for each C type of the typed table (never: set only). */
export interface ReadValue {
  bool: boolean;
  int: number;
  uint: number;
  linger: Linger;
  timeval: Timeval;
  ip_mreqn: never;
  ipv6_mreq: never;
  in_addr: string;
  string: string;
  ucred: Ucred;
  uint64: bigint;
  tcp_info: TcpInfo;
}

/** What setsockopt takes for each C type (never: read only). */
export interface WriteValue {
  bool: boolean | 0 | 1;
  int: number;
  uint: number;
  linger: { onoff: boolean | 0 | 1; linger: number };
  timeval: { sec: number; usec?: number } | number;
  ip_mreqn: IpMreqn;
  ipv6_mreq: Ipv6Mreq;
  in_addr: string;
  string: string;
  ucred: never;
  uint64: never;
  tcp_info: never;
}

/** The entry of {@link SocketOptionTypes} for an option constant's type, or never for a plain number. */
export type OptionOf<O> = O extends Opt<infer N extends keyof SocketOptionTypes> ? SocketOptionTypes[N] : never;

/** The level an option constant belongs to (`Level<'SOL_SOCKET'>` for SO_KEEPALIVE); any number for a raw option. */
export type LevelOf<O extends number> = [OptionOf<O>] extends [never] ? number : Level<OptionOf<O>['level']>;

/** What getsockopt returns for option `O`: boolean for SO_KEEPALIVE, Linger for SO_LINGER...; the union for a raw option. */
export type GetsockoptValue<O extends number> = [OptionOf<O>] extends [never]
  ? SockoptValue
  : ReadValue[OptionOf<O>['kind']];

/** What setsockopt takes for option `O` (always also the raw bytes); the union for a raw option. */
export type SetsockoptValue<O extends number> = [OptionOf<O>] extends [never]
  ? SockoptInput
  : (OptionOf<O>['access'] extends 'r' ? never : WriteValue[OptionOf<O>['kind']]) | ArrayBufferView;

/**
 * Makes getsockopt of a set-only option (IP_ADD_MEMBERSHIP...) a compile
 * error on `optname`, as it is a TypeError at run time.
 */
export type Readable<O> = [OptionOf<O>] extends [never]
  ? unknown
  : OptionOf<O>['access'] extends 'w'
    ? { readonly 'set only: getsockopt cannot read it': never }
    : unknown;
