// The raw form (Buffer in, Buffer of the kernel's length out), bad input
// (each rejected before the system call, with the error naming what was
// wrong), system errors, and the addon inside a worker thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  FIONBIO,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IP_ADD_MEMBERSHIP,
  IP_MULTICAST_IF,
  IP_OPTIONS,
  IPV6_JOIN_GROUP,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_MARK,
  SO_RCVBUF,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  TCP_NODELAY,
  close,
  getTimeout,
  getsockopt,
  getsockoptBuffer,
  getsockoptInt,
  ioctl,
  pipe,
  setsockopt,
  socket,
  socketOptions,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

function withSocket(family: number, type: number, fn: (fd: number) => void): void {
  const fd = socket(family, type);
  try {
    fn(fd);
  } finally {
    close(fd);
  }
}

/** An fd number that is certainly closed: one just opened and closed. */
function closedFd(): number {
  const fd = socket(AF_INET, SOCK_STREAM);
  close(fd);
  return fd;
}

describe('raw form', () => {
  it('a Buffer value sets any option with its bytes', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const v = Buffer.alloc(4);
      v.writeInt32LE(65536);
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v);
      expect(getsockopt(fd, SOL_SOCKET, SO_RCVBUF)).toBe(131072); // doubled, as typed
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, new Int32Array([1]));
      expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)).toBe(true);
      const dv = new DataView(new ArrayBuffer(4));
      dv.setInt32(0, 1, true);
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, dv);
      expect(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)).toBe(true);
    });
  });

  it('getsockoptBuffer returns a Buffer of the length the kernel returned', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      const b = getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, 64);
      expect(b).toBeInstanceOf(Buffer);
      expect(b.length).toBe(4);
      expect(b.readInt32LE(0)).toBe(SOCK_STREAM);
      // A shorter buffer: the kernel copies what fits and says so.
      expect(getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, 2).length).toBe(2);
      expect(getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, 0).length).toBe(0);
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 9 });
      const linger = getsockoptBuffer(fd, SOL_SOCKET, SO_LINGER, 64);
      expect(linger.length).toBe(8); // struct linger: two ints
      expect([linger.readInt32LE(0), linger.readInt32LE(4)]).toEqual([1, 9]);
    });
  });

  it('reaches an option the typed table does not know (IP_OPTIONS), which the typed form refuses', () => {
    withSocket(AF_INET, SOCK_DGRAM, (fd) => {
      expect(() => getsockopt(fd, IPPROTO_IP, IP_OPTIONS)).toThrow(TypeError);
      expect(() => getsockopt(fd, IPPROTO_IP, IP_OPTIONS)).toThrow(/getsockoptBuffer\(fd, level, optname, maxlen\)/);
      expect(() => setsockopt(fd, IPPROTO_IP, IP_OPTIONS, 1)).toThrow(/pass its bytes as a Buffer/);
      expect(getsockoptBuffer(fd, IPPROTO_IP, IP_OPTIONS, 40).length).toBe(0);
      const nops = Buffer.from([1, 1, 1, 1]); // four IPOPT_NOOP
      setsockopt(fd, IPPROTO_IP, IP_OPTIONS, nops);
      expect(getsockoptBuffer(fd, IPPROTO_IP, IP_OPTIONS, 40)).toEqual(nops);
    });
  });
});

