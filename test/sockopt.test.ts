// One round trip per option of the typed table: set, get, compare, on real
// sockets. Where the kernel changes the value on the way (doubling buffer
// sizes, rounding to retransmissions or jiffies, defaults for -1) the test
// says so and asserts the kernel's rule. The last test checks that every
// option socketOptions() lists was exercised here.
import { readFileSync } from 'node:fs';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IP_ADD_MEMBERSHIP,
  IP_BIND_ADDRESS_NO_PORT,
  IP_DROP_MEMBERSHIP,
  IP_FREEBIND,
  IP_HDRINCL,
  IP_MTU,
  IP_MTU_DISCOVER,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_PKTINFO,
  IP_PMTUDISC_DO,
  IP_PMTUDISC_DONT,
  IP_RECVERR,
  IP_RECVTOS,
  IP_RECVTTL,
  IP_TOS,
  IP_TRANSPARENT,
  IP_TTL,
  IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP,
  IPV6_MTU,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_RECVERR,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_RECVTCLASS,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  IPV6_V6ONLY,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_BINDTODEVICE,
  SO_BROADCAST,
  SO_BUSY_POLL,
  SO_COOKIE,
  SO_DEBUG,
  SO_DOMAIN,
  SO_DONTROUTE,
  SO_ERROR,
  SO_INCOMING_CPU,
  SO_INCOMING_NAPI_ID,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_MARK,
  SO_OOBINLINE,
  SO_PASSCRED,
  SO_PEEK_OFF,
  SO_PEERCRED,
  SO_PRIORITY,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_RCVLOWAT,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_RXQ_OVFL,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SO_SNDLOWAT,
  SO_SNDTIMEO,
  SO_TIMESTAMP,
  SO_TIMESTAMPNS,
  SO_TYPE,
  SO_ZEROCOPY,
  TCP_CONGESTION,
  TCP_CORK,
  TCP_DEFER_ACCEPT,
  TCP_FASTOPEN,
  TCP_FASTOPEN_CONNECT,
  TCP_INFO,
  TCP_INQ,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_LINGER2,
  TCP_MAXSEG,
  TCP_NODELAY,
  TCP_NOTSENT_LOWAT,
  TCP_QUICKACK,
  TCP_SYNCNT,
  TCP_USER_TIMEOUT,
  TCP_WINDOW_CLAMP,
  SocketError,
  bind,
  close,
  connect,
  getLinger,
  getPeerCred,
  getTcpInfo,
  getTimeout,
  getsockopt,
  getsockoptInt,
  listen,
  recv,
  send,
  setsockopt,
  socket,
  socketOptions,
  socketpair,
  MSG_WAITALL,
  EOPNOTSUPP,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf, tcpPair } from './helpers.js';

// Every option a test exercised, checked against the table at the end.
const covered = new Set<string>();
const cover = (...names: string[]): void => {
  for (const name of names) covered.add(name);
};

const sysctl = (path: string): string => readFileSync(`/proc/sys/${path}`, 'utf8').trim();
const loIndex = Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8'));
const loMtu = Number(readFileSync('/sys/class/net/lo/mtu', 'utf8'));

type Kind = 'tcp' | 'udp' | 'tcp6' | 'udp6' | 'unix' | 'raw';

function open(kind: Kind): number {
  switch (kind) {
    case 'tcp':
      return socket(AF_INET, SOCK_STREAM);
    case 'udp':
      return socket(AF_INET, SOCK_DGRAM);
    case 'tcp6':
      return socket(AF_INET6, SOCK_STREAM);
    case 'udp6':
      return socket(AF_INET6, SOCK_DGRAM);
    case 'unix':
      return socket(AF_UNIX, SOCK_STREAM);
    case 'raw':
      return socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
  }
}

function withSocket(kind: Kind, fn: (fd: number) => void): void {
  const fd = open(kind);
  try {
    fn(fd);
  } finally {
    close(fd);
  }
}

