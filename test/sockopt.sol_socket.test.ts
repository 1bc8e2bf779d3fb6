// One round trip per SOL_SOCKET option of the typed table (the README's
// "Options at SOL_SOCKET"): set, get, compare, on real sockets. Where the
// kernel changes the value on the way (doubling buffer sizes, rounding to
// jiffies) the test says so and asserts the kernel's rule. The last test
// checks that every SOL_SOCKET option socketOptions() lists was exercised here.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DGRAM,
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
  bind,
  getLinger,
  getPeerCred,
  getTimeout,
  getsockopt,
  listen,
  recv,
  setsockopt,
  socket,
  socketpair,
} from '../lib/index.js';
import { closeAll, loopback, tcpPair } from './helpers.js';
import { everyOptionCovered, flagRoundTrips, intRoundTrips, levelCoverage, orSkip, sysctl, withSocket } from './sockopt-helpers.js';

const cov = levelCoverage(SOL_SOCKET);
const { cover } = cov;

flagRoundTrips(cov, [
  ['SO_BROADCAST', SO_BROADCAST, 'udp'],
  ['SO_DEBUG', SO_DEBUG, 'tcp', 'CAP_NET_ADMIN'],
  ['SO_DONTROUTE', SO_DONTROUTE, 'tcp'],
  ['SO_KEEPALIVE', SO_KEEPALIVE, 'tcp'],
  ['SO_OOBINLINE', SO_OOBINLINE, 'tcp'],
  ['SO_PASSCRED', SO_PASSCRED, 'unix'],
  ['SO_REUSEADDR', SO_REUSEADDR, 'tcp'],
  ['SO_REUSEPORT', SO_REUSEPORT, 'tcp'],
  ['SO_RXQ_OVFL', SO_RXQ_OVFL, 'udp'],
  ['SO_TIMESTAMP', SO_TIMESTAMP, 'udp'],
  ['SO_TIMESTAMPNS', SO_TIMESTAMPNS, 'udp'],
  ['SO_ZEROCOPY', SO_ZEROCOPY, 'tcp'],
]);

describe('int options read and take numbers', () => {
  intRoundTrips(cov, [
    ['SO_INCOMING_CPU', SO_INCOMING_CPU, 'tcp', 1, 1],
    ['SO_PRIORITY', SO_PRIORITY, 'tcp', 6, 6],
    ['SO_RCVLOWAT', SO_RCVLOWAT, 'tcp', 100, 100],
  ]);

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
      // @ts-expect-error: a set-only option cannot be read, at compile time as at run time
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
});

everyOptionCovered(cov, 'SOL_SOCKET');
