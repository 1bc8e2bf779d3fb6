// ioctl(2) answers that are negative without being errors: the int a
// request writes is the answer, whatever its sign, and only the call's own
// -1 means failure (issue 12, item 5). And string option values with a NUL
// inside (item 3).
import { describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AF_INET,
  EBADF,
  FIONREAD,
  IPPROTO_IP,
  IPPROTO_TCP,
  IP_MULTICAST_IF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  TCP_CONGESTION,
  close,
  getsockopt,
  ioctl,
  setsockopt,
  socket,
} from '../lib/index.js';

describe('ioctl results that are negative numbers', () => {
  it('FIONREAD on a regular file whose offset is past its end is the negative count, not an errno', () => {
    // The kernel answers i_size - f_pos (fs/ioctl.c): write 100 bytes (the
    // offset moves to 100), then truncate the file to 0.
    const dir = mkdtempSync(path.join(tmpdir(), 'ps-ioctl-'));
    const fd = openSync(path.join(dir, 'f'), 'w+');
    try {
      writeSync(fd, Buffer.alloc(100));
      expect(ioctl(fd, FIONREAD)).toBe(100 - 100);
      ftruncateSync(fd, 0);
      expect(ioctl(fd, FIONREAD)).toBe(-100);
      ftruncateSync(fd, 50);
      expect(ioctl(fd, FIONREAD)).toBe(-50);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });

  it('a failing ioctl still throws its errno', () => {
    expect(() => ioctl(-1, FIONREAD)).toThrow(expect.objectContaining({ errno: EBADF, syscall: 'ioctl' }));
  });
});

describe('setsockopt string options', () => {
  it('refuse a NUL inside the string (C would read a shorter name)', () => {
    const tcp = socket(AF_INET, SOCK_STREAM);
    const udp = socket(AF_INET, SOCK_DGRAM);
    try {
      const nul = (option: string) =>
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining(option) });
      expect(() => setsockopt(tcp, IPPROTO_TCP, TCP_CONGESTION, 'cubic\0x')).toThrow(nul('TCP_CONGESTION'));
      expect(() => setsockopt(tcp, SOL_SOCKET, SO_BINDTODEVICE, 'lo\0x')).toThrow(nul('SO_BINDTODEVICE'));
      expect(() => setsockopt(udp, IPPROTO_IP, IP_MULTICAST_IF, '127.0.0.1\0x')).toThrow(nul('IP_MULTICAST_IF'));
      // Without the NUL the kernel takes the value: the refusal is the NUL's.
      setsockopt(tcp, IPPROTO_TCP, TCP_CONGESTION, 'cubic');
      expect(getsockopt(tcp, IPPROTO_TCP, TCP_CONGESTION)).toBe('cubic');
      setsockopt(udp, IPPROTO_IP, IP_MULTICAST_IF, '127.0.0.1');
    } finally {
      close(tcp);
      close(udp);
    }
  });
});
