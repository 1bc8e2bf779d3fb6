// getsockopt and setsockopt are typed per option: each option constant of
// the typed table has a branded type generated from native/sockopt_table.cc
// (scripts/gen-constants.py), from which the signatures give the value's
// type. Two halves:
// - at run time, the generated types (test/sockopt-types.json, written with
//   them) equal the table the addon was built with, and the brands' levels
//   are the right numbers;
// - at compile time (npm test's typecheck covers this file), the right types
//   check and each `@ts-expect-error` line must be an error: were tsc to
//   accept it, the directive itself would fail the typecheck. Those lines
//   also run, and the run-time checks reject the same values.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IP_ADD_MEMBERSHIP,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SOL_TCP,
  SOL_UDP,
  SO_COOKIE,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_PEERCRED,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_TYPE,
  TCP_CONGESTION,
  TCP_INFO,
  TCP_NODELAY,
  close,
  constants,
  getsockopt,
  getsockoptBuffer,
  setsockopt,
  socket,
  socketOptions,
  type GetsockoptValue,
  type Linger,
  type SockoptValue,
  type TcpInfo,
  type Timeval,
  type Ucred,
} from '../lib/index.js';
import { tcpPair } from './helpers.js';
import { withSocket } from './sockopt-helpers.js';

interface Row {
  level: string;
  name: string;
  kind: string;
  access: string;
}
const generated: Row[] = JSON.parse(readFileSync(path.join(__dirname, 'sockopt-types.json'), 'utf8'));

describe('the generated option types and the built table', () => {
  it('list the same options, each with its level, C type and access', () => {
    const levels = [...new Set(generated.map((r) => r.level))];
    const built = socketOptions().map((o) => ({
      level: levels.find((name) => constants[name] === o.level),
      name: o.name,
      kind: o.kind,
      access: o.access,
    }));
    expect(built).toEqual(generated);
  });

  it("each option constant's value is its optname in the table", () => {
    for (const o of socketOptions()) expect(constants[o.name], o.name).toBe(o.optname);
  });

  it('each SOL_ alias has the number of the IPPROTO_ level it is branded as', () => {
    expect([SOL_IP, SOL_TCP, SOL_UDP, SOL_IPV6]).toEqual([IPPROTO_IP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6]);
  });
});

