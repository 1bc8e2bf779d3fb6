// Bad input gets a TypeError or RangeError that names the argument, and
// never reaches the kernel or touches memory it should not.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_STREAM,
  bind,
  close,
  connect,
  fcntl,
  inet_ntop,
  inet_pton,
  listen,
  read,
  recv,
  send,
  sendto,
  socket,
  socketpair,
  write,
  type Sockaddr,
} from '../lib/index.js';
import { closeAll, withSocket } from './helpers.js';

const typeError = (text: string) => expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(text) });
const rangeError = (text: string) =>
  expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining(text) });
// Bypass the TypeScript types, as a JavaScript caller could.
const anyArgs = <T>(v: unknown) => v as T;

describe('file descriptors', () => {
  it.each([
    ['a string', '3'],
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['undefined', undefined],
    ['an object', {}],
  ])('%s is a TypeError naming fd', (_what, fd) => {
    expect(() => close(anyArgs<number>(fd))).toThrow(typeError("'fd'"));
    expect(() => read(anyArgs<number>(fd), Buffer.alloc(1))).toThrow(typeError("'fd'"));
  });

  it('an fd that does not fit an int is a RangeError (a negative one is the kernel\'s EBADF)', () => {
    expect(() => close(-(2 ** 31) - 1)).toThrow(rangeError("'fd'"));
    expect(() => write(2 ** 31, Buffer.alloc(1))).toThrow(rangeError("'fd'"));
  });

  it('a closed fd is EBADF from the kernel', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    close(fd);
    expect(() => read(fd, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'read' }));
  });
});

describe('buffers', () => {
  const pair = () => socketpair(AF_UNIX, SOCK_STREAM);

  it.each([
    ['a string', 'hello'],
    ['a plain array', [1, 2, 3]],
    ['an ArrayBuffer (not a view)', new ArrayBuffer(4)],
    ['null', null],
  ])('%s is a TypeError naming buf', (_what, buf) => {
    const [a, b] = pair();
    try {
      expect(() => write(a, anyArgs<Buffer>(buf))).toThrow(typeError("'buf'"));
      expect(() => recv(a, anyArgs<Buffer>(buf))).toThrow(typeError("'buf'"));
    } finally {
      closeAll(a, b);
    }
  });

  it('an offset past the end, or offset + count past it, is a RangeError naming C\'s count', () => {
    const [a, b] = pair();
    try {
      const buf = Buffer.alloc(8);
      expect(() => write(a, buf, undefined, 9)).toThrow(rangeError("'offset'"));
      expect(() => read(a, buf, 5, 4)).toThrow(rangeError("'count'"));
      expect(() => send(a, buf, undefined, 0, -1)).toThrow(rangeError("'offset'"));
      expect(() => recv(a, buf, -1)).toThrow(rangeError("'len'"));
      expect(() => read(a, buf, 9)).toThrow(rangeError("'count'")); // C's read(fd, buf, sizeof buf + 1)
      // The view's own window counts, not the ArrayBuffer behind it.
      expect(() => write(a, buf.subarray(0, 2), 3)).toThrow(rangeError("'count'"));
    } finally {
      closeAll(a, b);
    }
  });

  it('a view of a detached ArrayBuffer is a TypeError', () => {
    const [a, b] = pair();
    try {
      const ab = new ArrayBuffer(16);
      const view = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] }); // detaches ab
      expect(view.byteLength).toBe(0);
      expect(() => write(a, view)).toThrow(typeError('detached'));
      expect(() => read(a, view)).toThrow(typeError('detached'));
    } finally {
      closeAll(a, b);
    }
  });
});

describe('addresses', () => {
  it('a malformed IPv4 or IPv6 address is a TypeError naming addr.address', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(() => bind(fd, { family: AF_INET, address: '256.1.1.1', port: 0 })).toThrow(typeError("'addr.address'"));
      expect(() => bind(fd, { family: AF_INET, address: '::1', port: 0 })).toThrow(typeError('not an IPv4'));
    });
    withSocket(AF_INET6, SOCK_STREAM, (fd) => {
      expect(() => connect(fd, { family: AF_INET6, address: '1:2:3', port: 1 })).toThrow(typeError('not an IPv6'));
      expect(() => connect(fd, { family: AF_INET6, address: 'fe80::1%nosuchif0', port: 1 })).toThrow(
        typeError('names no interface'),
      );
    });
  });

  it('a port outside 0..65535 is a RangeError naming addr.port', () => {
    withSocket(AF_INET, SOCK_DGRAM, (fd) => {
      expect(() => bind(fd, { family: AF_INET, address: '127.0.0.1', port: 65536 })).toThrow(rangeError("'addr.port'"));
      expect(() => sendto(fd, Buffer.alloc(1), undefined, 0, { family: AF_INET, address: '127.0.0.1', port: -1 })).toThrow(
        rangeError("'dest_addr.port'"),
      );
    });
  });

  it('a UNIX path too long for sun_path is a RangeError', () => {
    withSocket(AF_UNIX, SOCK_STREAM, (fd) => {
      expect(() => bind(fd, { family: AF_UNIX, path: '/tmp/' + 'x'.repeat(200) })).toThrow(rangeError("'addr.path'"));
      expect(() => bind(fd, { family: AF_UNIX, path: 'a\0b' })).toThrow(typeError('NUL'));
    });
  });

  it('a missing family, a non-object and a wrong field type are TypeErrors; an unknown family is the kernel\'s', () => {
    withSocket(AF_INET, SOCK_STREAM, (fd) => {
      expect(() => bind(fd, anyArgs<Sockaddr>({ address: '127.0.0.1' }))).toThrow(typeError("'addr'"));
      expect(() => bind(fd, anyArgs<Sockaddr>('127.0.0.1:80'))).toThrow(typeError("'addr'"));
      expect(() => bind(fd, anyArgs<Sockaddr>({ family: 99 }))).toThrow(expect.objectContaining({ code: 'EAFNOSUPPORT' }));
      expect(() => bind(fd, anyArgs<Sockaddr>({ family: 65536 }))).toThrow(rangeError("'addr.family'"));
      expect(() => bind(fd, anyArgs<Sockaddr>({ family: AF_INET, address: true }))).toThrow(
        typeError("'addr.address'"),
      );
      expect(() => bind(fd, anyArgs<Sockaddr>({ family: AF_INET, address: '127.0.0.1\0.2', port: 0 }))).toThrow(
        typeError("'addr.address'"),
      );
    });
  });

  it('inet_pton and inet_ntop check family and length', () => {
    expect(inet_pton(AF_INET, 'not an ip')).toBeNull();
    expect(() => inet_pton(AF_UNIX, '1.2.3.4')).toThrow(typeError("'af'"));
    expect(() => inet_ntop(AF_INET, Buffer.alloc(16))).toThrow(rangeError("'src'"));
    expect(() => inet_ntop(AF_INET6, anyArgs<Buffer>('::1'))).toThrow(typeError("'src'"));
  });
});

describe('other arguments', () => {
  it('backlog, flags and fcntl commands are checked', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(() => listen(fd, anyArgs<number>('many'))).toThrow(typeError("'backlog'"));
      expect(() => send(fd, Buffer.alloc(1), undefined, anyArgs<number>(0.5))).toThrow(typeError("'flags'"));
      expect(() => fcntl(fd, anyArgs<number>('F_GETFL'))).toThrow(typeError("'cmd'"));
      expect(() => socket(anyArgs<number>('AF_INET'), SOCK_STREAM)).toThrow(typeError("'domain'"));
    } finally {
      close(fd);
    }
  });
});
