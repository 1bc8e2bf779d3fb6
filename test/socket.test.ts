// The C socket calls over TCP on loopback: the handshake, data both ways,
// names, half-close and the errors each step can give.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  SHUT_RDWR,
  SHUT_WR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  EAGAIN,
  ECONNREFUSED,
  EOPNOTSUPP,
  accept,
  accept4,
  errnoMessage,
  errnoName,
  bind,
  close,
  connect,
  getpeername,
  getsockname,
  isCloseOnExec,
  isNonBlocking,
  listen,
  read,
  recv,
  send,
  shutdown,
  socket,
  write,
  constants,
  SocketError,
} from '../lib/index.js';
import { closeAll, listening, loopback, portOf, tcpPair } from './helpers.js';

const err = (code: string, syscall: string) => expect.objectContaining({ code, syscall });

describe.each([
  ['IPv4', AF_INET, '127.0.0.1'],
  ['IPv6', AF_INET6, '::1'],
] as const)('TCP over %s', (_name, family, address) => {
  it('binds port 0, listens, connects, accepts and exchanges data both ways', () => {
    const lfd = socket(family, SOCK_STREAM);
    let client = -1;
    let server = -1;
    try {
      bind(lfd, loopback(family));
      listen(lfd, 16);
      const bound = getsockname(lfd);
      expect(bound).toMatchObject({ family, address });
      const port = portOf(lfd);
      expect(port).toBeGreaterThan(0);

      client = socket(family, SOCK_STREAM);
      expect(connect(client, loopback(family, port))).toBe(0);
      server = accept(lfd);
      expect(server).toBeGreaterThan(2);

      expect(getpeername(server)).toEqual(getsockname(client));
      expect(getpeername(client)).toMatchObject({ family, address, port });

      expect(send(client, Buffer.from('ping'))).toBe(4);
      const buf = Buffer.alloc(16);
      expect(recv(server, buf)).toBe(4);
      expect(buf.toString('utf8', 0, 4)).toBe('ping');
      expect(write(server, Buffer.from('pong!'))).toBe(5);
      expect(read(client, buf)).toBe(5);
      expect(buf.toString('utf8', 0, 5)).toBe('pong!');
    } finally {
      closeAll(lfd, client, server);
    }
  });

  it('shutdown(SHUT_WR) gives the peer EOF while it can still send back', () => {
    const { client, server } = tcpPair(family);
    try {
      send(client, Buffer.from('last words'));
      shutdown(client, SHUT_WR);
      const buf = Buffer.alloc(64);
      expect(recv(server, buf)).toBe(10);
      expect(recv(server, buf)).toBe(0); // EOF, not an error
      expect(send(server, Buffer.from('reply'))).toBe(5);
      expect(recv(client, buf)).toBe(5);
      expect(buf.toString('utf8', 0, 5)).toBe('reply');
      expect(() => send(client, Buffer.from('x'))).toThrow(err('EPIPE', 'send'));
    } finally {
      closeAll(client, server);
    }
  });
});

describe('accept', () => {
  it('on an empty backlog of a non-blocking socket returns -1 (would block)', () => {
    const lfd = listening({ nonblock: true });
    try {
      expect(accept(lfd)).toBe(-1);
      expect(accept4(lfd, null, null, SOCK_NONBLOCK)).toBe(-1);
    } finally {
      close(lfd);
    }
  });

  it('sets SOCK_NONBLOCK and SOCK_CLOEXEC on the new fd in the same call', () => {
    const lfd = listening();
    const client = socket(AF_INET, SOCK_STREAM);
    let server = -1;
    try {
      connect(client, loopback(AF_INET, portOf(lfd)));
      server = accept4(lfd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
      expect(isNonBlocking(server)).toBe(true);
      expect(isCloseOnExec(server)).toBe(true);
      expect(isNonBlocking(client)).toBe(false);
      expect(recv(server, Buffer.alloc(8))).toBe(-1);
    } finally {
      closeAll(lfd, client, server);
    }
  });

  it('on a socket that is not listening fails with EINVAL', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(() => accept(fd)).toThrow(err('EINVAL', 'accept'));
    } finally {
      close(fd);
    }
  });
});