describe('bad input is rejected before the system call', () => {
  // A closed fd: if a check ran after the system call, EBADF would win.
  const fd = closedFd();

  it('fd, level, optname', () => {
    expect(() => getsockopt(-1, SOL_SOCKET, SO_TYPE)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => getsockopt(1.5, SOL_SOCKET, SO_TYPE)).toThrow(TypeError);
    expect(() => getsockopt('3' as unknown as number, SOL_SOCKET, SO_TYPE)).toThrow(/'fd'/);
    // @ts-expect-error: a level that is not SO_TYPE's (and SO_TYPE is read only)
    expect(() => setsockopt(fd, 'x' as unknown as number, SO_TYPE, 1)).toThrow(/'level'/);
    expect(() => setsockopt(fd, SOL_SOCKET, NaN, 1)).toThrow(/'optname'/);
    expect(() => getsockoptBuffer(-2, SOL_SOCKET, SO_TYPE, 4)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('an option the table does not know names its level and the raw form', () => {
    expect(() => getsockopt(fd, SOL_SOCKET, 9999)).toThrow(/option 9999 at level SOL_SOCKET; read it raw/);
    expect(() => getsockopt(fd, 4242, 1)).toThrow(/option 1 at level 4242/);
    expect(() => setsockopt(fd, IPPROTO_TCP, 9999, 1)).toThrow(/option 9999 at level IPPROTO_TCP; pass its bytes as a Buffer/);
  });

  it('every read-only option refuses setsockopt, naming itself', () => {
    const ro = socketOptions().filter((o) => o.access === 'r');
    expect(ro.map((o) => o.name)).toContain('SO_ERROR');
    for (const o of ro) {
      expect(() => setsockopt(fd, o.level, o.optname, 1)).toThrow(new RegExp(`^${o.name} is read-only`));
      expect(() => setsockopt(fd, o.level, o.optname, 1)).toThrow(TypeError);
    }
  });

  it('every write-only option refuses getsockopt, naming itself', () => {
    const wo = socketOptions().filter((o) => o.access === 'w');
    expect(wo.map((o) => o.name)).toContain('IP_ADD_MEMBERSHIP');
    for (const o of wo) {
      expect(() => getsockopt(fd, o.level, o.optname)).toThrow(new RegExp(`^${o.name} can only be set`));
    }
  });

  it('flags: true/false/0/1 only', () => {
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 2)).toThrow(RangeError);
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 2)).toThrow(/value \(SO_REUSEADDR\)/);
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 'yes')).toThrow(TypeError);
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, null as unknown as number)).toThrow(TypeError);
  });

  it('ints: integers in range', () => {
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_SNDBUF, true)).toThrow(TypeError);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 1.5)).toThrow(TypeError);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 2 ** 31)).toThrow(RangeError);
    expect(() => setsockopt(fd, SOL_SOCKET, SO_MARK, -1)).toThrow(RangeError); // unsigned
    expect(() => setsockopt(fd, SOL_SOCKET, SO_MARK, 2 ** 32)).toThrow(RangeError);
  });

  it('SO_LINGER: an object with onoff and linger', () => {
    const bad: Array<[unknown, ErrorConstructor, RegExp]> = [
      [null, TypeError, /\{ onoff, linger \}/],
      [5, TypeError, /\{ onoff, linger \}/],
      [{}, TypeError, /'value\.onoff'/],
      [{ onoff: true }, TypeError, /'value\.linger'/],
      [{ onoff: 2, linger: 1 }, RangeError, /value\.onoff/],
      [{ onoff: true, linger: -1 }, RangeError, /value\.linger/],
      [{ onoff: true, linger: 2 ** 31 }, RangeError, /value\.linger/],
    ];
    // `as never`: values tsc would reject, to reach the run-time checks.
    for (const [v, type, message] of bad) {
      expect(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, v as never)).toThrow(type);
      expect(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, v as never)).toThrow(message);
    }
  });

  it('SO_RCVTIMEO: { sec, usec } in range, or milliseconds >= 0', () => {
    const bad: Array<[unknown, ErrorConstructor]> = [
      [-1, RangeError],
      [NaN, RangeError],
      [Infinity, RangeError],
      ['1000', TypeError],
      [{ usec: 5 }, TypeError],
      [{ sec: -1 }, RangeError],
      [{ sec: 1, usec: 1_000_000 }, RangeError],
      [{ sec: 1, usec: -1 }, RangeError],
      [{ sec: 1.5 }, TypeError],
    ];
    for (const [v, type] of bad) {
      expect(() => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, v as never)).toThrow(type);
    }
  });

  it('multicast requests: an object with valid addresses and interface index', () => {
    const v4: Array<[unknown, ErrorConstructor, string?]> = [
      ['239.1.2.3', TypeError],
      [{}, TypeError],
      [{ multiaddr: 5 }, TypeError],
      [{ multiaddr: 'nope' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
      [{ multiaddr: '239.1.2.3', address: '::1' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
      [{ multiaddr: '239.1.2.3', ifindex: -1 }, RangeError],
    ];
    for (const [v, type, code] of v4) {
      expect(() => setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, v as never)).toThrow(type);
      if (code) {
        expect(() => setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, v as never)).toThrow(
          expect.objectContaining({ code }),
        );
      }
    }
    expect(() => setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: '239.1.2.3' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: 'ff15::1', ifindex: 2 ** 32 })).toThrow(
      RangeError,
    );
    expect(() => setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, 5)).toThrow(TypeError);
  });

  it('strings: of the right type and length', () => {
    expect(() => setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 'a'.repeat(16))).toThrow(RangeError);
    // @ts-expect-error: the wrong type on purpose, which tsc rejects too
    expect(() => setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, 5)).toThrow(TypeError);
  });

  it('the raw form: a live ArrayBufferView, maxlen in 0..65536', () => {
    const ab = new ArrayBuffer(4);
    const view = new Uint8Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(() => setsockopt(fd, SOL_SOCKET, SO_RCVBUF, view)).toThrow(/detached/);
    expect(() => getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, -1)).toThrow(RangeError);
    expect(() => getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, 65537)).toThrow(RangeError);
    expect(() => getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, '4' as unknown as number)).toThrow(TypeError);
  });

  it('ioctl: known requests only; FIONBIO needs its argument', () => {
    expect(() => ioctl(fd, 0x1234)).toThrow(/ioctl request 0x1234 is not one this wrapper knows/);
    expect(() => ioctl(fd, FIONBIO)).toThrow(/'arg'/);
  });

  it('typed helpers refuse options of another shape', () => {
    expect(() => getTimeout(fd, SO_LINGER)).toThrow(TypeError);
    withSocket(AF_INET, SOCK_STREAM, (live) => {
      expect(() => getsockoptInt(live, SOL_SOCKET, SO_LINGER)).toThrow(/not an int option/);
      expect(getsockoptInt(live, SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
    });
  });
});

