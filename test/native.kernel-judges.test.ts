// The kernel judges what the kernel judges: JavaScript refuses only what
// would touch memory wrongly or is of the wrong type; every integer fd,
// count, family and command goes to the kernel, and its errno comes back.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  EPOLL_CTL_ADD,
  EPOLLIN,
  F_GETPIPE_SZ,
  F_SETPIPE_SZ,
  IOV_MAX,
  PollFds,
  SOCK_DGRAM,
  SOCK_STREAM,
  accept,
  bind,
  close,
  connect,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  fcntl,
  listen,
  pipe,
  read,
  readv,
  recv,
  send,
  sendmsg,
  socket,
  socketpair,
  write,
  writev,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

const err = (code: string, syscall: string) => expect.objectContaining({ code, syscall });

describe('fds are the kernel’s to judge', () => {
  it('fd -1 is EBADF from every call, as in C', () => {
    const buf = Buffer.alloc(4);
    expect(() => read(-1, buf)).toThrow(err('EBADF', 'read'));
    expect(() => write(-1, buf)).toThrow(err('EBADF', 'write'));
    expect(() => recv(-1, buf)).toThrow(err('EBADF', 'recv'));
    expect(() => send(-1, buf)).toThrow(err('EBADF', 'send'));
    expect(() => close(-1)).toThrow(err('EBADF', 'close'));
    expect(() => listen(-1, 1)).toThrow(err('EBADF', 'listen'));
    expect(() => accept(-1)).toThrow(err('EBADF', 'accept'));
    expect(() => fcntl(-1, 1)).toThrow(err('EBADF', 'fcntl'));
    expect(() => bind(-5, { family: AF_INET, address: '127.0.0.1', port: 0 })).toThrow(err('EBADF', 'bind'));
  });

  it('a non-integer fd is still a TypeError, and one past int a RangeError', () => {
    expect(() => read(1.5, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => read('3' as never, Buffer.alloc(1))).toThrow(TypeError);
    expect(() => read(2 ** 31, Buffer.alloc(1))).toThrow(RangeError);
  });
});

describe('counts and commands go to the kernel', () => {
  it('epoll_wait with maxevents 0 or -1: EINVAL; past the events array: RangeError', () => {
    const ep = epoll_create1();
    const events = new Uint32Array(8);
    try {
      expect(() => epoll_wait(ep, events, 0, 0)).toThrow(err('EINVAL', 'epoll_wait'));
      expect(() => epoll_wait(ep, events, -1, 0)).toThrow(err('EINVAL', 'epoll_wait'));
      expect(() => epoll_wait(ep, events, 5, 0)).toThrow(RangeError);
      expect(() => epoll_ctl(ep, EPOLL_CTL_ADD, -1, EPOLLIN)).toThrow(err('EBADF', 'epoll_ctl'));
    } finally {
      closeAll(ep);
    }
  });

  it('more than IOV_MAX buffers: readv/writev EINVAL and sendmsg EMSGSIZE, from the kernel', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    try {
      const many = Array.from({ length: IOV_MAX + 1 }, () => Buffer.alloc(1));
      expect(() => writev(a, many)).toThrow(err('EINVAL', 'writev'));
      expect(() => readv(b, many)).toThrow(err('EINVAL', 'readv'));
      expect(() => sendmsg(a, { buffers: many })).toThrow(err('EMSGSIZE', 'sendmsg'));
      expect(writev(a, many.slice(0, IOV_MAX))).toBe(IOV_MAX); // exactly IOV_MAX is allowed
    } finally {
      closeAll(a, b);
    }
  });

  it('fcntl passes any int command: F_SETPIPE_SZ works, an unknown one is EINVAL, a pointer one is refused', () => {
    const [r, w] = pipe();
    try {
      expect(fcntl(r, F_SETPIPE_SZ, 65536 * 2)).toBeGreaterThanOrEqual(65536 * 2);
      expect(fcntl(r, F_GETPIPE_SZ)).toBeGreaterThanOrEqual(65536 * 2);
      expect(() => fcntl(r, 999_999)).toThrow(err('EINVAL', 'fcntl'));
      expect(() => fcntl(r, 5 /* F_GETLK: takes a struct flock * */)).toThrow(TypeError);
    } finally {
      closeAll(r, w);
    }
  });

  it('an unknown address family reaches the kernel (EAFNOSUPPORT), and socket() with one too', () => {
    const fd = socket(AF_INET, SOCK_DGRAM);
    try {
      expect(() => connect(fd, { family: 12345 } as never)).toThrow(err('EAFNOSUPPORT', 'connect'));
      expect(() => socket(12345, SOCK_STREAM)).toThrow(err('EAFNOSUPPORT', 'socket'));
    } finally {
      closeAll(fd);
    }
  });
});

describe('PollFds keeps struct pollfd well formed (memory layout, not kernel judgement)', () => {
  it('rejects events outside 0..0xffff and non-integer fds; a negative fd is poll(2)’s "ignore me"', () => {
    const fds = new PollFds(2);
    for (const bad of [-1, 65536, 2 ** 64, 1.5, NaN]) expect(() => fds.set(0, 0, bad), String(bad)).toThrow();
    expect(() => fds.set(0, 1.5, EPOLLIN)).toThrow(TypeError);
    expect(() => fds.set(0, 2 ** 31, EPOLLIN)).toThrow(RangeError);
    fds.set(0, -1, EPOLLIN);
    expect(fds.fd(0)).toBe(-1);
  });
});
