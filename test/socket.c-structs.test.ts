// C's structs and value-result arguments, written as a C tutorial writes
// them: sin_port: htons(port), sin_addr.s_addr: htonl(INADDR_ANY),
// accept(lfd, &cli, &len), bind(fd, &addr, sizeof addr).
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  INADDR_ANY,
  INADDR_LOOPBACK,
  INADDR_NONE,
  PF_INET,
  SOCK_DGRAM,
  SOCK_STREAM,
  accept,
  bind,
  connect,
  getpeername,
  getsockname,
  htonl,
  htons,
  in6addr_any,
  in6addr_loopback,
  inet_addr,
  inet_aton,
  inet_ntoa,
  inet_pton,
  ntohs,
  read,
  recvfrom,
  sendto,
  sizeof,
  socket,
  write,
  type InAddr,
  type SockaddrStorage,
} from '../lib/index.js';
import { closeAll, listening, portOf } from './helpers.js';

const err = (code: string, syscall: string) => expect.objectContaining({ code, syscall });

describe('C structs are accepted literally', () => {
  it('sockaddr_in with the port and address in network order binds what C binds', () => {
    const fd = socket(PF_INET, SOCK_STREAM, 0);
    try {
      bind(fd, { sin_family: AF_INET, sin_port: htons(0), sin_addr: { s_addr: htonl(INADDR_LOOPBACK) } }, sizeof.sockaddr_in);
      expect(getsockname(fd)).toMatchObject({ family: AF_INET, address: '127.0.0.1' });
    } finally {
      closeAll(fd);
    }
  });

  it('htonl(INADDR_ANY) and INADDR_ANY in the friendly form mean the wildcard', () => {
    const a = socket(AF_INET, SOCK_DGRAM);
    const b = socket(AF_INET, SOCK_DGRAM);
    try {
      bind(a, { sin_family: AF_INET, sin_port: 0, sin_addr: { s_addr: htonl(INADDR_ANY) } });
      bind(b, { family: AF_INET, address: INADDR_ANY, port: 0 });
      expect(getsockname(a)).toMatchObject({ address: '0.0.0.0' });
      expect(getsockname(b)).toMatchObject({ address: '0.0.0.0' });
    } finally {
      closeAll(a, b);
    }
  });

  it('the friendly port is host order: htons(41234) there is port 4769, as the docs warn', () => {
    const fd = socket(AF_INET, SOCK_DGRAM);
    try {
      const port = 41234;
      bind(fd, { sin_family: AF_INET, sin_port: htons(port), sin_addr: { s_addr: inet_addr('127.0.0.1') } });
      expect(portOf(fd)).toBe(port);
    } finally {
      closeAll(fd);
    }
  });

  it('sockaddr_in6 with in6addr_loopback, and sockaddr_un with sun_path', () => {
    const six = socket(AF_INET6, SOCK_DGRAM);
    const unix = socket(AF_UNIX, SOCK_DGRAM);
    try {
      bind(six, { sin6_family: AF_INET6, sin6_port: 0, sin6_addr: in6addr_loopback });
      expect(getsockname(six)).toMatchObject({ family: AF_INET6, address: '::1' });
      bind(unix, { sun_family: AF_UNIX, sun_path: `\0ps-cstruct-${process.pid}` });
      expect(getsockname(unix)).toMatchObject({ family: AF_UNIX, path: `\0ps-cstruct-${process.pid}` });
    } finally {
      closeAll(six, unix);
    }
  });

  it('in6addr_any is :: in both forms, and its bytes cannot be changed for the next caller', () => {
    expect(Buffer.from(in6addr_any.s6_addr)).toEqual(Buffer.alloc(16));
    in6addr_any.s6_addr[15] = 1;
    expect(in6addr_any.s6_addr[15]).toBe(0);
    expect(Buffer.from(in6addr_loopback.s6_addr)).toEqual(inet_pton(AF_INET6, '::1'));
    const fd = socket(AF_INET6, SOCK_DGRAM);
    try {
      bind(fd, { family: AF_INET6, address: in6addr_any, port: 0 });
      expect(getsockname(fd)).toMatchObject({ address: '::' });
    } finally {
      closeAll(fd);
    }
  });
});

