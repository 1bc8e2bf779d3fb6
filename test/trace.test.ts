// The trace mode's decoding, call by call, as strace(1) prints the same
// system calls: struct names (sa_family=...), value-result lengths
// (`[16]`, `[110 => 2]`), option values with their lengths (`[1], 4`).
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EPOLLIN,
  EPOLL_CTL_ADD,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_LINGER,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  accept,
  bind,
  close,
  connect,
  epoll_create1,
  epoll_ctl,
  getsockname,
  getsockopt,
  listen,
  recvfrom,
  setsockopt,
  sizeof,
  socket,
  socketpair,
  trace,
  type SockaddrStorage,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

const lines: string[] = [];
const traced = <T>(f: () => T): T => {
  lines.length = 0;
  trace((line) => lines.push(line));
  try {
    return f();
  } finally {
    trace(false);
  }
};
afterEach(() => trace(false));

describe('trace mode decodes as strace does', () => {
  it('socket: the protocol by name for the IP families, a number for the others', () => {
    const [a, b] = traced(() => [socket(AF_INET, SOCK_DGRAM, 0), socket(AF_UNIX, SOCK_STREAM, 0)]);
    closeAll(a!, b!);
    expect(lines).toEqual([`socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = ${a}`, `socket(AF_UNIX, SOCK_STREAM, 0) = ${b}`]);
  });

  it('setsockopt and getsockopt: an int in brackets, structs by their C fields, each with its length', () => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      traced(() => {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, 2500);
        getsockopt(fd, SOL_SOCKET, SO_REUSEADDR);
      });
      expect(lines).toEqual([
        `setsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0`,
        `setsockopt(${fd}, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, ${sizeof.linger}) = 0`,
        `setsockopt(${fd}, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=2, tv_usec=500000}, ${sizeof.timeval}) = 0`,
        `getsockopt(${fd}, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0`,
      ]);
    } finally {
      close(fd);
    }
  });

  it('getsockname: the room the kernel was given and the length it wrote, in either form', () => {
    const fd = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      bind(fd, { family: AF_INET, address: '127.0.0.1', port: 0 });
      const me: SockaddrStorage = {};
      const port = traced(() => {
        const { port } = getsockname(fd) as { port: number };
        getsockname(fd, me, { value: sizeof.sockaddr_in });
        return port;
      });
      const addr = `{sa_family=AF_INET, sin_port=htons(${port}), sin_addr=inet_addr("127.0.0.1")}`;
      expect(lines).toEqual([
        `getsockname(${fd}, ${addr}, [${sizeof.sockaddr_storage} => 16]) = 0`,
        `getsockname(${fd}, ${addr}, [16]) = 0`,
      ]);
    } finally {
      close(fd);
    }
  });

  it('accept of an unnamed UNIX client: the family alone, and the length the kernel cut the room to', () => {
    const path = `\0ps-trace-${process.pid}`;
    const l = socket(AF_UNIX, SOCK_STREAM, 0);
    const c = socket(AF_UNIX, SOCK_STREAM, 0);
    let s = -1;
    try {
      bind(l, { family: AF_UNIX, path });
      listen(l, 1);
      connect(c, { family: AF_UNIX, path });
      s = traced(() => accept(l, {}, { value: sizeof.sockaddr_un }));
      expect(lines).toEqual([`accept(${l}, {sa_family=AF_UNIX}, [${sizeof.sockaddr_un} => 2]) = ${s}`]);
    } finally {
      closeAll(l, c, s);
    }
  });

  it('recvfrom: the sender and its length, NULL for none, and the room alone when the call failed', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM, 0);
    try {
      const buf = Buffer.alloc(8);
      traced(() => {
        recvfrom(a, buf, 8, MSG_DONTWAIT, {}, { value: sizeof.sockaddr_un });
        recvfrom(a, buf, 8, MSG_DONTWAIT, null, null);
      });
      expect(lines).toEqual([
        `recvfrom(${a}, 0x..., 8, MSG_DONTWAIT, 0x..., [${sizeof.sockaddr_un}]) = -1 EAGAIN (Resource temporarily unavailable)`,
        `recvfrom(${a}, 0x..., 8, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)`,
      ]);
    } finally {
      closeAll(a, b);
    }
  });

  it('epoll_ctl: the event struct with its data', () => {
    const ep = epoll_create1(0);
    const fd = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      traced(() => epoll_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 7));
      expect(lines).toEqual([`epoll_ctl(${ep}, EPOLL_CTL_ADD, ${fd}, {events=EPOLLIN, data=7}) = 0`]);
    } finally {
      closeAll(ep, fd);
    }
  });
});