/**
 * Runs `fn`, and skips the test (with the reason) when the kernel answers
 * with one of `codes`: a missing capability or a feature this kernel was
 * built without. Any other error fails the test.
 */
function orSkip(ctx: TestContext, codes: string[], why: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof SocketError && codes.includes(e.code)) ctx.skip(`${why} (${e.code})`);
    throw e;
  }
}

describe('flag options read as booleans and take true/false or 0/1', () => {
  // [name, level, optname, socket, what the test needs beyond a socket]
  const flags: Array<[string, number, number, Kind, string?]> = [
    ['SO_BROADCAST', SOL_SOCKET, SO_BROADCAST, 'udp'],
    ['SO_DEBUG', SOL_SOCKET, SO_DEBUG, 'tcp', 'CAP_NET_ADMIN'],
    ['SO_DONTROUTE', SOL_SOCKET, SO_DONTROUTE, 'tcp'],
    ['SO_KEEPALIVE', SOL_SOCKET, SO_KEEPALIVE, 'tcp'],
    ['SO_OOBINLINE', SOL_SOCKET, SO_OOBINLINE, 'tcp'],
    ['SO_PASSCRED', SOL_SOCKET, SO_PASSCRED, 'unix'],
    ['SO_REUSEADDR', SOL_SOCKET, SO_REUSEADDR, 'tcp'],
    ['SO_REUSEPORT', SOL_SOCKET, SO_REUSEPORT, 'tcp'],
    ['SO_RXQ_OVFL', SOL_SOCKET, SO_RXQ_OVFL, 'udp'],
    ['SO_TIMESTAMP', SOL_SOCKET, SO_TIMESTAMP, 'udp'],
    ['SO_TIMESTAMPNS', SOL_SOCKET, SO_TIMESTAMPNS, 'udp'],
    ['SO_ZEROCOPY', SOL_SOCKET, SO_ZEROCOPY, 'tcp'],
    ['TCP_CORK', IPPROTO_TCP, TCP_CORK, 'tcp'],
    ['TCP_FASTOPEN_CONNECT', IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 'tcp', 'net.ipv4.tcp_fastopen client bit (1)'],
    ['TCP_INQ', IPPROTO_TCP, TCP_INQ, 'tcp'],
    ['TCP_NODELAY', IPPROTO_TCP, TCP_NODELAY, 'tcp'],
    ['TCP_QUICKACK', IPPROTO_TCP, TCP_QUICKACK, 'tcp'],
    ['IP_BIND_ADDRESS_NO_PORT', IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 'tcp'],
    ['IP_FREEBIND', IPPROTO_IP, IP_FREEBIND, 'tcp'],
    ['IP_HDRINCL', IPPROTO_IP, IP_HDRINCL, 'raw', 'a raw socket (CAP_NET_RAW)'],
    ['IP_MULTICAST_LOOP', IPPROTO_IP, IP_MULTICAST_LOOP, 'udp'],
    ['IP_PKTINFO', IPPROTO_IP, IP_PKTINFO, 'udp'],
    ['IP_RECVERR', IPPROTO_IP, IP_RECVERR, 'udp'],
    ['IP_RECVTOS', IPPROTO_IP, IP_RECVTOS, 'udp'],
    ['IP_RECVTTL', IPPROTO_IP, IP_RECVTTL, 'udp'],
    ['IP_TRANSPARENT', IPPROTO_IP, IP_TRANSPARENT, 'tcp', 'CAP_NET_ADMIN or CAP_NET_RAW'],
    ['IPV6_MULTICAST_LOOP', IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 'udp6'],
    ['IPV6_RECVERR', IPPROTO_IPV6, IPV6_RECVERR, 'udp6'],
    ['IPV6_RECVHOPLIMIT', IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 'udp6'],
    ['IPV6_RECVPKTINFO', IPPROTO_IPV6, IPV6_RECVPKTINFO, 'udp6'],
    ['IPV6_RECVTCLASS', IPPROTO_IPV6, IPV6_RECVTCLASS, 'udp6'],
    ['IPV6_V6ONLY', IPPROTO_IPV6, IPV6_V6ONLY, 'tcp6'],
  ];
  it.for(flags)('%s', ([name, level, optname, kind, needs], ctx) => {
    cover(name);
    const socketKind = kind;
    let fd = -1;
    orSkip(ctx, ['EPERM', 'EACCES', 'EOPNOTSUPP', 'ENOPROTOOPT'], `${name} needs ${needs ?? 'kernel support'}`, () => {
      fd = open(socketKind);
      try {
        setsockopt(fd, level, optname, true);
      } catch (e) {
        close(fd);
        throw e;
      }
    });
    try {
      expect(getsockopt(fd, level, optname)).toBe(true);
      setsockopt(fd, level, optname, false);
      expect(getsockopt(fd, level, optname)).toBe(false);
      setsockopt(fd, level, optname, 1);
      expect(getsockopt(fd, level, optname)).toBe(true);
      expect(getsockoptInt(fd, level, optname)).toBe(1);
      setsockopt(fd, level, optname, 0);
      expect(getsockopt(fd, level, optname)).toBe(false);
    } finally {
      close(fd);
    }
  });
});