describe("C's addrlen is the length the kernel sees", () => {
  it('bind with a short length: the kernel says EINVAL', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      expect(() => bind(fd, { family: AF_INET, address: '127.0.0.1', port: 0 }, 8)).toThrow(err('EINVAL', 'bind'));
    } finally {
      closeAll(fd);
    }
  });

  it('sizeof(struct sockaddr_un) as addrlen, as C passes it, is accepted; past the struct is a RangeError', () => {
    const fd = socket(AF_UNIX, SOCK_STREAM);
    try {
      const addr = { sun_family: AF_UNIX, sun_path: `\0ps-addrlen-${process.pid}` };
      expect(() => bind(fd, addr, sizeof.sockaddr_un + 1)).toThrow(RangeError);
      bind(fd, addr, sizeof.sockaddr_un);
      // The whole struct went in: the abstract name is sun_path's 108 bytes, zero-padded.
      const path = getsockname(fd);
      expect(path.family === AF_UNIX && path.path.length).toBe(sizeof.sockaddr_un - 2);
    } finally {
      closeAll(fd);
    }
  });

  it('raw sockaddr bytes of a family the library has no fields for reach the kernel, which answers', () => {
    const fd = socket(AF_INET, SOCK_DGRAM);
    try {
      const raw = Buffer.alloc(16);
      raw.writeUInt16LE(40, 0); // AF_VSOCK: a real family, but not one an AF_INET socket binds
      expect(() => bind(fd, raw)).toThrow(err('EAFNOSUPPORT', 'bind'));
      expect(() => bind(fd, { family: 4242, address: 'x' } as never)).toThrow(err('EAFNOSUPPORT', 'bind'));
    } finally {
      closeAll(fd);
    }
  });

  it('{ family: AF_UNSPEC } dissolves a UDP association (connect(2))', () => {
    const a = socket(AF_INET, SOCK_DGRAM);
    const b = socket(AF_INET, SOCK_DGRAM);
    try {
      bind(b, { family: AF_INET, address: '127.0.0.1', port: 0 });
      connect(a, { family: AF_INET, address: '127.0.0.1', port: portOf(b) });
      expect(getpeername(a)).toMatchObject({ port: portOf(b) });
      connect(a, { family: AF_UNSPEC });
      expect(() => getpeername(a)).toThrow(err('ENOTCONN', 'getpeername'));
    } finally {
      closeAll(a, b);
    }
  });
});

