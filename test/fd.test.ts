// close, fcntl and its flag helpers, pipes and eventfds.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  EFD_NONBLOCK,
  F_GETFL,
  O_CLOEXEC,
  O_NONBLOCK,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  close,
  eventfd,
  fcntl,
  isCloseOnExec,
  isNonBlocking,
  pipe,
  read,
  setCloseOnExec,
  setNonBlocking,
  socket,
  write,
} from '../lib/index.js';
import { closeAll } from './helpers.js';

describe('O_NONBLOCK and FD_CLOEXEC', () => {
  it('socket() sets them from the type flags, and fcntl reads them back', () => {
    const plain = socket(AF_INET, SOCK_STREAM);
    const flagged = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    try {
      expect(isNonBlocking(plain)).toBe(false);
      expect(isCloseOnExec(plain)).toBe(false);
      expect(isNonBlocking(flagged)).toBe(true);
      expect(isCloseOnExec(flagged)).toBe(true);
      expect(fcntl(flagged, F_GETFL) & O_NONBLOCK).toBe(O_NONBLOCK);
    } finally {
      closeAll(plain, flagged);
    }
  });

  it('setNonBlocking and setCloseOnExec turn them on and off', () => {
    const fd = socket(AF_INET, SOCK_STREAM);
    try {
      setNonBlocking(fd);
      expect(isNonBlocking(fd)).toBe(true);
      setNonBlocking(fd, false);
      expect(isNonBlocking(fd)).toBe(false);
      setCloseOnExec(fd);
      expect(isCloseOnExec(fd)).toBe(true);
      setCloseOnExec(fd, false);
      expect(isCloseOnExec(fd)).toBe(false);
    } finally {
      close(fd);
    }
  });
});

describe('pipe and eventfd', () => {
  it('pipe carries bytes one way and reads EOF once the writer closes', () => {
    const [r, w] = pipe(O_CLOEXEC);
    try {
      expect(isCloseOnExec(r)).toBe(true);
      expect(write(w, Buffer.from('through'))).toBe(7);
      close(w);
      const buf = Buffer.alloc(16);
      expect(read(r, buf)).toBe(7);
      expect(read(r, buf)).toBe(0);
    } finally {
      closeAll(r, w);
    }
  });

  it('an eventfd counts what is written and reads -1 when empty and non-blocking', () => {
    const fd = eventfd(0, EFD_NONBLOCK);
    try {
      const eight = new BigUint64Array(1);
      expect(read(fd, eight)).toBe(-1);
      eight[0] = 3n;
      write(fd, eight);
      write(fd, eight);
      expect(read(fd, eight)).toBe(8);
      expect(eight[0]).toBe(6n);
      expect(() => write(fd, Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'write' }));
    } finally {
      close(fd);
    }
  });
});
