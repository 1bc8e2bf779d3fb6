// One round trip per IPPROTO_IP option of the typed table (the README's
// "Options at IPPROTO_IP"): set, get, compare, on real sockets. Where the
// kernel changes the value on the way (TCP's ECN bits, the default for -1)
// the test says so and asserts the kernel's rule. The last test checks that
// every IPPROTO_IP option socketOptions() lists was exercised here.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  IPPROTO_IP,
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
  connect,
  getsockopt,
  setsockopt,
} from '../lib/index.js';
import { loopback } from './helpers.js';
import {
  everyOptionCovered,
  flagRoundTrips,
  intRoundTrips,
  levelCoverage,
  loIndex,
  loMtu,
  sysctl,
  withSocket,
} from './sockopt-helpers.js';

const cov = levelCoverage(IPPROTO_IP);
const { cover } = cov;

flagRoundTrips(cov, [
  ['IP_BIND_ADDRESS_NO_PORT', IP_BIND_ADDRESS_NO_PORT, 'tcp'],
  ['IP_FREEBIND', IP_FREEBIND, 'tcp'],
  ['IP_HDRINCL', IP_HDRINCL, 'raw', 'a raw socket (CAP_NET_RAW)'],
  ['IP_MULTICAST_LOOP', IP_MULTICAST_LOOP, 'udp'],
  ['IP_PKTINFO', IP_PKTINFO, 'udp'],
  ['IP_RECVERR', IP_RECVERR, 'udp'],
  ['IP_RECVTOS', IP_RECVTOS, 'udp'],
  ['IP_RECVTTL', IP_RECVTTL, 'udp'],
  ['IP_TRANSPARENT', IP_TRANSPARENT, 'tcp', 'CAP_NET_ADMIN or CAP_NET_RAW'],
]);

describe('int options read and take numbers', () => {
  intRoundTrips(cov, [
    ['IP_MTU_DISCOVER', IP_MTU_DISCOVER, 'udp', IP_PMTUDISC_DO, IP_PMTUDISC_DO],
    ['IP_MULTICAST_TTL', IP_MULTICAST_TTL, 'udp', 4, 4],
    ['IP_TTL', IP_TTL, 'tcp', 32, 32],
  ]);

  it('IP_MTU_DISCOVER takes each IP_PMTUDISC_* value', () => {
    withSocket('udp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
      expect(getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER)).toBe(IP_PMTUDISC_DONT);
    });
  });

  it('-1 restores the default of IP_TTL (net.ipv4.ip_default_ttl)', () => {
    withSocket('tcp', (fd) => {
      setsockopt(fd, IPPROTO_IP, IP_TTL, 9);
      setsockopt(fd, IPPROTO_IP, IP_TTL, -1);
      expect(getsockopt(fd, IPPROTO_IP, IP_TTL)).toBe(Number(sysctl('net/ipv4/ip_default_ttl')));
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
});

describe('struct options are objects', () => {
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
      // @ts-expect-error: a set-only option cannot be read, at compile time as at run time
      expect(() => getsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP)).toThrow(/IP_ADD_MEMBERSHIP can only be set/);
    });
  });
});

describe('read-only options', () => {
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
});

everyOptionCovered(cov, 'IPPROTO_IP');