describe('int options read and take numbers', () => {
  // [name, level, optname, socket, value set, value read back]
  const ints: Array<[string, number, number, Kind, number, number]> = [
    ['SO_INCOMING_CPU', SOL_SOCKET, SO_INCOMING_CPU, 'tcp', 1, 1],
    ['SO_PRIORITY', SOL_SOCKET, SO_PRIORITY, 'tcp', 6, 6],
    ['SO_RCVLOWAT', SOL_SOCKET, SO_RCVLOWAT, 'tcp', 100, 100],
    ['TCP_KEEPCNT', IPPROTO_TCP, TCP_KEEPCNT, 'tcp', 5, 5],
    ['TCP_KEEPIDLE', IPPROTO_TCP, TCP_KEEPIDLE, 'tcp', 30, 30],
    ['TCP_KEEPINTVL', IPPROTO_TCP, TCP_KEEPINTVL, 'tcp', 10, 10],
    ['TCP_LINGER2', IPPROTO_TCP, TCP_LINGER2, 'tcp', 10, 10],
    // Before connect, TCP_MAXSEG reads back the value asked for; once
    // connected it reads the MSS in use (see below).
    ['TCP_MAXSEG', IPPROTO_TCP, TCP_MAXSEG, 'tcp', 1000, 1000],
    ['TCP_NOTSENT_LOWAT', IPPROTO_TCP, TCP_NOTSENT_LOWAT, 'tcp', 16384, 16384],
    ['TCP_SYNCNT', IPPROTO_TCP, TCP_SYNCNT, 'tcp', 3, 3],
    ['TCP_USER_TIMEOUT', IPPROTO_TCP, TCP_USER_TIMEOUT, 'tcp', 5000, 5000],
    ['TCP_WINDOW_CLAMP', IPPROTO_TCP, TCP_WINDOW_CLAMP, 'tcp', 20000, 20000],
    ['IP_MTU_DISCOVER', IPPROTO_IP, IP_MTU_DISCOVER, 'udp', IP_PMTUDISC_DO, IP_PMTUDISC_DO],
    ['IP_MULTICAST_TTL', IPPROTO_IP, IP_MULTICAST_TTL, 'udp', 4, 4],
    ['IP_TTL', IPPROTO_IP, IP_TTL, 'tcp', 32, 32],
    ['IPV6_MULTICAST_HOPS', IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 'udp6', 5, 5],
    ['IPV6_MULTICAST_IF', IPPROTO_IPV6, IPV6_MULTICAST_IF, 'udp6', loIndex, loIndex],
    ['IPV6_TCLASS', IPPROTO_IPV6, IPV6_TCLASS, 'udp6', 0x20, 0x20],
    ['IPV6_UNICAST_HOPS', IPPROTO_IPV6, IPV6_UNICAST_HOPS, 'udp6', 7, 7],
  ];
  it.for(ints)('%s', ([name, level, optname, kind, value, expected]) => {
    cover(name);
    withSocket(kind, (fd) => {
      const before = getsockopt(fd, level, optname);
      expect(typeof before).toBe('number');
      expect(before).not.toBe(expected); // so the round trip proves the set
      setsockopt(fd, level, optname, value);
      expect(getsockopt(fd, level, optname)).toBe(expected);
    });
  });

  it('IP_MTU_DISCOVER takes each IP_PMTUDISC_* value', () => {
    withSocket('udp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
      expect(getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER)).toBe(IP_PMTUDISC_DONT);
    });
  });

  it('-1 restores the default of IP_TTL, IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS and IPV6_TCLASS', () => {
    withSocket('tcp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_TTL, 9);
      setsockopt(fd, IPPROTO_IP, IP_TTL, -1);
      expect(getsockopt(fd, IPPROTO_IP, IP_TTL)).toBe(Number(sysctl('net/ipv4/ip_default_ttl')));
    });
    withSocket('udp6', (fd) => {
      setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
      setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
      expect(getsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS)).toBe(Number(sysctl('net/ipv6/conf/all/hop_limit')));
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 9);
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1);
      expect(getsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS)).toBe(1); // ipv6(7): default 1
      setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
      setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, -1);
      expect(getsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS)).toBe(0);
    });
  });

  it('IP_TOS: a datagram socket keeps all 8 bits; TCP keeps its own ECN bits (the low 2)', () => {
    cover('IP_TOS');
    withSocket('udp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_TOS, 0x12);
      expect(getsockopt(fd, IPPROTO_IP, IP_TOS)).toBe(0x12);
    });
    withSocket('tcp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_TOS, 0x13);
      expect(getsockopt(fd, IPPROTO_IP, IP_TOS)).toBe(0x10);
    });
  });

  it('SO_RCVBUF and SO_SNDBUF read back doubled (socket(7): room for bookkeeping), clamped to [minimum, *mem_max]', () => {
    cover('SO_RCVBUF', 'SO_SNDBUF');
    const rmemMax = Number(sysctl('net/core/rmem_max'));
    const wmemMax = Number(sysctl('net/core/wmem_max'));
    withSocket('tcp', (fd) => {
      const rcv = Math.min(65536, rmemMax);
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcv);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(2 * rcv);
      const snd = Math.min(65536, wmemMax);
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, snd);
      expect(getsockopt(fd, SOL_SOCKET, SO_SNDBUF)).toBe(2 * snd);
      // Past the sysctl ceiling: clamped to it, then doubled.
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rmemMax + 1000);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(2 * rmemMax);
      // Below the floor: raised to the kernel's minimum (a few KiB), not 2.
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBeGreaterThan(2);
    });
  });

  it('SO_RCVBUFFORCE and SO_SNDBUFFORCE pass the ceiling (CAP_NET_ADMIN) and cannot be read', (ctx) => {
    cover('SO_RCVBUFFORCE', 'SO_SNDBUFFORCE');
    const size = Number(sysctl('net/core/rmem_max')) + 4096;
    withSocket('tcp', (fd) => {
      orSkip(ctx, ['EPERM'], 'SO_RCVBUFFORCE needs CAP_NET_ADMIN', () => setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size));
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(2 * size);
      setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, size);
      expect(getsockopt(fd, SOL_SOCKET, SO_SNDBUF)).toBe(2 * size);
      expect(() => getsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE)).toThrow(/SO_RCVBUFFORCE can only be set/);
    });
  });

  it('SO_SNDLOWAT reads 1 and cannot be changed on Linux (ENOPROTOOPT, socket(7))', () => {
    cover('SO_SNDLOWAT');
    withSocket('tcp', (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_SNDLOWAT)).toBe(1);
      expect(() => setsockopt(fd, SOL_SOCKET, SO_SNDLOWAT, 100)).toThrow(
        expect.objectContaining({ code: 'ENOPROTOOPT', syscall: 'setsockopt' }),
      );
    });
  });

  it('SO_PEEK_OFF and SO_INCOMING_CPU read -1 when unset: negative values are values, not errors', () => {
    cover('SO_PEEK_OFF');
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      expect(getsockopt(a, SOL_SOCKET, SO_PEEK_OFF)).toBe(-1);
      setsockopt(a, SOL_SOCKET, SO_PEEK_OFF, 0);
      expect(getsockopt(a, SOL_SOCKET, SO_PEEK_OFF)).toBe(0);
      setsockopt(a, SOL_SOCKET, SO_PEEK_OFF, 10);
      expect(getsockopt(a, SOL_SOCKET, SO_PEEK_OFF)).toBe(10);
    } finally {
      closeAll(a, b);
    }
    withSocket('tcp', (fd) => expect(getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU)).toBe(-1));
  });

  it('SO_MARK is unsigned: 0xffffffff reads back as 4294967295 (CAP_NET_ADMIN)', (ctx) => {
    cover('SO_MARK');
    withSocket('tcp', (fd) => {
      orSkip(ctx, ['EPERM'], 'SO_MARK needs CAP_NET_ADMIN', () => setsockopt(fd, SOL_SOCKET, SO_MARK, 0x1234));
      expect(getsockopt(fd, SOL_SOCKET, SO_MARK)).toBe(0x1234);
      setsockopt(fd, SOL_SOCKET, SO_MARK, 0xffffffff);
      expect(getsockopt(fd, SOL_SOCKET, SO_MARK)).toBe(0xffffffff);
    });
  });

  it('SO_BUSY_POLL (CAP_NET_ADMIN above net.core.busy_read; CONFIG_NET_RX_BUSY_POLL)', (ctx) => {
    cover('SO_BUSY_POLL');
    withSocket('udp', (fd) => {
      orSkip(ctx, ['EPERM', 'ENOPROTOOPT'], 'SO_BUSY_POLL needs CAP_NET_ADMIN and busy-poll support', () =>
        setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, 50),
      );
      expect(getsockopt(fd, SOL_SOCKET, SO_BUSY_POLL)).toBe(50);
    });
  });

  it('TCP_DEFER_ACCEPT is kept as SYN-ACK retransmissions: 3 s reads 3, 5 s rounds up to 7 (1+2+4)', () => {
    cover('TCP_DEFER_ACCEPT');
    withSocket('tcp', (fd) => {
      setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 3);
      expect(getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT)).toBe(3);
      setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5);
      expect(getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT)).toBe(7);
    });
  });

  it(`TCP_FASTOPEN sets a listener's queue of pending TFO requests (net.ipv4.tcp_fastopen = ${sysctl('net/ipv4/tcp_fastopen')})`, () => {
    cover('TCP_FASTOPEN');
    withSocket('tcp', (fd) => {
      setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, 5);
      bind(fd, loopback(AF_INET));
      listen(fd, 8);
      expect(getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN)).toBe(5);
    });
  });

  it('TCP_MAXSEG on a connected socket reads the MSS in use, at most what was asked', () => {
    const lfd = listening();
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, 1000);
      connect(fd, loopback(AF_INET, portOf(lfd)));
      const mss = getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG) as number;
      expect(mss).toBeLessThanOrEqual(1000);
      expect(mss).toBeGreaterThan(500);
    } finally {
      closeAll(fd, lfd);
    }
  });
});