describe('typed getsockopt', () => {
  it('returns the type of the option: boolean, number, Linger, Timeval, string, Ucred, bigint, TcpInfo', () => {
    const { client, server } = tcpPair();
    try {
      const on: boolean = getsockopt(client, SOL_SOCKET, SO_KEEPALIVE);
      const type: number = getsockopt(client, SOL_SOCKET, SO_TYPE);
      const linger: Linger = getsockopt(client, SOL_SOCKET, SO_LINGER);
      const timeout: Timeval = getsockopt(client, SOL_SOCKET, SO_RCVTIMEO);
      const cc: string = getsockopt(client, IPPROTO_TCP, TCP_CONGESTION);
      const cred: Ucred = getsockopt(client, SOL_SOCKET, SO_PEERCRED);
      const cookie: bigint = getsockopt(client, SOL_SOCKET, SO_COOKIE);
      const info: TcpInfo = getsockopt(server, SOL_TCP, TCP_INFO);
      expect([typeof on, typeof type, typeof cc, typeof cookie]).toEqual(['boolean', 'number', 'string', 'bigint']);
      expect([linger, timeout, cred]).toEqual([
        { onoff: false, linger: 0 },
        { sec: 0, usec: 0 },
        { pid: 0, uid: 4294967295, gid: 4294967295 },
      ]);
      expect(info.state).toBe('ESTABLISHED');
    } finally {
      close(client);
      close(server);
    }
  });

  it('rejects a variable of the wrong type at compile time', () => {
    withSocket('tcp', (fd) => {
      // @ts-expect-error: SO_KEEPALIVE reads as a boolean
      const n: number = getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE);
      expect(typeof n).toBe('boolean');
      // @ts-expect-error: SO_LINGER reads as a Linger
      const b: boolean = getsockopt(fd, SOL_SOCKET, SO_LINGER);
      expect(b).toEqual({ onoff: false, linger: 0 });
    });
  });

  it("rejects a level that is not the option's, which in C reads another option", () => {
    withSocket('tcp', (fd) => {
      // @ts-expect-error: TCP_NODELAY is at IPPROTO_TCP; at SOL_SOCKET its number is SO_DEBUG
      expect(getsockopt(fd, SOL_SOCKET, TCP_NODELAY)).toBe(false);
      expect(getsockopt(fd, SOL_TCP, TCP_NODELAY)).toBe(false); // SOL_TCP is IPPROTO_TCP
    });
  });

  it('rejects a set-only option, as the run time does', () => {
    withSocket('tcp', (fd) => {
      // @ts-expect-error: IP_ADD_MEMBERSHIP can only be set
      expect(() => getsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP)).toThrow(/can only be set/);
    });
  });

  it('a plain number option is the untyped form: the union, and any level', () => {
    withSocket('tcp', (fd) => {
      const optname: number = SO_KEEPALIVE;
      const v: SockoptValue = getsockopt(fd, SOL_SOCKET, optname);
      // @ts-expect-error: the union needs narrowing before it is a boolean
      const on: boolean = v;
      expect(on).toBe(false);
      const level: number = SOL_SOCKET;
      expect(getsockopt(fd, level, optname)).toBe(false);
      expect(getsockoptBuffer(fd, SOL_SOCKET, SO_KEEPALIVE, 4)).toHaveLength(4);
    });
  });

  it('the types are there to name: GetsockoptValue<typeof SO_ERROR> is number', () => {
    withSocket('tcp', (fd) => {
      const err: GetsockoptValue<typeof SO_ERROR> = getsockopt(fd, SOL_SOCKET, SO_ERROR);
      expect(err).toBe(0);
    });
  });
});

describe('typed setsockopt', () => {
  it("takes each option's value type, and the raw bytes for any option", () => {
    withSocket('tcp', (fd) => {
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1); // C's `int one = 1`
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, 1500); // milliseconds
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, true);
      setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION));
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, Buffer.from(new Int32Array([1]).buffer));
      expect(getsockopt(fd, SOL_SOCKET, SO_LINGER)).toEqual({ onoff: true, linger: 0 });
      expect(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)).toBe(true);
    });
  });

  it('rejects a value of the wrong type at compile time, as the run time does', () => {
    withSocket('tcp', (fd) => {
      // @ts-expect-error: SO_LINGER takes { onoff, linger }
      expect(() => setsockopt(fd, SOL_SOCKET, SO_LINGER, 5)).toThrow(TypeError);
      // @ts-expect-error: a flag takes true/false or 0/1
      expect(() => setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 2)).toThrow(RangeError);
      // @ts-expect-error: SO_ERROR is read only (the raw bytes would go to the kernel)
      expect(() => setsockopt(fd, SOL_SOCKET, SO_ERROR, 0)).toThrow(/SO_ERROR is read-only/);
      // @ts-expect-error: TCP_NODELAY is not a SOL_SOCKET option
      setsockopt(fd, SOL_SOCKET, TCP_NODELAY, false); // in C this clears SO_DEBUG, which is off anyway
    });
  });

  it('branded constants are still numbers: | and arithmetic give plain numbers', () => {
    const type: number = SOCK_STREAM | SOCK_NONBLOCK;
    const next: number = SO_KEEPALIVE + 1;
    const fd = socket(AF_INET, type);
    try {
      expect(next).toBe(SO_KEEPALIVE + 1);
      setsockopt(fd, SOL_SOCKET, next, Buffer.alloc(4)); // a raw option number: the untyped form
    } finally {
      close(fd);
    }
  });
});
