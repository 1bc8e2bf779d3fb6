// UDP and UNIX-domain sockets: message boundaries, senders' addresses, path
// and abstract names, socketpair.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept,
  bind,
  close,
  connect,
  getpeername,
  getsockname,
  listen,
  read,
  recv,
  recvfrom,
  send,
  sendto,
  socket,
  socketpair,
  write,
} from '../lib/index.js';
import { closeAll, loopback, portOf } from './helpers.js';

describe.each([
  ['IPv4', AF_INET, '127.0.0.1'],
  ['IPv6', AF_INET6, '::1'],
] as const)('UDP over %s', (_name, family, address) => {
  it('keeps message boundaries and reports each sender', () => {
    const rx = socket(family, SOCK_DGRAM);
    const tx = socket(family, SOCK_DGRAM);
    try {
      bind(rx, loopback(family));
      bind(tx, loopback(family));
      const to = loopback(family, portOf(rx));
      expect(sendto(tx, Buffer.from('one'), undefined, 0, to)).toBe(3);
      expect(sendto(tx, Buffer.from('two!'), undefined, 0, to)).toBe(4);
      const buf = Buffer.alloc(64);
      const first = recvfrom(rx, buf);
      expect(first.bytes).toBe(3);
      expect(buf.toString('utf8', 0, 3)).toBe('one');
      expect(first.address).toMatchObject({ family, address, port: portOf(tx) });
      const second = recvfrom(rx, buf);
      expect(second.bytes).toBe(4); // one datagram per call, never merged
      expect(buf.toString('utf8', 0, 4)).toBe('two!');
    } finally {
      closeAll(rx, tx);
    }
  });

  it('cuts a datagram longer than the buffer, and the rest is gone', () => {
    const rx = socket(family, SOCK_DGRAM | SOCK_NONBLOCK);
    const tx = socket(family, SOCK_DGRAM);
    try {
      bind(rx, loopback(family));
      sendto(tx, Buffer.from('0123456789'), undefined, 0, loopback(family, portOf(rx)));
      const small = Buffer.alloc(4);
      expect(recvfrom(rx, small).bytes).toBe(4);
      expect(small.toString()).toBe('0123');
      expect(recvfrom(rx, small)).toEqual({ bytes: -1, address: null });
    } finally {
      closeAll(rx, tx);
    }
  });

  it('connect fixes the peer, so send and recv work and sendto(null) too', () => {
    const a = socket(family, SOCK_DGRAM);
    const b = socket(family, SOCK_DGRAM);
    try {
      bind(a, loopback(family));
      bind(b, loopback(family));
      connect(a, loopback(family, portOf(b)));
      connect(b, loopback(family, portOf(a)));
      expect(send(a, Buffer.from('hi'))).toBe(2);
      expect(sendto(a, Buffer.from('yo'), undefined, 0, null)).toBe(2);
      const buf = Buffer.alloc(8);
      expect(recv(b, buf)).toBe(2);
      expect(recv(b, buf)).toBe(2);
      expect(getpeername(a)).toMatchObject({ family, port: portOf(b) });
    } finally {
      closeAll(a, b);
    }
  });
});

describe('UNIX-domain sockets', () => {
  it('stream over a filesystem path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posix-sockets-'));
    const path = join(dir, 'echo.sock');
    const lfd = socket(AF_UNIX, SOCK_STREAM);
    const client = socket(AF_UNIX, SOCK_STREAM);
    let server = -1;
    try {
      bind(lfd, { family: AF_UNIX, path });
      expect(existsSync(path)).toBe(true);
      listen(lfd);
      expect(getsockname(lfd)).toEqual({ family: AF_UNIX, path });
      connect(client, { family: AF_UNIX, path });
      server = accept(lfd);
      expect(getpeername(client)).toEqual({ family: AF_UNIX, path });
      expect(getsockname(client)).toEqual({ family: AF_UNIX, path: '' }); // unnamed
      write(client, Buffer.from('over the fs'));
      const buf = Buffer.alloc(32);
      expect(read(server, buf)).toBe(11);
    } finally {
      closeAll(lfd, client, server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('datagram in the abstract namespace (leading NUL, no file)', () => {
    const name = `\0posix-sockets-test-${process.pid}`;
    const rx = socket(AF_UNIX, SOCK_DGRAM);
    const tx = socket(AF_UNIX, SOCK_DGRAM);
    try {
      bind(rx, { family: AF_UNIX, path: name });
      expect(getsockname(rx)).toEqual({ family: AF_UNIX, path: name });
      bind(tx, { family: AF_UNIX, path: '' }); // autobind: the kernel picks an abstract name
      const auto = getsockname(tx);
      expect(auto).toMatchObject({ family: AF_UNIX });
      expect((auto as { path: string }).path.startsWith('\0')).toBe(true);
      sendto(tx, Buffer.from('abstract'), undefined, 0, { family: AF_UNIX, path: name });
      const buf = Buffer.alloc(32);
      const got = recvfrom(rx, buf);
      expect(got.bytes).toBe(8);
      expect(got.address).toEqual(auto);
    } finally {
      closeAll(rx, tx);
    }
  });

  it('a path given as a Buffer works like the string', () => {
    const name = Buffer.from(`\0posix-sockets-buf-${process.pid}`);
    const fd = socket(AF_UNIX, SOCK_DGRAM);
    try {
      bind(fd, { family: AF_UNIX, path: name });
      expect(getsockname(fd)).toEqual({ family: AF_UNIX, path: name.toString('latin1') });
    } finally {
      close(fd);
    }
  });
});

describe('socketpair', () => {
  it('gives two connected stream sockets, each able to talk and half-close', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      expect(write(a, Buffer.from('left'))).toBe(4);
      const buf = Buffer.alloc(8);
      expect(read(b, buf)).toBe(4);
      expect(write(b, Buffer.from('right'))).toBe(5);
      expect(read(a, buf)).toBe(5);
      close(a);
      expect(read(b, buf)).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('fails with EOPNOTSUPP for a family without pairs', () => {
    expect(() => socketpair(AF_INET, SOCK_STREAM)).toThrow(
      expect.objectContaining({ code: 'EOPNOTSUPP', syscall: 'socketpair' }),
    );
  });
});