describe('struct options are objects', () => {
  it('SO_LINGER is { onoff, linger }', () => {
    cover('SO_LINGER');
    withSocket('tcp', (fd) => {
      expect(getLinger(fd)).toEqual({ onoff: false, linger: 0 });
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 7 });
      expect(getsockopt(fd, SOL_SOCKET, SO_LINGER)).toEqual({ onoff: true, linger: 7 });
      // onoff 0 turns lingering off and leaves the time as it was.
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: 0, linger: 0 });
      expect(getLinger(fd)).toEqual({ onoff: false, linger: 7 });
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: 1, linger: 0 });
      expect(getLinger(fd)).toEqual({ onoff: true, linger: 0 });
    });
  });

  it('SO_RCVTIMEO and SO_SNDTIMEO are { sec, usec }, or milliseconds; the kernel keeps jiffies', () => {
    cover('SO_RCVTIMEO', 'SO_SNDTIMEO');
    withSocket('tcp', (fd) => {
      for (const opt of [SO_RCVTIMEO, SO_SNDTIMEO]) {
        expect(getTimeout(fd, opt)).toEqual({ sec: 0, usec: 0 });
        setsockopt(fd, SOL_SOCKET, opt, { sec: 2, usec: 500000 });
        expect(getsockopt(fd, SOL_SOCKET, opt)).toEqual({ sec: 2, usec: 500000 });
        setsockopt(fd, SOL_SOCKET, opt, 1500);
        expect(getTimeout(fd, opt)).toEqual({ sec: 1, usec: 500000 });
        setsockopt(fd, SOL_SOCKET, opt, { sec: 3 });
        expect(getTimeout(fd, opt)).toEqual({ sec: 3, usec: 0 });
        // One microsecond rounds up to one clock tick (1/HZ s), never to 0,
        // which would mean "no timeout".
        setsockopt(fd, SOL_SOCKET, opt, { sec: 0, usec: 1 });
        const tick = getTimeout(fd, opt);
        expect(tick.sec).toBe(0);
        expect(tick.usec).toBeGreaterThanOrEqual(1);
        setsockopt(fd, SOL_SOCKET, opt, 0);
        expect(getTimeout(fd, opt)).toEqual({ sec: 0, usec: 0 });
      }
    });
  });

  it('SO_RCVTIMEO makes a blocking recv fail with EAGAIN once it expires', () => {
    const { client, server } = tcpPair();
    try {
      setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, 1);
      expect(recv(server, Buffer.alloc(8))).toBe(-1);
    } finally {
      closeAll(client, server);
    }
  });

  it('SO_PEERCRED is this process on both ends of a socketpair', () => {
    cover('SO_PEERCRED');
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      const me = { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() };
      expect(getsockopt(a, SOL_SOCKET, SO_PEERCRED)).toEqual(me);
      expect(getPeerCred(b)).toEqual(me);
    } finally {
      closeAll(a, b);
    }
  });

  it("SO_BINDTODEVICE takes and reads an interface name; '' unbinds (changing a binding needs CAP_NET_RAW)", (ctx) => {
    cover('SO_BINDTODEVICE');
    withSocket('tcp', (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE)).toBe('');
      expect(() => setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 'nosuchdev0')).toThrow(
        expect.objectContaining({ code: 'ENODEV', syscall: 'setsockopt' }),
      );
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 'lo');
      expect(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE)).toBe('lo');
      // A first binding is anyone's; changing or removing it is privileged.
      orSkip(ctx, ['EPERM'], 'removing a SO_BINDTODEVICE binding needs CAP_NET_RAW', () =>
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ''),
      );
      expect(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE)).toBe('');
    });
  });

  const available = sysctl('net/ipv4/tcp_available_congestion_control').split(/\s+/);
  const allowed = sysctl('net/ipv4/tcp_allowed_congestion_control').split(/\s+/);
  it(`TCP_CONGESTION names an algorithm of tcp_available_congestion_control (${available.join(' ')})`, () => {
    cover('TCP_CONGESTION');
    withSocket('tcp', (fd) => {
      expect(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION)).toBe(sysctl('net/ipv4/tcp_congestion_control'));
      for (const name of available) {
        try {
          setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name);
        } catch (e) {
          // Outside tcp_allowed_congestion_control only CAP_NET_ADMIN may choose.
          expect(allowed).not.toContain(name);
          expect(e).toMatchObject({ code: 'EPERM', syscall: 'setsockopt' });
          continue;
        }
        expect(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION)).toBe(name);
      }
      expect(() => setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, 'no-such-cc')).toThrow(
        expect.objectContaining({ code: 'ENOENT', syscall: 'setsockopt' }),
      );
    });
  });

  it('IP_MULTICAST_IF is an IPv4 address string', () => {
    cover('IP_MULTICAST_IF');
    withSocket('udp', (fd) => {
      expect(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF)).toBe('0.0.0.0');
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, '127.0.0.1');
      expect(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF)).toBe('127.0.0.1');
    });
  });

  it('IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP take an ip_mreqn; the kernel tracks membership', () => {
    cover('IP_ADD_MEMBERSHIP', 'IP_DROP_MEMBERSHIP');
    withSocket('udp', (fd) => {
      const mreq = { multiaddr: '239.1.2.3', ifindex: loIndex };
      setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq);
      expect(() => setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq)).toThrow(
        expect.objectContaining({ code: 'EADDRINUSE', syscall: 'setsockopt' }),
      );
      setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, { multiaddr: '239.1.2.3', address: '0.0.0.0', ifindex: loIndex });
      expect(() => setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq)).toThrow(
        expect.objectContaining({ code: 'EADDRNOTAVAIL', syscall: 'setsockopt' }),
      );
      expect(() => getsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP)).toThrow(/IP_ADD_MEMBERSHIP can only be set/);
    });
  });

  it('IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP take an ipv6_mreq; the kernel tracks membership', () => {
    cover('IPV6_JOIN_GROUP', 'IPV6_LEAVE_GROUP');
    withSocket('udp6', (fd) => {
      const mreq = { multiaddr: 'ff15::1234', ifindex: loIndex };
      setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq);
      expect(() => setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq)).toThrow(
        expect.objectContaining({ code: 'EADDRINUSE', syscall: 'setsockopt' }),
      );
      setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, mreq);
      expect(() => setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, mreq)).toThrow(
        expect.objectContaining({ code: 'EADDRNOTAVAIL', syscall: 'setsockopt' }),
      );
    });
  });

  it('IPV6_MTU sets the fragment size; reading it gives the path MTU, once connected', () => {
    cover('IPV6_MTU');
    withSocket('udp6', (fd) => {
      setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, 1280);
      expect(() => getsockopt(fd, IPPROTO_IPV6, IPV6_MTU)).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
      connect(fd, loopback(AF_INET6, 9));
      expect(getsockopt(fd, IPPROTO_IPV6, IPV6_MTU)).toBe(loMtu);
    });
  });
});