describe('value-result arguments', () => {
  it('accept(lfd, &cli, &len) fills the peer address in both forms and its length', () => {
    const lfd = listening();
    const c = socket(AF_INET, SOCK_STREAM);
    let s = -1;
    try {
      connect(c, { family: AF_INET, address: '127.0.0.1', port: portOf(lfd) });
      const cli: SockaddrStorage = {};
      const len = { value: sizeof.sockaddr_in };
      s = accept(lfd, cli, len);
      expect(len.value).toBe(sizeof.sockaddr_in);
      expect(cli).toMatchObject({ family: AF_INET, address: '127.0.0.1', sin_family: AF_INET });
      expect(ntohs(cli.sin_port!)).toBe(portOf(c));
      expect(inet_ntoa(cli.sin_addr!)).toBe('127.0.0.1');
      expect(write(s, Buffer.from('hi'), 2)).toBe(2);
      expect(read(c, Buffer.alloc(8), 8)).toBe(2);
    } finally {
      closeAll(lfd, c, s);
    }
  });

  it('accept with a room too small for the address cuts it and reports the real length, as C', () => {
    const lfd = listening();
    const c = socket(AF_INET, SOCK_STREAM);
    let s = -1;
    try {
      connect(c, { family: AF_INET, address: '127.0.0.1', port: portOf(lfd) });
      const cli: SockaddrStorage = {};
      const len = { value: 4 }; // family and port only
      s = accept(lfd, cli, len);
      expect(len.value).toBe(sizeof.sockaddr_in);
      expect(cli.sin_family).toBeUndefined(); // too short to decode as a sockaddr_in
      expect(cli.family).toBe(AF_INET);
    } finally {
      closeAll(lfd, c, s);
    }
  });

  it('getsockname(fd, &me, &len) and getpeername(fd, &peer, &len) fill C structs and return 0', () => {
    const lfd = listening();
    const c = socket(AF_INET, SOCK_STREAM);
    let s = -1;
    try {
      const me: SockaddrStorage = {};
      const melen = { value: sizeof.sockaddr_in };
      expect(getsockname(lfd, me, melen)).toBe(0);
      expect(melen.value).toBe(sizeof.sockaddr_in);
      expect(me.sin_family).toBe(AF_INET);
      expect(ntohs(me.sin_port!)).toBe(portOf(lfd));
      expect(inet_ntoa(me.sin_addr!)).toBe('127.0.0.1');
      connect(c, { family: AF_INET, address: '127.0.0.1', port: portOf(lfd) });
      s = accept(lfd);
      const peer: SockaddrStorage = {};
      const peerlen = { value: 4 }; // room for the family and port only: cut, and the real length back
      expect(getpeername(s, peer, peerlen)).toBe(0);
      expect(peerlen.value).toBe(sizeof.sockaddr_in);
      expect(peer.sin_family).toBeUndefined();
      expect(peer.family).toBe(AF_INET);
      const full: SockaddrStorage = {};
      expect(getpeername(s, full, null)).toBe(0); // a null addrlen: the whole room, as accept's
      expect(ntohs(full.sin_port!)).toBe(portOf(c));
      expect(() => getpeername(lfd, {}, { value: sizeof.sockaddr_in })).toThrow(err('ENOTCONN', 'getpeername'));
      expect(() => getsockname(lfd, 5 as never, null)).toThrow(TypeError);
      expect(() => getsockname(lfd, {}, { value: -1 })).toThrow(RangeError);
    } finally {
      closeAll(lfd, c, s);
    }
  });

  it('recvfrom(fd, buf, len, flags, &from, &fromlen) returns the count and fills the sender', () => {
    const a = socket(AF_INET, SOCK_DGRAM);
    const b = socket(AF_INET, SOCK_DGRAM);
    try {
      bind(a, { family: AF_INET, address: '127.0.0.1', port: 0 });
      bind(b, { family: AF_INET, address: '127.0.0.1', port: 0 });
      expect(sendto(a, Buffer.from('ping'), 4, 0, getsockname(b) as never, sizeof.sockaddr_in)).toBe(4);
      const from: SockaddrStorage = {};
      const fromlen = { value: sizeof.sockaddr_in };
      const buf = Buffer.alloc(16);
      expect(recvfrom(b, buf, buf.length, 0, from, fromlen)).toBe(4);
      expect(ntohs(from.sin_port!)).toBe(portOf(a));
      expect(fromlen.value).toBe(sizeof.sockaddr_in);
      expect(recvfrom(b, buf, buf.length, 0x40 /* MSG_DONTWAIT */, null, null)).toBe(-1);
    } finally {
      closeAll(a, b);
    }
  });
});

describe('the old IPv4 text functions', () => {
  it('inet_addr, inet_aton and inet_ntoa agree with C', () => {
    expect(inet_addr('127.0.0.1')).toBe(htonl(INADDR_LOOPBACK));
    expect(inet_addr('not an address')).toBe(INADDR_NONE);
    const a: InAddr = { s_addr: 0 };
    expect(inet_aton('127.1', a)).toBe(1); // the short form inet_aton(3) takes
    expect(inet_ntoa(a)).toBe('127.0.0.1');
    expect(inet_aton('300.1.2.3', a)).toBe(0);
    expect(() => inet_addr('127.0.0.1\0junk')).toThrow(TypeError);
  });
});
