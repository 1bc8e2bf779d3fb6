// One round trip per IPPROTO_IPV6 option of the typed table (the README's
// "Options at IPPROTO_IPV6"): set, get, compare, on real sockets. Where the
// kernel changes the value on the way (defaults for -1, the path MTU read
// in place of the MTU set) the test says so and asserts the kernel's rule.
// The last test checks that every IPPROTO_IPV6 option socketOptions() lists
// was exercised here.
import { describe, expect, it } from 'vitest';
import {
  AF_INET6,
  IPPROTO_IPV6,
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

const cov = levelCoverage(IPPROTO_IPV6);
const { cover } = cov;

flagRoundTrips(cov, [
  ['IPV6_MULTICAST_LOOP', IPV6_MULTICAST_LOOP, 'udp6'],
  ['IPV6_RECVERR', IPV6_RECVERR, 'udp6'],
  ['IPV6_RECVHOPLIMIT', IPV6_RECVHOPLIMIT, 'udp6'],
  ['IPV6_RECVPKTINFO', IPV6_RECVPKTINFO, 'udp6'],
  ['IPV6_RECVTCLASS', IPV6_RECVTCLASS, 'udp6'],
  ['IPV6_V6ONLY', IPV6_V6ONLY, 'tcp6'],
]);

describe('int options read and take numbers', () => {
  intRoundTrips(cov, [
    ['IPV6_MULTICAST_HOPS', IPV6_MULTICAST_HOPS, 'udp6', 5, 5],
    ['IPV6_MULTICAST_IF', IPV6_MULTICAST_IF, 'udp6', loIndex, loIndex],
    ['IPV6_TCLASS', IPV6_TCLASS, 'udp6', 0x20, 0x20],
    ['IPV6_UNICAST_HOPS', IPV6_UNICAST_HOPS, 'udp6', 7, 7],
  ]);

  it('-1 restores the default of IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS and IPV6_TCLASS', () => {
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
});

describe('struct options are objects', () => {
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

everyOptionCovered(cov, 'IPPROTO_IPV6');