describe('system errors are SocketErrors', () => {
  it('EBADF for a closed fd, from each call', () => {
    const fd = closedFd();
    const ebadf = (syscall: string) => expect.objectContaining({ code: 'EBADF', syscall });
    expect(() => getsockopt(fd, SOL_SOCKET, SO_TYPE)).toThrow(ebadf('getsockopt'));
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, true)).toThrow(ebadf('setsockopt'));
    expect(() => setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, Buffer.alloc(4))).toThrow(ebadf('setsockopt'));
    expect(() => getsockoptBuffer(fd, SOL_SOCKET, SO_TYPE, 4)).toThrow(ebadf('getsockopt'));
    expect(() => ioctl(fd, FIONBIO, true)).toThrow(ebadf('ioctl'));
  });

  it('ENOTSOCK for a pipe; ENOPROTOOPT for an option of another protocol', () => {
    const [r, w] = pipe();
    try {
      expect(() => getsockopt(r, SOL_SOCKET, SO_TYPE)).toThrow(expect.objectContaining({ code: 'ENOTSOCK' }));
      expect(() => setsockopt(w, SOL_SOCKET, SO_REUSEADDR, 1)).toThrow(expect.objectContaining({ code: 'ENOTSOCK' }));
    } finally {
      closeAll(r, w);
    }
    withSocket(AF_INET6, SOCK_DGRAM, (fd) => {
      expect(() => getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)).toThrow(expect.objectContaining({ syscall: 'getsockopt' }));
    });
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(() => setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, { multiaddr: 'ff15::1' })).toThrow(
        expect.objectContaining({ code: 'ENOPROTOOPT', syscall: 'setsockopt' }),
      );
    });
  });
});

describe('worker threads', () => {
  it('the option calls work inside a worker', async () => {
    const addon = path.resolve('test/workers/addon.cjs');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const n = require(workerData.addon);
      const c = n.constants;
      const err = new Int32Array(1);
      const fd = n.socket(c.AF_INET, c.SOCK_STREAM, 0);
      const set = n.setsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, { onoff: true, linger: 3 });
      const linger = n.getsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, err);
      const state = n.getsockopt(fd, c.IPPROTO_TCP, c.TCP_INFO, err).state;
      n.close(fd);
      parentPort.postMessage({ set, linger, state });
    `;
    const worker = new Worker(code, { eval: true, workerData: { addon } });
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toEqual({ set: 0, linger: { onoff: true, linger: 3 }, state: 'CLOSE' });
  });
});
