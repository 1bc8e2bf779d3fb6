// Inputs that run the caller's own code in the middle of a call (getters on
// an address, setters planted on Object.prototype), and fds closed behind a
// handle's back: each once a way to make the native side read freed memory,
// overrun an allocation or lose an fd. The fd-leak check in setup.ts runs
// around each test here too.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  AI_NUMERICHOST,
  EpollLoop,
  SOCK_DGRAM,
  SOCK_STREAM,
  bind,
  close,
  getaddrinfo,
  getsockname,
  pipe,
  read,
  recvfrom,
  recvmsg,
  scmRights,
  sendmmsg,
  sendmsg,
  sendto,
  socket,
  socketpair,
  write,
  type SockaddrIn,
} from '../lib/index.js';
import { closeAll, loopback, portOf } from './helpers.js';

/** Runs `fn` with a property of `proto` turned into a setter that throws. */
function withThrowingSetter<T>(proto: object, key: string | number, fn: () => T): T {
  Object.defineProperty(proto, key, {
    configurable: true,
    set() {
      throw new Error(`planted setter for ${String(key)}`);
    },
  });
  try {
    return fn();
  } finally {
    delete (proto as Record<string | number, unknown>)[key];
  }
}

describe('getters that run in the middle of a call', () => {
  it('sendto reads the address before it takes the buffer, so a getter detaching the buffer is caught', () => {
    const rx = socket(AF_INET, SOCK_DGRAM);
    const tx = socket(AF_INET, SOCK_DGRAM);
    try {
      bind(rx, loopback(AF_INET));
      const port = portOf(rx);
      const buf = new Uint8Array(60_000);
      const addr = {
        family: AF_INET,
        address: '127.0.0.1',
        get port() {
          structuredClone(buf.buffer, { transfer: [buf.buffer] }); // detaches buf
          return port;
        },
      } as SockaddrIn;
      expect(() => sendto(tx, buf, undefined, 0, addr)).toThrow(expect.objectContaining({ message: expect.stringContaining('detached') }));
    } finally {
      closeAll(rx, tx);
    }
  });

  it('sendmmsg sizes its addresses once: a getter that grows the array cannot make it read past them', () => {
    const tx = socket(AF_INET, SOCK_DGRAM);
    try {
      const addresses: Array<SockaddrIn | null> = [];
      addresses[0] = {
        family: AF_INET,
        address: '127.0.0.1',
        get port() {
          for (let i = 0; i < 200; i++) addresses.push(null);
          return 9;
        },
      } as SockaddrIn;
      const bufs = Array.from({ length: 201 }, () => Buffer.from('x'));
      expect(() => sendmmsg(tx, bufs, undefined, 0, addresses as SockaddrIn[])).toThrow(RangeError);
    } finally {
      close(tx);
    }
  });
});

describe('results built while a setter is planted on a prototype', () => {
  it('recvmsg closes the fds it received when the result cannot be built', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    const [r, w] = pipe();
    try {
      sendmsg(a, { buffers: [Buffer.from('x')], control: [scmRights([r, w, r])] });
      expect(() =>
        withThrowingSetter(Object.prototype, 'control', () => recvmsg(b, [Buffer.alloc(8)], { controlLength: 64 })),
      ).toThrow('planted setter');
      // The three fds the kernel installed are closed again: setup.ts checks.
    } finally {
      closeAll(a, b, r, w);
    }
  });

  it('socketpair and pipe close both new fds when the pair cannot be returned', () => {
    expect(() => withThrowingSetter(Array.prototype, 0, () => socketpair(AF_UNIX, SOCK_STREAM))).toThrow('planted setter');
    expect(() => withThrowingSetter(Array.prototype, 1, () => pipe())).toThrow('planted setter');
  });

  it('getaddrinfo hands on the exception of a setter planted on its entries or its array, and works after', () => {
    const hints = { ai_flags: AI_NUMERICHOST };
    expect(() => withThrowingSetter(Object.prototype, 'ai_canonname', () => getaddrinfo('127.0.0.1', '80', hints))).toThrow(
      'planted setter',
    );
    expect(() => withThrowingSetter(Array.prototype, 1, () => getaddrinfo('127.0.0.1', '80', hints))).toThrow('planted setter');
    expect(getaddrinfo('127.0.0.1', '80', hints)).toHaveLength(3);
  });
});

describe('fds closed behind a handle', () => {
  it('EpollLoop.close does not close an fd that took the number of an epfd the caller closed', () => {
    const loop = new EpollLoop({ maxevents: 4 });
    const old = loop.epfd;
    close(old); // misuse: the loop still thinks it owns this number
    const [x, y] = socketpair(AF_UNIX, SOCK_STREAM);
    const reused = [x, y].includes(old);
    try {
      loop.close();
      expect(write(x, Buffer.from('still open'))).toBe(10);
      expect(read(y, Buffer.alloc(16))).toBe(10);
      expect(reused).toBe(true); // the case this test is about did happen
    } finally {
      closeAll(x, y);
    }
  });
});

describe('UNIX names that are not UTF-8', () => {
  it('come back as bytes, so the address still names the socket', () => {
    const name = Buffer.from([0, 0xff, 0x41, 0xfe]); // abstract, not UTF-8
    const rx = socket(AF_UNIX, SOCK_DGRAM);
    const tx = socket(AF_UNIX, SOCK_DGRAM);
    try {
      bind(rx, { family: AF_UNIX, path: name });
      const got = getsockname(rx) as { path: string | Uint8Array };
      expect(Buffer.isBuffer(got.path) && got.path.equals(name)).toBe(true);
      sendto(tx, Buffer.from('hi'), undefined, 0, { family: AF_UNIX, path: got.path });
      expect(recvfrom(rx, Buffer.alloc(4)).bytes).toBe(2);
    } finally {
      closeAll(rx, tx);
    }
  });
});