describe('read-only options', () => {
  it('SO_TYPE, SO_DOMAIN, SO_PROTOCOL describe the socket', () => {
    cover('SO_TYPE', 'SO_DOMAIN', 'SO_PROTOCOL');
    withSocket('tcp6', (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
      expect(getsockopt(fd, SOL_SOCKET, SO_DOMAIN)).toBe(AF_INET6);
      expect(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_TCP);
    });
    withSocket('udp', (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_TYPE)).toBe(SOCK_DGRAM);
      expect(getsockopt(fd, SOL_SOCKET, SO_DOMAIN)).toBe(AF_INET);
      expect(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL)).toBe(IPPROTO_UDP);
    });
  });

  it('SO_ACCEPTCONN turns true on listen', () => {
    cover('SO_ACCEPTCONN');
    withSocket('tcp', (fd) => {
      expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(false);
      bind(fd, loopback(AF_INET));
      listen(fd, 4);
      expect(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN)).toBe(true);
    });
  });

  it('SO_ERROR is 0 on a healthy socket (the connect cases are in sockopt.ioctl.test.ts)', () => {
    cover('SO_ERROR');
    withSocket('tcp', (fd) => expect(getsockopt(fd, SOL_SOCKET, SO_ERROR)).toBe(0));
  });

  it('SO_COOKIE is a bigint, stable for a socket and different between sockets', () => {
    cover('SO_COOKIE');
    const a = socket(AF_INET, SOCK_STREAM);
    const b = socket(AF_INET, SOCK_STREAM);
    try {
      const ca = getsockopt(a, SOL_SOCKET, SO_COOKIE);
      expect(typeof ca).toBe('bigint');
      expect(ca as bigint).toBeGreaterThan(0n);
      expect(getsockopt(a, SOL_SOCKET, SO_COOKIE)).toBe(ca);
      expect(getsockopt(b, SOL_SOCKET, SO_COOKIE)).not.toBe(ca);
    } finally {
      closeAll(a, b);
    }
  });

  it('SO_INCOMING_NAPI_ID is 0 for loopback traffic', (ctx) => {
    cover('SO_INCOMING_NAPI_ID');
    withSocket('udp', (fd) => {
      let id: unknown;
      orSkip(ctx, ['ENOPROTOOPT'], 'SO_INCOMING_NAPI_ID needs CONFIG_NET_RX_BUSY_POLL', () => {
        id = getsockopt(fd, SOL_SOCKET, SO_INCOMING_NAPI_ID);
      });
      expect(id).toBe(0);
    });
  });

  it('IP_MTU is the path MTU of a connected socket, at most 65535 for IPv4 (ENOTCONN before)', () => {
    cover('IP_MTU');
    withSocket('udp', (fd) => {
      expect(() => getsockopt(fd, IPPROTO_IP, IP_MTU)).toThrow(
        expect.objectContaining({ code: 'ENOTCONN', syscall: 'getsockopt' }),
      );
      connect(fd, loopback(AF_INET, 9));
      expect(getsockopt(fd, IPPROTO_IP, IP_MTU)).toBe(Math.min(loMtu, 65535));
    });
  });

  it('TCP_INFO decodes struct tcp_info: state by name, and counters that match the traffic', () => {
    cover('TCP_INFO');
    withSocket('tcp', (fd) => expect(getTcpInfo(fd).state).toBe('CLOSE'));
    const lfd = listening();
    try {
      expect(getTcpInfo(lfd).state).toBe('LISTEN');
    } finally {
      close(lfd);
    }
    const { client, server } = tcpPair();
    try {
      const data = Buffer.alloc(1000, 7);
      expect(send(client, data)).toBe(1000);
      expect(recv(server, Buffer.alloc(1000), undefined, MSG_WAITALL)).toBe(1000);
      const s = getsockopt(server, IPPROTO_TCP, TCP_INFO) as ReturnType<typeof getTcpInfo>;
      expect(s.state).toBe('ESTABLISHED');
      expect(s.ca_state).toBe('Open');
      expect(s.bytes_received).toBe(1000);
      expect(s.data_segs_in).toBeGreaterThanOrEqual(1);
      const c = getTcpInfo(client);
      expect(c.state).toBe('ESTABLISHED');
      expect(c.bytes_sent).toBe(1000);
      expect(c.snd_cwnd).toBeGreaterThan(0);
      expect(c.snd_mss).toBeGreaterThan(0);
      expect(c.rtt).toBeGreaterThanOrEqual(0);
      expect(c.total_retrans).toBe(0);
    } finally {
      closeAll(client, server);
    }
    withSocket('udp', (fd) =>
      expect(() => getTcpInfo(fd)).toThrow(expect.objectContaining({ errno: EOPNOTSUPP, syscall: 'getsockopt' })),
    );
  });
});

it('every option of the typed table has a round-trip test (this file runs in order)', () => {
  // Also counts TCP_REPAIR and TCP_REPAIR_QUEUE, which sockopt.ioctl.test.ts
  // exercises (they need a connected socket and the SIOCOUTQ test).
  cover('TCP_REPAIR', 'TCP_REPAIR_QUEUE');
  const missing = socketOptions()
    .map((o) => o.name)
    .filter((name) => !covered.has(name));
  expect(missing, 'options in the typed table without a round-trip test').toEqual([]);
});
