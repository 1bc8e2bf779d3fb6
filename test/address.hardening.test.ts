// A NUL inside a string that C reads as a C string is refused, naming the
// argument (issue 12, item 3): C would see a shorter string and bind,
// connect or look up something else than the caller named. A UNIX path in
// the abstract namespace is bytes, not a C string: a NUL there is meant.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_STREAM,
  bind,
  connect,
  getnameinfo,
  getsockname,
  if_nametoindex,
  inet_aton,
  inet_pton,
  sendto,
  type Sockaddr,
} from '../lib/index.js';
import { withSocket } from './helpers.js';

const nul = (name: string) =>
  expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining(`'${name}'`) });

describe('a NUL inside a C string', () => {
  it('inet_pton, inet_aton and if_nametoindex refuse it', () => {
    expect(() => inet_pton(AF_INET, '127.0.0.1\0junk')).toThrow(nul('src'));
    expect(() => inet_pton(AF_INET6, '::1\0junk')).toThrow(nul('src'));
    expect(() => inet_aton('127.0.0.1\0junk')).toThrow(nul('cp'));
    expect(() => if_nametoindex('lo\0x')).toThrow(nul('name'));
    // Without the NUL each one works, so the refusal is the NUL's.
    expect(inet_pton(AF_INET, '127.0.0.1')).not.toBeNull();
    expect(if_nametoindex('lo')).toBeGreaterThan(0);
  });

  it('an IP address in bind, connect, sendto and getnameinfo refuses it, in both address forms', () => {
    withSocket(AF_INET, SOCK_DGRAM, (fd) => {
      const v4 = { family: AF_INET, address: '127.0.0.1\0.2', port: 0 } as Sockaddr;
      expect(() => bind(fd, v4)).toThrow(nul('addr.address'));
      expect(() => connect(fd, v4)).toThrow(nul('addr.address'));
      expect(() => sendto(fd, Buffer.alloc(1), 1, 0, v4)).toThrow(nul('dest_addr.address'));
      expect(() => getnameinfo(v4)).toThrow(nul('addr.address'));
      // Nothing was bound by the refused calls.
      expect(getsockname(fd)).toMatchObject({ address: '0.0.0.0', port: 0 });
    });
    withSocket(AF_INET6, SOCK_DGRAM, (fd) => {
      expect(() => bind(fd, { family: AF_INET6, address: '::1\0x', port: 0 } as Sockaddr)).toThrow(nul('addr.address'));
    });
  });

  it('a UNIX path outside the abstract namespace refuses it; an abstract name keeps its NULs', () => {
    withSocket(AF_UNIX, SOCK_STREAM, (fd) => {
      const path = `/tmp/ps-nul-${process.pid}\0.sock`;
      expect(() => bind(fd, { family: AF_UNIX, path })).toThrow(nul('addr.path'));
      expect(() => connect(fd, { family: AF_UNIX, path })).toThrow(nul('addr.path'));
      expect(() => bind(fd, { sun_family: AF_UNIX, sun_path: path } as unknown as Sockaddr)).toThrow(nul('addr.sun_path'));
      const abstract = `\0ps-nul-${process.pid}\0inside`;
      bind(fd, { family: AF_UNIX, path: abstract });
      expect(getsockname(fd)).toMatchObject({ family: AF_UNIX, path: abstract });
    });
  });
});
