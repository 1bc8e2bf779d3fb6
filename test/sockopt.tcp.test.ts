// One round trip per IPPROTO_TCP option of the typed table (the README's
// "Options at IPPROTO_TCP"): set, get, compare, on real sockets. Where the
// kernel changes the value on the way (rounding to retransmissions, the MSS
// in use) the test says so and asserts the kernel's rule. The last test
// checks that every IPPROTO_TCP option socketOptions() lists was exercised.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  EOPNOTSUPP,
  IPPROTO_TCP,
  MSG_WAITALL,
  SOCK_STREAM,
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
  bind,
  close,
  connect,
  getTcpInfo,
  getsockopt,
  listen,
  recv,
  send,
  setsockopt,
  socket,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf, tcpPair } from './helpers.js';
import { everyOptionCovered, flagRoundTrips, intRoundTrips, levelCoverage, sysctl, withSocket } from './sockopt-helpers.js';

const cov = levelCoverage(IPPROTO_TCP);
const { cover } = cov;
// sockopt.ioctl.test.ts exercises these two: they need a connected socket
// and the SIOCOUTQ test.
cover('TCP_REPAIR', 'TCP_REPAIR_QUEUE');

flagRoundTrips(cov, [
  ['TCP_CORK', TCP_CORK, 'tcp'],
  ['TCP_FASTOPEN_CONNECT', TCP_FASTOPEN_CONNECT, 'tcp', 'net.ipv4.tcp_fastopen client bit (1)'],
  ['TCP_INQ', TCP_INQ, 'tcp'],
  ['TCP_NODELAY', TCP_NODELAY, 'tcp'],
  ['TCP_QUICKACK', TCP_QUICKACK, 'tcp'],
]);

describe('int options read and take numbers', () => {
  intRoundTrips(cov, [
    ['TCP_KEEPCNT', TCP_KEEPCNT, 'tcp', 5, 5],
    ['TCP_KEEPIDLE', TCP_KEEPIDLE, 'tcp', 30, 30],
    ['TCP_KEEPINTVL', TCP_KEEPINTVL, 'tcp', 10, 10],
    ['TCP_LINGER2', TCP_LINGER2, 'tcp', 10, 10],
    // Before connect, TCP_MAXSEG reads back the value asked for; once
    // connected it reads the MSS in use (see below).
    ['TCP_MAXSEG', TCP_MAXSEG, 'tcp', 1000, 1000],
    ['TCP_NOTSENT_LOWAT', TCP_NOTSENT_LOWAT, 'tcp', 16384, 16384],
    ['TCP_SYNCNT', TCP_SYNCNT, 'tcp', 3, 3],
    ['TCP_USER_TIMEOUT', TCP_USER_TIMEOUT, 'tcp', 5000, 5000],
    ['TCP_WINDOW_CLAMP', TCP_WINDOW_CLAMP, 'tcp', 20000, 20000],
  ]);

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
      const mss = getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG);
      expect(mss).toBeLessThanOrEqual(1000);
      expect(mss).toBeGreaterThan(500);
    } finally {
      closeAll(fd, lfd);
    }
  });
});

describe('struct options are objects', () => {
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
});

describe('read-only options', () => {
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
      const s = getsockopt(server, IPPROTO_TCP, TCP_INFO);
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

everyOptionCovered(cov, 'IPPROTO_TCP');