describe('connect', () => {
  it('to a port nobody listens on fails with ECONNREFUSED', () => {
    const probe = listening();
    const port = portOf(probe);
    close(probe); // the port is free now, and nobody listens on it
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(() => connect(fd, loopback(AF_INET, port))).toThrow(err('ECONNREFUSED', 'connect'));
    } finally {
      close(fd);
    }
  });

  it('on a non-blocking socket returns -1 (in progress), then completes', () => {
    const lfd = listening();
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    let server = -1;
    try {
      const r = connect(fd, loopback(AF_INET, portOf(lfd)));
      // Loopback may finish the handshake at once; either answer is C's.
      expect([0, -1]).toContain(r);
      server = accept(lfd); // the handshake is complete once accept returns
      // Linux reports a finished asynchronous connect once, to the next
      // connect (0), and EISCONN after that.
      if (r === -1) expect(connect(fd, loopback(AF_INET, portOf(lfd)))).toBe(0);
      expect(() => connect(fd, loopback(AF_INET, portOf(lfd)))).toThrow(err('EISCONN', 'connect'));
      expect(send(fd, Buffer.from('ok'))).toBe(2);
    } finally {
      closeAll(lfd, fd, server);
    }
  });
});

describe('errors carry code, errno, syscall and the kernel message', () => {
  it('EADDRINUSE from bind to a port in use', () => {
    const lfd = listening();
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      let caught: unknown;
      try {
        bind(fd, loopback(AF_INET, portOf(lfd)));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Error);
      expect(caught).toMatchObject({
        name: 'SocketError',
        code: 'EADDRINUSE',
        errno: 98,
        syscall: 'bind',
        message: 'bind EADDRINUSE: Address already in use',
      });
    } finally {
      closeAll(lfd, fd);
    }
  });

  it('errnoName and errnoMessage name any errno as C and the kernel do', () => {
    expect(errnoName(ECONNREFUSED)).toBe('ECONNREFUSED');
    expect(errnoName(EOPNOTSUPP)).toBe('EOPNOTSUPP'); // Node alone would say ENOTSUP
    expect(errnoName(EAGAIN)).toBe('EAGAIN');
    expect(errnoName(9999)).toBe('Unknown system error 9999');
    expect(errnoMessage(ECONNREFUSED)).toBe('Connection refused');
  });

  it('errnoName knows every errno the headers define, not only the ones libuv names', () => {
    // EDOM, EHWPOISON and ENOTRECOVERABLE have no name in libuv's table.
    expect(errnoName(constants.EDOM)).toBe('EDOM');
    expect(errnoName(constants.EHWPOISON)).toBe('EHWPOISON');
    expect(errnoName(constants.EDEADLK)).toBe('EDEADLK'); // not EDEADLOCK
    for (let e = 1; e <= constants.EHWPOISON; e++) {
      if (e === 41 || e === 58) continue; // the two holes in Linux's numbering
      expect(errnoName(e), String(e)).toMatch(/^E[A-Z0-9]+$/);
    }
    expect(new SocketError(constants.EDOM, 'x').code).toBe('EDOM');
  });

  it('EBADF for a closed fd', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    close(fd);
    expect(() => listen(fd)).toThrow(err('EBADF', 'listen'));
    expect(() => close(fd)).toThrow(err('EBADF', 'close'));
    expect(() => getsockname(fd)).toThrow(err('EBADF', 'getsockname'));
  });

  it('ENOTCONN for getpeername and shutdown on an unconnected socket', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(() => getpeername(fd)).toThrow(err('ENOTCONN', 'getpeername'));
      expect(() => shutdown(fd, SHUT_RDWR)).toThrow(err('ENOTCONN', 'shutdown'));
    } finally {
      close(fd);
    }
  });

  it('EINVAL for a second bind and EAFNOSUPPORT for a bad family', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      bind(fd, loopback(AF_INET));
      expect(() => bind(fd, loopback(AF_INET))).toThrow(err('EINVAL', 'bind'));
      expect(() => socket(12345, SOCK_STREAM)).toThrow(err('EAFNOSUPPORT', 'socket'));
    } finally {
      close(fd);
    }
  });

  it('ENOTSOCK for a socket call on a pipe', async () => {
    const { pipe } = await import('../lib/index.js');
    const [r, w] = pipe();
    try {
      expect(() => listen(r)).toThrow(err('ENOTSOCK', 'listen'));
    } finally {
      closeAll(r, w);
    }
  });
});

describe('blocking calls block, as in C', () => {
  it('a blocking recv returns once the peer sends, and 0 once it closes', () => {
    const { client, server } = tcpPair();
    try {
      send(client, Buffer.from('abc'));
      close(client);
      const buf = Buffer.alloc(8);
      expect(recv(server, buf)).toBe(3);
      expect(recv(server, buf)).toBe(0);
    } finally {
      closeAll(server);
    }
  });
});
